"""The channel interface the delivery worker sends through.

A channel takes a batch of messages, each for one recipient, and says for each what became of it.
It never retries on its own: the worker owns the schedule, so a recipient's attempts are counted
in one place and survive a restart. Two kinds of failure are told apart:

- a failure of one message (the server refused the recipient, or the message) is an `Outcome`
  with `permanent` saying whether trying again can help (an SMTP 5xx reply cannot);
- the channel itself being unavailable (no connection, the connection lost) raises
  `ChannelUnavailable` with the outcomes of the messages that were finished before it: the
  remaining messages were not attempted and cost their recipients no attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """One message for one recipient."""

    key: int
    """The worker's handle on the recipient's outcome row."""
    recipient: str
    message_id: str
    """Stable per (communication, recipient): a retry carries the same one, so a copy that was
    delivered twice is recognisable as the same message."""
    thread_id: str
    """The escalation's root message id: every message of one escalation threads under it."""
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Outcome:
    key: int
    sent: bool
    permanent: bool = False
    """For a failure: trying again cannot help."""
    reason: str = ""
    """For a failure: a short phrase without any address (`mailbox unavailable`), safe to count
    on the escalation's stream."""
    detail: str = ""
    """For a failure: the server's own reply, kept beside the recipient only."""


@dataclass
class ChannelUnavailable(Exception):
    """The channel could not be reached, or was lost mid-batch."""

    reason: str
    done: list[Outcome] = field(default_factory=list)

    def __str__(self) -> str:
        return self.reason


class Channel(Protocol):
    name: str

    def send(self, messages: Sequence[Outgoing]) -> list[Outcome]:
        """One outcome per message, in order; raises `ChannelUnavailable`."""
        ...

    def close(self) -> None: ...
