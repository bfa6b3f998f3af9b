"""The human timeline: one plain sentence per event, for the team that works the escalation.

Entries that carry team-only words (internal notes, updates addressed to the team) are marked
`internal`, so that documents read outside the team (the post-mortem) can leave them out.
Generated sentences never quote the customer's personal data; they refer to "the customer".

Lifecycle: replayed on read, with the documents that show it. It keeps its own pass over the events
rather than the aggregate's state because it describes each event, one sentence per event, with
what earlier events said (`_Memory`); `HANDLES` names every event of the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from domain.escalation import Escalation
from projections.dispatch import Dispatch
from projections.documents import formatting as say


@dataclass(frozen=True)
class TimelineEntry:
    time: datetime
    version: int
    actor: str
    kind: str
    text: str
    detail: str = ""
    internal: bool = False


def kind_of(event: Any) -> str:
    """`StatusChanged` -> `status_changed`: stable names for machines, readable for people."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(event).__name__).lower()


class _Memory:
    """What later sentences need from earlier events (an exit criterion's wording, ...)."""

    def __init__(self) -> None:
        self.received_at: datetime | None = None
        self.criteria: dict[str, str] = {}
        self.actions: dict[str, str] = {}


def build_timeline(events: Iterable[Any]) -> list[TimelineEntry]:
    memory = _Memory()
    entries = []
    for event in events:
        describe = _ON.get(event)
        if describe is None:
            text, detail, internal = f"{say.words(kind_of(event)).capitalize()}.", "", False
        else:
            text, detail, internal = describe(event, memory)
        entries.append(
            TimelineEntry(
                time=_moment_of(event),
                version=event.originator_version,
                actor=event.actor,
                kind=kind_of(event),
                text=text,
                detail=detail,
                internal=internal,
            )
        )
    # A breach stands at the moment the target was missed, wherever the watcher recorded it.
    return sorted(entries, key=lambda entry: entry.time)


def _moment_of(event: Any) -> datetime:
    if isinstance(event, Escalation.SlaBreached):
        return min(event.due_at, event.timestamp)
    return event.timestamp


Described = tuple[str, str, bool]
E = Escalation
_ON: Dispatch[Callable[[Any, _Memory], Described]] = Dispatch()


def _with(reason: str) -> str:
    return f": {reason}" if reason else ""


@_ON.register(E.Opened)
def _opened(e: Any, memory: _Memory) -> Described:
    memory.received_at = e.received_at
    facts = [f"{e.severity} {e.scope} escalation from {say.a_source(e.source)}"]
    if e.account:
        facts.append(f"account {e.account}")
    if e.external_ref:
        facts.append(f"reference {e.external_ref}")
    if e.components:
        facts.append(f"components {say.join_words(e.components)}")
    text = f"Opened “{e.title}”: {', '.join(facts)}."
    if e.received_at < e.timestamp:
        text += f" Received {say.utc_text(e.received_at)}."
    if e.deadline is not None:
        text += f" Respond by {say.utc_text(e.deadline)}."
    return text, e.description, False


@_ON.register(E.Acknowledged)
def _acknowledged(e: Any, memory: _Memory) -> Described:
    if memory.received_at is None:
        return "Acknowledged.", "", False
    waited = say.duration_text(e.timestamp - memory.received_at)
    return f"Acknowledged, {waited} after it was received.", "", False


@_ON.register(E.SeverityChanged)
def _severity(e: Any, memory: _Memory) -> Described:
    direction = "raised" if e.to_severity < e.from_severity else "lowered"
    return (
        f"Severity {direction} from {e.from_severity} to {e.to_severity}{_with(e.reason)}.",
        "",
        False,
    )


@_ON.register(E.StatusChanged)
def _status(e: Any, memory: _Memory) -> Described:
    moved = (
        f"Status moved from {say.status_label(e.from_status)} to {say.status_label(e.to_status)}"
    )
    return f"{moved}{_with(e.reason)}.", "", False


@_ON.register(E.ImpactAssessed)
def _impact(e: Any, memory: _Memory) -> Described:
    facts = [say.plural(e.customers_affected, "customer") + " affected"]
    if e.accounts:
        facts.append(
            f"{say.plural(len(e.accounts), 'named account')} ({say.join_words(e.accounts)})"
        )
    if e.revenue_at_risk:
        facts.append(f"{say.money_text(e.revenue_at_risk, e.currency)} revenue at risk")
    if e.components:
        parts = [f"{name} ({say.words(level)})" for name, level in e.components.items()]
        facts.append(f"components {say.join_words(parts)}")
    return f"Impact assessed: {'; '.join(facts)}.", e.summary, False


@_ON.register(E.OwnerAssigned)
def _owner(e: Any, memory: _Memory) -> Described:
    taking_over = f", taking over from {e.previous_owner}" if e.previous_owner else ""
    return f"{e.owner} ({say.words(e.team)}) now owns the escalation{taking_over}.", "", False


@_ON.register(E.ParticipantJoined)
def _joined(e: Any, memory: _Memory) -> Described:
    return f"{e.name} joined as {e.role} ({say.words(e.team)}).", "", False


@_ON.register(E.ParticipantLeft)
def _left(e: Any, memory: _Memory) -> Described:
    return f"{e.name} left{_with(e.reason)}.", "", False


@_ON.register(E.ExitCriteriaDefined)
def _criteria(e: Any, memory: _Memory) -> Described:
    for criterion in e.criteria:
        memory.criteria[criterion["id"]] = criterion["description"]
    listed = "; ".join(c["description"] for c in e.criteria)
    return f"Exit criteria defined: {listed}.", "", False


@_ON.register(E.ExitCriterionMet)
def _criterion_met(e: Any, memory: _Memory) -> Described:
    description = memory.criteria.get(e.criterion_id, e.criterion_id)
    return f"Exit criterion met: {description}.", e.evidence, False


@_ON.register(E.DeescalationPlanned)
def _deescalation(e: Any, memory: _Memory) -> Described:
    steps = "\n".join(f"{n}. {step}" for n, step in enumerate(e.steps, 1))
    return f"De-escalation strategy set: {e.strategy}", steps, False


@_ON.register(E.ActionItemAdded)
def _action_added(e: Any, memory: _Memory) -> Described:
    memory.actions[e.action_id] = e.description
    due = f", due {say.utc_text(e.due_at)}" if e.due_at else ""
    what = f"{e.kind}, {e.phase} phase"
    return f"Action item {e.action_id} ({what}) given to {e.owner}{due}: {e.description}", "", False


@_ON.register(E.ActionItemCompleted)
def _action_completed(e: Any, memory: _Memory) -> Described:
    description = memory.actions.get(e.action_id, "")
    return f"Action item {e.action_id} done: {description}", e.note, False


@_ON.register(E.SlaBreached)
def _breached(e: Any, memory: _Memory) -> Described:
    target = say.words(e.target)
    recorded = f"recorded {say.utc_text(e.timestamp)}"
    detail = f"{e.detail}; {recorded}" if e.detail else recorded
    return f"SLA target missed: {target} was due {say.utc_text(e.due_at)}.", detail, False


@_ON.register(E.DeadlineExtended)
def _extended(e: Any, memory: _Memory) -> Described:
    moved = f"from {say.utc_text(e.previous_deadline)} to {say.utc_text(e.new_deadline)}"
    return f"Deadline extended {moved}: {e.reason}", e.notice, False


@_ON.register(E.Dismissed)
def _dismissed(e: Any, memory: _Memory) -> Described:
    duplicate = f" of {e.duplicate_of}" if e.duplicate_of else ""
    return f"Dismissed as {say.words(e.reason)}{duplicate}{_with(e.note)}.", "", False


@_ON.register(E.Communicated)
def _communicated(e: Any, memory: _Memory) -> Described:
    text = f"Update to {say.audience_label(e.audience)} by {say.channel_label(e.channel)}"
    if e.subject:
        text += f": “{e.subject}”"
    if e.recipient_count:
        text += f" ({say.plural(e.recipient_count, 'recipient')})"
    if e.next_update_due is not None:
        text += f"; next update promised by {say.utc_text(e.next_update_due)}"
    return text + ".", e.body, e.audience == "internal"


@_ON.register(E.CommunicationDelivered)
def _delivered(e: Any, memory: _Memory) -> Described:
    text = f"Update {e.communication_id} sent to {e.sent} of {e.recipients}"
    if e.failed:
        if len(e.reasons) == 1:
            reasons = next(iter(e.reasons))
        else:
            reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(e.reasons.items()))
        text += f"; {e.failed} failed: {reasons}" if reasons else f"; {e.failed} failed"
    if e.retrying:
        text += f"; {e.retrying} to be retried"
    return text + ".", "", True


@_ON.register(E.Resolved)
def _resolved(e: Any, memory: _Memory) -> Described:
    text = f"Resolved: {e.summary}"
    if e.overridden_criteria:
        unmet = say.join_words(memory.criteria.get(c, c) for c in e.overridden_criteria)
        text += f" (resolved with exit criteria unmet: {unmet}; because {e.override_reason})"
    return text, "", False


@_ON.register(E.FeedbackReceived)
def _feedback(e: Any, memory: _Memory) -> Described:
    scores = []
    if e.csat is not None:
        scores.append(f"CSAT {e.csat}/5")
    if e.nps is not None:
        scores.append(f"NPS {e.nps}/10")
    return f"Feedback received: {say.join_words(scores)}.", e.comment, False


@_ON.register(E.Closed)
def _closed(e: Any, memory: _Memory) -> Described:
    return f"Closed{_with(e.reason)}.", "", False


def _say(text: str, internal: bool, e: Any, memory: _Memory) -> Described:
    return text.format(e=e), "", internal


# Events told in a fixed sentence: (words with the event's fields, team-only).
_SENTENCES: dict[type, tuple[str, bool]] = {
    E.NoteAdded: ("Note: {e.text}", True),
    E.CaseLinked: ("Customer case {e.case_id} linked to this escalation.", False),
    E.LinkedToEscalation: ("Linked to the wider escalation {e.escalation_id}.", False),
    E.Reopened: ("Reopened: {e.reason}", False),
    E.PostMortemRecorded: ("Post-mortem recorded.", False),
    E.PostMortemPublished: ("Post-mortem revision {e.revision} published.", False),
    E.CustomerDataErased: (
        "The customer's personal data was erased; the rest of the history is kept.",
        False,
    ),
}
for _event, (_text, _internal) in _SENTENCES.items():
    _ON.register(_event)(partial(_say, _text, _internal))


HANDLES = _ON.handles
IGNORES: frozenset[type] = frozenset()
