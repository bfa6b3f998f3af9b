"""Fold one escalation's events into a case file.

Lifecycle: replayed on read (live). Rebuilt on every read from the events of one stream, so a
document as of a past moment is the same fold over fewer events. The case file is the one read
model every per-escalation document (the five updates and the post-mortem report) is built from.

Why its own fold and not the `Escalation` replayed to the wanted version: the documents need
history the aggregate does not keep (every status and severity move with its reason, when the
escalation was first mitigated, every resolution and reopening, the post-mortem's revision and
the deadline extensions), and they must read an erased customer's name as absent, while the
aggregate keeps what its commands need. Reading the events' own fields also means a change in
the aggregate's state cannot change a document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from domain.escalation import Escalation
from domain.validation import ERASED, REDACTED
from projections.dispatch import Dispatch
from projections.documents.casefile import (
    ActionItem,
    CaseFile,
    Communication,
    ExitCriterion,
    Note,
    PostMortem,
    StatusMove,
)
from projections.documents.common import copied

E = Escalation
_ON: Dispatch[Callable[[CaseFile, Any], None]] = Dispatch()


def fold(events: Iterable[Any]) -> CaseFile:
    """Replay one escalation's events, in stream order, into a case file."""
    iterator = iter(events)
    opened = next(iterator, None)
    if not isinstance(opened, E.Opened):
        raise ValueError("a case file starts with the Opened event of its stream")
    customer = opened.customer or {}
    privacy = opened.privacy or {}
    case = copied(
        CaseFile,
        opened,
        escalation_id=str(opened.originator_id),
        version=opened.originator_version,
        status="triage",
        customer_name=_readable(customer.get("name")),
        opened_at=opened.timestamp,
        opened_by=opened.actor,
        privacy_regime=privacy.get("regime"),
        privacy_request_type=privacy.get("request_type"),
        statutory_deadline=opened.deadline,
        last_event_at=opened.timestamp,
        status_since=opened.timestamp,
        episode_started_at=opened.timestamp,
        components={name: "" for name in opened.components},
        assessed_components={name: "" for name in opened.components},
    )
    for event in iterator:
        handler = _ON.get(event)
        if handler is not None:
            handler(case, event)
        case.version = event.originator_version
        case.last_event_at = event.timestamp
    return case


def _readable(value: str | None) -> str | None:
    """An erased or redacted field is no name to greet anyone by."""
    return None if value in (ERASED, REDACTED) else value


@_ON.register(E.CustomerDataErased)
def _customer_erased(case: CaseFile, e: Any) -> None:
    case.customer_name = None
    case.customer_erased_at = e.timestamp


def _entered(case: CaseFile, status: str, at: Any) -> None:
    case.status, case.status_since = status, at


def _settle_components(case: CaseFile) -> None:
    """A resolved or closed escalation leaves no component out of order, whatever the stream
    says about the components (older streams say nothing at resolution)."""
    case.components = {name: "operational" for name in case.components}


@_ON.register(E.Acknowledged)
def _acknowledged(case: CaseFile, e: Any) -> None:
    case.acknowledged_at = e.timestamp


@_ON.register(E.SeverityChanged)
def _severity(case: CaseFile, e: Any) -> None:
    case.severity_moves.append((e.timestamp, e.from_severity, e.to_severity))
    case.severity = e.to_severity


@_ON.register(E.StatusChanged)
def _status(case: CaseFile, e: Any) -> None:
    case.status_moves.append(StatusMove(e.timestamp, e.actor, e.from_status, e.to_status, e.reason))
    _entered(case, e.to_status, e.timestamp)
    if e.to_status == "monitoring" and case.first_mitigated_at is None:
        case.first_mitigated_at = e.timestamp


@_ON.register(E.ImpactAssessed)
def _impact(case: CaseFile, e: Any) -> None:
    case.impact = e
    case.assessed_components = dict(e.components)
    case.components = dict(e.components)
    if not case.is_open and case.status != "dismissed":
        _settle_components(case)


@_ON.register(E.OwnerAssigned)
def _owner(case: CaseFile, e: Any) -> None:
    if case.owner is not None and case.owner in case.participants:
        case.participants[case.owner] = ("participant", case.participants[case.owner][1])
    case.owner, case.owner_team = e.owner, e.team
    case.participants[e.owner] = ("owner", e.team)


@_ON.register(E.ParticipantJoined)
def _joined(case: CaseFile, e: Any) -> None:
    case.participants[e.name] = (e.role, e.team)


@_ON.register(E.ParticipantLeft)
def _left(case: CaseFile, e: Any) -> None:
    case.participants.pop(e.name, None)


@_ON.register(E.NoteAdded)
def _note(case: CaseFile, e: Any) -> None:
    case.notes.append(Note(e.actor, e.timestamp, e.text))


@_ON.register(E.ExitCriteriaDefined)
def _criteria(case: CaseFile, e: Any) -> None:
    for criterion in e.criteria:
        case.exit_criteria[criterion["id"]] = ExitCriterion(
            criterion["id"], criterion["description"]
        )


@_ON.register(E.ExitCriterionMet)
def _criterion_met(case: CaseFile, e: Any) -> None:
    criterion = case.exit_criteria[e.criterion_id]
    criterion.met, criterion.met_at, criterion.met_by = True, e.timestamp, e.actor
    criterion.evidence = e.evidence


@_ON.register(E.DeescalationPlanned)
def _deescalation(case: CaseFile, e: Any) -> None:
    case.strategy, case.strategy_steps = e.strategy, list(e.steps)


@_ON.register(E.ActionItemAdded)
def _action_added(case: CaseFile, e: Any) -> None:
    case.action_items[e.action_id] = copied(ActionItem, e, id=e.action_id)


@_ON.register(E.ActionItemCompleted)
def _action_completed(case: CaseFile, e: Any) -> None:
    item = case.action_items[e.action_id]
    item.done, item.completed_at, item.note = True, e.timestamp, e.note


@_ON.register(E.CaseLinked)
def _case_linked(case: CaseFile, e: Any) -> None:
    case.linked_cases.append(e.case_id)


@_ON.register(E.LinkedToEscalation)
def _linked_to(case: CaseFile, e: Any) -> None:
    case.linked_to = e.escalation_id


@_ON.register(E.SlaBreached)
def _breached(case: CaseFile, e: Any) -> None:
    case.sla_breaches.append((e.target, e.due_at, e.timestamp))


@_ON.register(E.DeadlineExtended)
def _extended(case: CaseFile, e: Any) -> None:
    case.extensions.append((e.timestamp, e.new_deadline))
    case.deadline = e.new_deadline


@_ON.register(E.Dismissed)
def _dismissed(case: CaseFile, e: Any) -> None:
    _entered(case, "dismissed", e.timestamp)
    case.dismissal_reason, case.closed_at = e.reason, e.timestamp


@_ON.register(E.Communicated)
def _communicated(case: CaseFile, e: Any) -> None:
    case.update_due_on_reopen = None  # the first communication after a reopen gives its update
    case.communications.append(
        copied(
            Communication,
            e,
            id=e.communication_id,
            status=e.status_at_time,
            by=e.actor,
            at=e.timestamp,
        )
    )


@_ON.register(E.Resolved)
def _resolved(case: CaseFile, e: Any) -> None:
    _entered(case, "resolved", e.timestamp)
    case.resolved_at = e.timestamp
    _settle_components(case)
    case.resolutions.append(e.timestamp)
    case.resolution_summary = e.summary
    case.overridden_criteria = list(e.overridden_criteria)
    case.resolved_with = e.resolved_with


@_ON.register(E.Reopened)
def _reopened(case: CaseFile, e: Any) -> None:
    _entered(case, "investigating", e.timestamp)
    case.episode_started_at = e.timestamp
    case.resolved_at, case.resolution_summary = None, ""
    case.resolved_with = None
    case.components = dict(case.assessed_components)
    case.update_due_on_reopen = e.next_update_due
    case.reopen_count += 1
    case.reopens.append(e.timestamp)


@_ON.register(E.FeedbackReceived)
def _feedback(case: CaseFile, e: Any) -> None:
    if e.csat is not None:
        case.csat.append(e.csat)
    if e.nps is not None:
        case.nps.append(e.nps)


@_ON.register(E.Closed)
def _closed(case: CaseFile, e: Any) -> None:
    _entered(case, "closed", e.timestamp)
    case.closed_at = e.timestamp
    _settle_components(case)


@_ON.register(E.PostMortemRecorded)
def _postmortem(case: CaseFile, e: Any) -> None:
    revision = 1 if case.postmortem is None else case.postmortem.revision + 1
    case.postmortem = PostMortem(e, revision)
    case.postmortem_revisions.append(case.postmortem)


@_ON.register(E.PostMortemPublished)
def _published(case: CaseFile, e: Any) -> None:
    """The event names the revision it published; a revision recorded later stays a draft."""
    published = next((p for p in case.postmortem_revisions if p.revision == e.revision), None)
    if published is not None:
        published.published_at = e.timestamp
        case.published_postmortem = published


HANDLES = frozenset({E.Opened}) | _ON.handles
IGNORES: frozenset[type] = frozenset({E.CommunicationDelivered})
"""A delivery round says who received an update, not what the update said."""
