"""One channel in front of several: each message goes to the channel of its recipient's kind
(e-mail, webhook, Slack), the outcomes come back in the order of the batch. A channel that is
unavailable (the mail server down) makes the whole batch report it, with the outcomes of every
message the other channels finished, so those are recorded and the rest cost no attempt."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from adapters.delivery.channel import Channel, ChannelUnavailable, Outcome, Outgoing


class RoutingChannel:
    name = "routing"

    def __init__(self, channels: dict[str, Channel], kind_of: Callable[[str], str]) -> None:
        self.channels = channels
        self.kind_of = kind_of

    def send(self, messages: Sequence[Outgoing]) -> list[Outcome]:
        groups: dict[str, list[Outgoing]] = {}
        for message in messages:
            groups.setdefault(self.kind_of(message.recipient), []).append(message)
        done: dict[int, Outcome] = {}
        unavailable: list[str] = []
        for kind, group in groups.items():
            channel = self.channels.get(kind)
            if channel is None:
                unavailable.append(f"no {kind} channel is configured")
                continue
            try:
                outcomes = channel.send(group)
            except ChannelUnavailable as error:
                outcomes = error.done
                unavailable.append(error.reason)
            done.update((o.key, o) for o in outcomes)
        ordered = [done[m.key] for m in messages if m.key in done]
        if unavailable:
            raise ChannelUnavailable("; ".join(unavailable), ordered)
        return ordered

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
