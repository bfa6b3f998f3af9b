"""What the Kafka adapters need from the application, as commands and a Protocol.

`infra/kafka/wiring.py` implements `SignalCommands` on top of the real application; tests implement
it on a throwaway one. The adapters never import the application itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class SignalRejected(Exception):
    """The application refused a signal's command for a reason retrying cannot change
    (unknown escalation, a rule of the domain). The signal goes to the dead-letter topic."""


class SignalDeferred(Exception):
    """The command could not be stored now (a write race that kept being lost, the store
    unavailable). The signal is fetched again after a backoff."""


@dataclass(frozen=True)
class OpenEscalation:
    title: str
    source: str
    """One of the domain's sources: bbb_complaint, privacy_request, vendor, priority_support,
    tools_outage."""
    severity: str
    scope: str
    """customer or global."""
    external_ref: str
    """Where it came from, e.g. `bbb:complaint/123`, so people can find the original."""
    description: str | None = None
    customer: dict[str, Any] | None = None
    """`subject_id` plus personal fields; the application keeps them in its customer field."""
    received_at: datetime | None = None
    """When the outside system received it; for privacy requests this starts the legal clock."""
    regulation: str | None = None
    request_kind: str | None = None
    components: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    account: str | None = None


@dataclass(frozen=True)
class LinkCase:
    """A customer case (itself an escalation) attached to a global escalation; both streams
    record the link, no events are copied."""

    global_escalation_id: str
    case_escalation_id: str


@dataclass(frozen=True)
class RecordFeedback:
    escalation_id: str
    survey: str
    """CSAT (1-5) or NPS (0-10)."""
    score: int
    comment: str | None = None
    responded_at: datetime | None = None


class SignalCommands(Protocol):
    """Each method stores its command and the idempotency key in one atomic write, and answers a
    repeated key as it answered the first time without changing anything."""

    def open_escalation(
        self, command: OpenEscalation, *, actor: str, idempotency_key: str
    ) -> str: ...

    def link_case(self, command: LinkCase, *, actor: str, idempotency_key: str) -> None: ...

    def record_feedback(
        self, command: RecordFeedback, *, actor: str, idempotency_key: str
    ) -> None: ...
