"""The Escalation aggregate: one stream of immutable events per escalation.

Command methods hold every guard and raise a `DomainError` before anything is recorded; the
events' `apply` methods only mutate state, because they also run on every replay. State holds
plain JSON-friendly values (str, int, dict, list, datetime) so that snapshots round-trip.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.decisions import (
    ClosureDecisions,
    Guards,
    ObligationDecisions,
    OpeningDecisions,
    ResponseDecisions,
)
from domain.policies import REOPENED_STATUS
from domain.snapshot import CompactSnapshot
from domain.state import StateReadings
from domain.validation import erased_customer
from domain.values import SETTLED_COMPONENT, Role, Status


class Escalation(
    OpeningDecisions,
    ResponseDecisions,
    ObligationDecisions,
    ClosureDecisions,
    Guards,
    StateReadings,
    Aggregate,
):
    """Anything a CX organisation must drive to resolution under scrutiny.

    This module holds the aggregate's state and its event catalogue (each event's `apply` is how
    it folds into state). The command methods that decide which event to record live by family in
    `domain/decisions/`, with the guards they share; what the state says beyond its fields
    (`next_update_due`, the unmet criteria...) is in `domain/state.py`."""

    Snapshot = CompactSnapshot

    # What ending settles (see `_settle`). Declared here too, with their empty values, because a
    # snapshot taken before these existed restores a state without them.
    promises_released: int = 0
    update_due_on_reopen: datetime | None = None
    components_before_settlement: dict[str, str] | None = None

    class Event(Aggregate.Event):
        actor: str

    # ---------------------------------------------------------------- opened

    class Opened(Event, Aggregate.Created):
        title: str
        description: str
        scope: str
        source: str
        severity: str
        customer: dict[str, Any] | None
        account: str | None
        components: list[str]
        tags: list[str]
        received_at: datetime
        external_ref: str | None
        privacy: dict[str, Any] | None
        deadline: datetime | None

        def apply(self, aggregate: Escalation) -> None:
            aggregate._on_opened(self)

    def _on_opened(self, e: Opened) -> None:
        self.title = e.title
        self.description = e.description
        self.scope = e.scope
        self.source = e.source
        self.severity = e.severity
        self.status = Status.TRIAGE.value
        self.customer = e.customer
        self.account = e.account
        self.components: dict[str, str] = {c: "" for c in e.components}
        self.tags = list(e.tags)
        self.received_at = e.received_at
        self.external_ref = e.external_ref
        self.privacy = e.privacy
        self.deadline = e.deadline
        self.extensions: list[dict[str, Any]] = []
        self.opened_by = e.actor
        self.acknowledged_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.resolution: dict[str, Any] | None = None
        self.dismissal: dict[str, Any] | None = None
        self.impact: dict[str, Any] | None = None
        self.owner: dict[str, str] | None = None
        self.participants: dict[str, dict[str, str]] = {}
        self.notes: list[dict[str, Any]] = []
        self.exit_criteria: dict[str, dict[str, Any]] = {}
        self.deescalation: dict[str, Any] | None = None
        self.action_items: dict[str, dict[str, Any]] = {}
        self.linked_cases: list[str] = []
        self.linked_to: str | None = None
        self.communications: list[dict[str, Any]] = []
        self.sla_breaches: dict[str, dict[str, Any]] = {}
        self.postmortem: dict[str, Any] | None = None
        self.postmortem_published_at: datetime | None = None
        self.feedback: list[dict[str, Any]] = []
        self.reopen_count = 0
        self.customer_erased_at: datetime | None = None
        self.promises_released = 0
        self.update_due_on_reopen = None
        self.components_before_settlement = None

    def _settle(self) -> None:
        """What ending (resolving, closing, dismissing) settles: every update promised so far is
        released, and every component this escalation names reads operational again. The levels
        assessed before are kept for a reopen."""
        self.promises_released = len(self.communications)
        self.update_due_on_reopen = None
        if self.components_before_settlement is None:  # closing after resolving keeps them
            self.components_before_settlement = dict(self.components)
        self.components = {name: SETTLED_COMPONENT for name in self.components}

    # ------------------------------------------------------ updated family

    class Acknowledged(Event):
        def apply(self, aggregate: Escalation) -> None:
            aggregate.acknowledged_at = self.timestamp

    class SeverityChanged(Event):
        from_severity: str
        to_severity: str
        reason: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.severity = self.to_severity

    class StatusChanged(Event):
        from_status: str
        to_status: str
        reason: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.status = self.to_status

    class ImpactAssessed(Event):
        customers_affected: int
        accounts: list[str]
        segments: list[str]
        regions: list[str]
        revenue_at_risk: float
        currency: str
        components: dict[str, str]
        summary: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.impact = {
                **_plain(self, "customers_affected", "accounts", "segments", "regions"),
                **_plain(self, "revenue_at_risk", "currency", "summary"),
                "assessed_at": self.timestamp,
            }
            if aggregate.current_status is Status.RESOLVED:
                # Assessed after resolution: the levels are the incident's, kept for a reopen;
                # the components stay settled.
                aggregate.components_before_settlement = dict(self.components)
                aggregate.components = {name: SETTLED_COMPONENT for name in self.components}
            else:
                aggregate.components = dict(self.components)

    class OwnerAssigned(Event):
        owner: str
        team: str
        previous_owner: str | None

        def apply(self, aggregate: Escalation) -> None:
            aggregate.owner = {"name": self.owner, "team": self.team}
            aggregate.participants[self.owner] = {
                "name": self.owner,
                "role": Role.OWNER.value,
                "team": self.team,
            }
            if self.previous_owner and self.previous_owner in aggregate.participants:
                aggregate.participants[self.previous_owner]["role"] = Role.PARTICIPANT.value

    class ParticipantJoined(Event):
        name: str
        role: str
        team: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.participants[self.name] = _plain(self, "name", "role", "team")

    class ParticipantLeft(Event):
        name: str
        reason: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.participants.pop(self.name, None)

    class NoteAdded(Event):
        note_id: str
        text: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.notes.append(
                {"id": self.note_id, "text": self.text, "by": self.actor, "at": self.timestamp}
            )

    class ExitCriteriaDefined(Event):
        criteria: list[dict[str, str]]

        def apply(self, aggregate: Escalation) -> None:
            for criterion in self.criteria:
                aggregate.exit_criteria[criterion["id"]] = {
                    "id": criterion["id"],
                    "description": criterion["description"],
                    "met": False,
                    "met_at": None,
                    "met_by": None,
                    "evidence": "",
                }

    class ExitCriterionMet(Event):
        criterion_id: str
        evidence: str

        def apply(self, aggregate: Escalation) -> None:
            criterion = aggregate.exit_criteria[self.criterion_id]
            criterion.update(
                met=True, met_at=self.timestamp, met_by=self.actor, evidence=self.evidence
            )

    class DeescalationPlanned(Event):
        strategy: str
        steps: list[str]

        def apply(self, aggregate: Escalation) -> None:
            aggregate.deescalation = {
                "strategy": self.strategy,
                "steps": list(self.steps),
                "planned_at": self.timestamp,
                "planned_by": self.actor,
            }

    class ActionItemAdded(Event):
        action_id: str
        description: str
        owner: str
        due_at: datetime | None
        kind: str
        phase: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.action_items[self.action_id] = {
                "id": self.action_id,
                **_plain(self, "description", "owner", "due_at", "kind", "phase"),
                "done": False,
                "completed_at": None,
                "note": "",
            }

    class ActionItemCompleted(Event):
        action_id: str
        note: str

        def apply(self, aggregate: Escalation) -> None:
            item = aggregate.action_items[self.action_id]
            item.update(done=True, completed_at=self.timestamp, note=self.note)

    class CaseLinked(Event):
        case_id: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.linked_cases.append(self.case_id)

    class LinkedToEscalation(Event):
        escalation_id: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.linked_to = self.escalation_id

    class SlaBreached(Event):
        target: str
        due_at: datetime
        detail: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.sla_breaches[self.target] = {
                **_plain(self, "target", "due_at"),
                "breached_at": self.timestamp,
                "detail": self.detail,
            }

    class DeadlineExtended(Event):
        previous_deadline: datetime
        new_deadline: datetime
        reason: str
        notice: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.deadline = self.new_deadline
            aggregate.extensions.append(
                {
                    "from": self.previous_deadline,
                    "to": self.new_deadline,
                    "reason": self.reason,
                    "notice": self.notice,
                    "at": self.timestamp,
                }
            )

    class Dismissed(Event):
        reason: str
        note: str
        duplicate_of: str | None

        def apply(self, aggregate: Escalation) -> None:
            aggregate.status = Status.DISMISSED.value
            aggregate.dismissal = {
                **_plain(self, "reason", "note", "duplicate_of"),
                "at": self.timestamp,
            }
            aggregate.closed_at = self.timestamp
            aggregate._settle()

    # ------------------------------------------------------- communicated

    class Communicated(Event):
        communication_id: str
        audience: str
        channel: str
        subject: str
        body: str
        recipient_count: int
        status_at_time: str
        next_update_due: datetime | None
        deliver: bool = False
        """Deliver it to the audience's distribution lists; events stored before delivery
        existed read as False (recorded only: someone told the audience themselves)."""

        def apply(self, aggregate: Escalation) -> None:
            communication = {
                "id": self.communication_id,
                **_plain(self, "audience", "channel", "subject", "body", "recipient_count"),
                "status": self.status_at_time,
                "next_update_due": self.next_update_due,
                "by": self.actor,
                "at": self.timestamp,
            }
            if self.deliver:
                communication["deliver"] = True
            aggregate.communications.append(communication)
            # The update a reopen made due is given by the first communication after it.
            aggregate.update_due_on_reopen = None

    class CommunicationDelivered(Event):
        """One delivery round of a communication, summarised: how many of its recipients have
        it, how many failed and why (reasons counted, never addresses)."""

        communication_id: str
        round: int
        recipients: int
        sent: int
        failed: int
        retrying: int
        reasons: dict[str, int]

        def apply(self, aggregate: Escalation) -> None:
            for communication in aggregate.communications:
                if communication["id"] == self.communication_id:
                    communication["delivery"] = {
                        **_plain(self, "round", "recipients", "sent", "failed", "retrying"),
                        "reasons": dict(self.reasons),
                    }

    # ------------------------------------------------------------- privacy

    class CustomerDataErased(Event):
        """The data subject's personal data was erased (GDPR Art. 17, CCPA deletion). The event
        names the subject only; the data itself is made unreadable in the store by deleting the
        subject's key, which is infra's part."""

        subject_id: str

        def apply(self, aggregate: Escalation) -> None:
            if aggregate.customer is not None:
                aggregate.customer = erased_customer(aggregate.customer)
            aggregate.customer_erased_at = self.timestamp

    # ----------------------------------------------------------- resolved

    class Resolved(Event):
        summary: str
        overridden_criteria: list[str]
        override_reason: str
        resolved_with: str | None = None
        """The global escalation whose resolution this linked case followed, if it did."""

        def apply(self, aggregate: Escalation) -> None:
            aggregate.status = Status.RESOLVED.value
            aggregate.resolved_at = self.timestamp
            aggregate.resolution = {
                **_plain(self, "summary", "overridden_criteria", "override_reason"),
                "resolved_with": self.resolved_with,
                "at": self.timestamp,
                "by": self.actor,
            }
            aggregate._settle()

    class Reopened(Event):
        reason: str
        next_update_due: datetime | None = None
        """When the update the reopen owes is due. A reopen recorded before this field existed
        owes none of its own, as then: a snapshot taken since holds no trace of the reopen's
        moment, and the state must not depend on whether it was read from one."""

        def apply(self, aggregate: Escalation) -> None:
            aggregate.status = REOPENED_STATUS.value
            aggregate.resolved_at = None
            aggregate.resolution = None
            aggregate.reopen_count += 1
            aggregate.update_due_on_reopen = self.next_update_due
            if aggregate.components_before_settlement is not None:
                # The incident is back as it was last assessed, until someone assesses it anew.
                aggregate.components = dict(aggregate.components_before_settlement)
                aggregate.components_before_settlement = None

    class FeedbackReceived(Event):
        csat: int | None
        nps: int | None
        comment: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.feedback.append(
                {"csat": self.csat, "nps": self.nps, "comment": self.comment, "at": self.timestamp}
            )

    class Closed(Event):
        reason: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.status = Status.CLOSED.value
            aggregate.closed_at = self.timestamp
            aggregate._settle()

    # -------------------------------------------------------- post-mortem

    class PostMortemRecorded(Event):
        summary: str
        impact: str
        root_cause: str
        root_cause_category: str
        trigger: str
        contributing_factors: list[str]
        detection: str
        response: str
        recovery: str
        five_whys: list[str]
        went_well: list[str]
        went_wrong: list[str]
        where_we_got_lucky: list[str]

        def apply(self, aggregate: Escalation) -> None:
            revision = 1 if aggregate.postmortem is None else aggregate.postmortem["revision"] + 1
            aggregate.postmortem = {
                **_plain(self, "summary", "impact", "root_cause", "root_cause_category"),
                **_plain(self, "trigger", "contributing_factors", "detection", "response"),
                **_plain(self, "recovery", "five_whys", "went_well", "went_wrong"),
                **_plain(self, "where_we_got_lucky"),
                "revision": revision,
                "recorded_at": self.timestamp,
                "recorded_by": self.actor,
            }

    class PostMortemPublished(Event):
        revision: int

        def apply(self, aggregate: Escalation) -> None:
            aggregate.postmortem_published_at = self.timestamp


def _plain(event: Escalation.Event, *fields: str) -> dict[str, Any]:
    """The named fields of `event` by name, as state holds them: lists are copied so that state
    never shares a list with an event, which is immutable and replayed."""
    values = ((field, getattr(event, field)) for field in fields)
    return {field: list(value) if isinstance(value, list) else value for field, value in values}


EVENTS: tuple[type[Escalation.Event], ...] = tuple(
    value
    for name, value in vars(Escalation).items()
    if isinstance(value, type)
    and issubclass(value, Escalation.Event)
    and name not in ("Event", "Created")
)
"""The event catalogue: every class of event an escalation stream can hold."""

EVENT_NAMES: tuple[str, ...] = tuple(event.__name__ for event in EVENTS)
"""The names of every event an escalation stream can hold."""
