"""One channel in front of several: each message goes to the channel of its recipient's kind
(e-mail, webhook, Slack), the outcomes come back in the order of the batch. Kinds served by one
channel (webhooks and Slack both go over HTTP) are sent to it as one group, so a batch opens one
HTTP client. A channel that is
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
        groups: dict[int, tuple[Channel, list[Outgoing]]] = {}
        unavailable: list[str] = []
        for message in messages:
            kind = self.kind_of(message.recipient)
            found = self.channels.get(kind)
            if found is None:
                if f"no {kind} channel is configured" not in unavailable:
                    unavailable.append(f"no {kind} channel is configured")
                continue
            groups.setdefault(id(found), (found, []))[1].append(message)
        done: dict[int, Outcome] = {}
        for channel, group in groups.values():
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
        for channel in {id(c): c for c in self.channels.values()}.values():
            channel.close()
