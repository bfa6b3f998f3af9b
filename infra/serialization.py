"""Plain JSON-ready shapes of events and escalations, shared by the API, CLI, export and relays."""

from __future__ import annotations

from typing import Any

from domain.escalation import Escalation
from domain.moments import utc_text
from domain.validation import redacted_customer
from infra.privacy.redaction import redacted_event
from projections.plain import to_plain

_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


jsonable = to_plain
"""JSON-ready data: moments as RFC 3339 UTC, ids and decimals as text."""


iso = utc_text
"""RFC 3339 in UTC with a Z, microseconds kept when present."""


def event_type(domain_event: Any) -> str:
    return type(domain_event).__qualname__.rsplit(".", 1)[-1]


def event_to_record(
    domain_event: Any, position: int | None = None, *, personal: bool = True
) -> dict[str, Any]:
    """One event as the API, the export and the relays show it; with `personal=False` its
    customer's contact details read as redacted."""
    if not personal:
        domain_event = redacted_event(domain_event)
    data = {k: jsonable(v) for k, v in vars(domain_event).items() if k not in _ENVELOPE}
    record: dict[str, Any] = {
        "type": event_type(domain_event),
        "escalation_id": str(domain_event.originator_id),
        "version": domain_event.originator_version,
        "timestamp": iso(domain_event.timestamp),
        "actor": getattr(domain_event, "actor", None),
        "data": data,
    }
    if position is not None:
        record["position"] = position
    return record


def escalation_to_dict(escalation: Escalation, *, personal: bool = True) -> dict[str, Any]:
    """The current state of one escalation, JSON-ready; with `personal=False` its customer's
    contact details read as redacted."""
    customer = escalation.customer
    if customer is not None and not personal:
        customer = redacted_customer(customer)
    state: dict[str, Any] = jsonable(
        {
            "id": escalation.id,
            "version": escalation.version,
            "title": escalation.title,
            "description": escalation.description,
            "scope": escalation.scope,
            "source": escalation.source,
            "severity": escalation.severity,
            "status": escalation.status,
            "customer": customer,
            "customer_erased_at": escalation.customer_erased_at,
            "account": escalation.account,
            "components": escalation.components,
            "tags": escalation.tags,
            "external_ref": escalation.external_ref,
            "opened_at": escalation.created_on,
            "opened_by": escalation.opened_by,
            "received_at": escalation.received_at,
            "updated_at": escalation.modified_on,
            "acknowledged_at": escalation.acknowledged_at,
            "resolved_at": escalation.resolved_at,
            "closed_at": escalation.closed_at,
            "deadline": escalation.deadline,
            "privacy": escalation.privacy,
            "deadline_extensions": escalation.extensions,
            "impact": escalation.impact,
            "owner": escalation.owner,
            "participants": list(escalation.participants.values()),
            "exit_criteria": list(escalation.exit_criteria.values()),
            "deescalation": escalation.deescalation,
            "action_items": list(escalation.action_items.values()),
            "linked_cases": escalation.linked_cases,
            "linked_to": escalation.linked_to,
            "communications": escalation.communications,
            "next_update_due": escalation.next_update_due(),
            "notes": escalation.notes,
            "sla_breaches": [breach_to_dict(b) for b in escalation.sla_breaches.values()],
            "resolution": escalation.resolution,
            "dismissal": escalation.dismissal,
            "postmortem": escalation.postmortem,
            "postmortem_published_at": escalation.postmortem_published_at,
            "feedback": escalation.feedback,
            "reopen_count": escalation.reopen_count,
        }
    )
    return state


def breach_to_dict(breach: dict[str, Any]) -> dict[str, Any]:
    """A breach is a fact of its due time: `breached_at` is when the target was missed, and
    `recorded_at` when the watcher recorded it (the state keeps that as its `breached_at`)."""
    return {**breach, "breached_at": breach["due_at"], "recorded_at": breach["breached_at"]}
