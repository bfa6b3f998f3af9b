"""What the outcome store takes and answers: a communication taken in, a recipient due, the
outcome of an attempt, a recipient's delivery as shown, and where a communication's rounds stand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class State(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    """With a `next_attempt_at`: to be retried then; without: failed for good."""
    BOUNCED = "bounced"
    """Accepted, then returned by a later server (a delivery status notification); kept for the
    bounce handling to come: nothing records it yet."""


@dataclass(frozen=True)
class Intake:
    """A communication sent with `deliver`, and the recipients it resolved to."""

    escalation_id: str
    communication_id: str
    position: int
    audience: str
    title: str
    subject: str
    body: str
    recipients: Sequence[tuple[str, str]]
    """(address, message id) for each recipient."""


@dataclass(frozen=True)
class Due:
    key: int
    escalation_id: str
    communication_id: str
    address: str
    message_id: str
    attempts: int
    audience: str
    title: str
    subject: str
    body: str


@dataclass(frozen=True)
class Result:
    key: int
    state: State
    attempts: int
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    reason: str | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class Delivery:
    """One recipient's outcome, as `GET .../deliveries` shows it."""

    address: str
    state: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    next_attempt_at: datetime | None
    message_id: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "state": self.state,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "retry_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "message_id": self.message_id,
        }


@dataclass(frozen=True)
class Progress:
    """Where a communication's delivery stands, to decide whether a round is over."""

    escalation_id: str
    communication_id: str
    reported_round: int
    recipients: int
    sent: int
    failed: int
    retrying: int
    open_attempts: int | None
    """The fewest attempts among recipients still to be tried (queued or retrying); None: none."""
    most_attempts: int
