"""A throwaway event-sourced application for the Kafka tests, kept in one obvious place.

`Tickets` stores `Ticket` aggregates whose topics look like the real escalation topics
(`tests.kafka.fakes:Ticket.*`), and idempotency records as a second kind of aggregate in the same
store, which the relay must not publish.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event

from adapters.kafka.relay import Relay
from infra.kafka.wiring import build_relay
from infra.settings.kafka import KafkaSettings

TICKET_TOPIC_PREFIX = "tests.kafka.fakes:Ticket."


class Ticket(Aggregate):
    @event("Opened")
    def __init__(
        self,
        title: str,
        source: str,
        customer: dict[str, Any] | None,
        actor: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.title = title
        self.source = source
        self.customer = customer
        self.details = details or {}
        self.notes: list[str] = []

    @event("NoteAdded")
    def add_note(self, text: str, actor: str) -> None:
        self.notes.append(text)


class IdempotencyRecord(Aggregate):
    @staticmethod
    def create_id(key: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"idempotency:{key}")

    @event("Recorded")
    def __init__(self, key: str, result: str) -> None:
        self.key = key
        self.result = result


class Tickets(Application[UUID]):
    """Command methods take an optional idempotency key, stored atomically with the command."""

    def open(
        self,
        title: str,
        *,
        actor: str = "tester",
        customer: dict[str, Any] | None = None,
        source: str = "email",
        details: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> UUID:
        previous = self._previous(idempotency_key)
        if previous is not None:
            return UUID(previous)
        ticket = Ticket(title=title, source=source, customer=customer, actor=actor, details=details)
        self._save_with_key(ticket, idempotency_key, str(ticket.id))
        return ticket.id

    def add_notes(self, ticket_id: UUID, texts: list[str], actor: str = "tester") -> None:
        ticket = self.repository.get(ticket_id)
        for text in texts:
            ticket.add_note(text, actor)
        self.save(ticket)

    def tickets(self) -> list[Ticket]:
        ids = {
            n.originator_id
            for n in self.recorder.select_notifications(0, 1_000_000, inclusive_of_start=False)
            if n.topic == f"{TICKET_TOPIC_PREFIX}Opened"
        }
        return [self.repository.get(UUID(str(i))) for i in ids]

    def _previous(self, key: str | None) -> str | None:
        if key is None:
            return None
        try:
            return self.repository.get(IdempotencyRecord.create_id(key)).result
        except AggregateNotFoundError:
            return None

    def _save_with_key(self, ticket: Ticket, key: str | None, result: str) -> None:
        if key is None:
            self.save(ticket)
        else:
            # The record's id derives from the key, so a racing repeat conflicts on save.
            self.save(ticket, IdempotencyRecord(key=key, result=result))


def ticket_record(domain_event: Any) -> Mapping[str, Any]:
    """The outside-world record of a ticket event, shaped like the core's `event_to_record`."""
    fields = {
        k: _json_safe(v)
        for k, v in domain_event.__dict__.items()
        if k not in {"originator_id", "originator_version", "timestamp", "actor"}
    }
    return {
        "type": type(domain_event).__qualname__.split(".")[-1],
        "escalation_id": str(domain_event.originator_id),
        "version": domain_event.originator_version,
        "timestamp": domain_event.timestamp.isoformat(),
        "actor": getattr(domain_event, "actor", "unknown"),
        "data": fields,
    }


def _json_safe(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _json_safe(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def write_history(app: Tickets, escalations: int, notes_each: int, start: int = 0) -> None:
    for number in range(start, start + escalations):
        ticket_id = app.open(f"ticket {number}", idempotency_key=f"open-{number}")
        if notes_each:
            app.add_notes(ticket_id, [f"note {i}" for i in range(notes_each)])


def make_relay(app: Tickets, bootstrap_servers: str, topic: str, **overrides: Any) -> Relay:
    """A relay over the throwaway application, built by the same wiring as the real one."""
    settings = KafkaSettings(
        bootstrap_servers=bootstrap_servers,
        events_topic=topic,
        retry_backoff_max_s=1.0,
        **overrides,
    )
    return build_relay(app, settings, to_record=ticket_record, topic_prefix=TICKET_TOPIC_PREFIX)


class FakeCluster:
    """The partition lookups a partitioner makes of kafka-python's cluster metadata."""

    def __init__(self, partitions: int) -> None:
        self.partitions = set(range(partitions))

    def topics(self) -> set[str]:
        return {"t"}

    def partitions_for_topic(self, topic: str) -> set[int]:
        return self.partitions

    def available_partitions_for_topic(self, topic: str) -> set[int]:
        return self.partitions
