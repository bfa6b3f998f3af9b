"""`SignalCommands` on the escalation application: what a signal from Kafka does to the store.

Every command carries the signal's idempotency key through the application's own durable
idempotency (stored in the same transaction as the events), so a redelivered signal is answered
from what it did the first time. The domain's refusals become `SignalRejected` (dead letter);
races the application gave up on become `SignalDeferred` (retry later).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any
from uuid import UUID

from adapters.kafka.ports import (
    LinkCase,
    OpenEscalation,
    RecordFeedback,
    SignalDeferred,
    SignalRejected,
)
from domain.errors import DomainError
from infra.application import (
    EscalationNotFound,
    Escalations,
    Idempotency,
    IdempotencyKeyReused,
    WriteConflict,
)


@contextmanager
def _translated_refusals() -> Iterator[None]:
    try:
        yield
    except (DomainError, EscalationNotFound, IdempotencyKeyReused) as error:
        raise SignalRejected(str(error)) from error
    except WriteConflict as error:
        raise SignalDeferred(str(error)) from error


def _escalation_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise SignalRejected(f"{value!r} is not an escalation id") from None


def _idempotency(key: str, scope: str, command: Any, actor: str) -> Idempotency:
    # A signal's key is its source and id, so its caller is the source's actor; the channel keeps
    # an HTTP key named like a source from ever meeting a signal's record.
    return Idempotency.for_request(key, scope, asdict(command), caller=f"kafka:{actor}")


class EscalationSignalCommands:
    def __init__(self, app: Escalations) -> None:
        self.app = app

    def open_escalation(self, command: OpenEscalation, *, actor: str, idempotency_key: str) -> str:
        idempotency = _idempotency(idempotency_key, "kafka:open", command, actor)
        with _translated_refusals():
            result = self.app.open(
                actor=actor,
                idempotency=idempotency,
                title=command.title,
                scope=command.scope,
                source=command.source,
                severity=command.severity,
                description=command.description or "",
                customer=command.customer,
                account=command.account,
                components=list(command.components),
                tags=list(command.tags),
                received_at=command.received_at,
                external_ref=command.external_ref,
                privacy_regime=command.regulation.lower() if command.regulation else None,
                privacy_request_type=command.request_kind,
            )
        return str(result.escalation_id)

    def link_case(self, command: LinkCase, *, actor: str, idempotency_key: str) -> None:
        global_id = _escalation_id(command.global_escalation_id)
        case_id = _escalation_id(command.case_escalation_id)
        idempotency = _idempotency(idempotency_key, "kafka:link", command, actor)
        with _translated_refusals():
            self.app.run(
                "link_case", global_id, actor=actor, idempotency=idempotency, case_id=case_id
            )

    def record_feedback(self, command: RecordFeedback, *, actor: str, idempotency_key: str) -> None:
        escalation_id = _escalation_id(command.escalation_id)
        idempotency = _idempotency(idempotency_key, "kafka:feedback", command, actor)
        scores: dict[str, Any] = {"csat" if command.survey == "CSAT" else "nps": command.score}
        with _translated_refusals():
            self.app.run(
                "receive_feedback",
                escalation_id,
                actor=actor,
                idempotency=idempotency,
                comment=command.comment or "",
                **scores,
            )
