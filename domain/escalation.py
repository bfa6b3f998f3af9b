"""The Escalation aggregate: one stream of immutable events per escalation.

Command methods hold every guard and raise a `DomainError` before anything is recorded; the
events' `apply` methods only mutate state, because they also run on every replay. State holds
plain JSON-friendly values (str, int, dict, list, datetime) so that snapshots round-trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.decisions import ClosureDecisions, ObligationDecisions, ResponseDecisions
from domain.errors import IllegalTransition, InvalidCommand
from domain.policies import REOPENED_STATUS, TRANSITIONS, allowed, legal_clock
from domain.snapshot import CompactSnapshot
from domain.validation import (
    clean_customer,
    enum_value,
    erased_customer,
    optional_text,
    required_text,
    text_list,
    utc,
)
from domain.values import (
    PrivacyRegime,
    PrivacyRequestType,
    Role,
    Scope,
    Severity,
    Source,
    Status,
)


class Escalation(ResponseDecisions, ObligationDecisions, ClosureDecisions, Aggregate):
    """Anything a CX organisation must drive to resolution under scrutiny.

    This module holds the aggregate's state and its event catalogue (each event's `apply` is how
    it folds into state); the command methods that decide which event to record live by family in
    `domain/decisions/`."""

    Snapshot = CompactSnapshot

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

    @classmethod
    def open(
        cls,
        *,
        actor: str,
        at: datetime,
        title: str,
        scope: Scope | str,
        source: Source | str,
        severity: Severity | str,
        description: str = "",
        customer: Mapping[str, Any] | None = None,
        account: str | None = None,
        components: Iterable[str] = (),
        tags: Iterable[str] = (),
        received_at: datetime | None = None,
        external_ref: str | None = None,
        privacy_regime: PrivacyRegime | str | None = None,
        privacy_request_type: PrivacyRequestType | str | None = None,
        deadline: datetime | None = None,
        id: UUID | None = None,
    ) -> Escalation:
        at = utc(at, "at")
        source_value = enum_value(Source, source, "source")
        received = utc(received_at, "received_at") if received_at is not None else at
        if received > at:
            raise InvalidCommand("received_at cannot be later than the time the case is opened")
        privacy = None
        if source_value == Source.PRIVACY_REQUEST:
            if privacy_regime is None:
                raise InvalidCommand(
                    "a privacy_request needs privacy_regime ('gdpr' or 'ccpa'): it starts the legal clock"
                )
            regime = PrivacyRegime(enum_value(PrivacyRegime, privacy_regime, "privacy_regime"))
            clock = legal_clock(regime, received)
            privacy = {
                "regime": regime.value,
                "request_type": enum_value(
                    PrivacyRequestType, privacy_request_type or "erasure", "privacy_request_type"
                ),
                "acknowledge_by": clock.acknowledge_by,
                "latest_extended_deadline": clock.latest_extended_deadline,
                "max_extensions": clock.max_extensions,
            }
            if deadline is None or utc(deadline, "deadline") > clock.respond_by:
                deadline = clock.respond_by
        elif privacy_regime is not None:
            raise InvalidCommand("privacy_regime only applies to source 'privacy_request'")
        elif privacy_request_type is not None:
            raise InvalidCommand("privacy_request_type only applies to source 'privacy_request'")
        if deadline is not None:
            deadline = utc(deadline, "deadline")
            if deadline <= received:
                raise InvalidCommand("deadline must be after the time the case was received")
        kwargs: dict[str, Any] = {}
        if id is not None:
            kwargs["id"] = id
        return cls._create(
            cls.Opened,
            timestamp=at,
            actor=required_text(actor, "actor", 200),
            title=required_text(title, "title", 200),
            description=optional_text(description, "description", 20_000) or "",
            scope=enum_value(Scope, scope, "scope"),
            source=source_value,
            severity=enum_value(Severity, severity, "severity"),
            customer=clean_customer(customer),
            account=optional_text(account, "account", 200),
            components=text_list(components, "components"),
            tags=text_list(tags, "tags"),
            received_at=received,
            external_ref=optional_text(external_ref, "external_ref", 200),
            privacy=privacy,
            deadline=deadline,
            **kwargs,
        )

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

    # ---------------------------------------------------------------- guards

    @property
    def current_status(self) -> Status:
        return Status(self.status)

    def _check(self, actor: str, at: datetime) -> tuple[str, datetime]:
        """Common to every command: someone acts, at a time not before the stream's last event."""
        actor = required_text(actor, "actor", 200)
        at = utc(at, "at")
        if at < self.modified_on:
            raise InvalidCommand(
                f"at={at.isoformat()} is earlier than the escalation's last event "
                f"({self.modified_on.isoformat()}); events are recorded in time order"
            )
        return actor, at

    def _require_not_terminal(self, command: str) -> None:
        if self.current_status.is_terminal:
            raise IllegalTransition(
                f"cannot {command}: the escalation is {self.status}, which is final. "
                "Open a new escalation and link it instead.",
                current=self.status,
                attempted=command,
            )

    def _require_open(self, command: str) -> None:
        self._require_not_terminal(command)
        if not self.current_status.is_open:
            raise IllegalTransition(
                f"cannot {command}: the escalation is {self.status}; reopen it first",
                current=self.status,
                attempted=command,
            )

    def _require_transition(self, target: Status, command: str) -> None:
        if not allowed(self.current_status, target, command):
            reachable = ", ".join(
                f"{s.value} (by {c})" for s, c in TRANSITIONS[self.current_status].items()
            )
            verb = "change status" if command == "status" else command
            raise IllegalTransition(
                f"cannot {verb} from {self.status} to {target.value}; from "
                f"{self.status} the escalation can go to: {reachable or 'nothing, it is final'}",
                current=self.status,
                attempted=target.value,
            )

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
                "customers_affected": self.customers_affected,
                "accounts": list(self.accounts),
                "segments": list(self.segments),
                "regions": list(self.regions),
                "revenue_at_risk": self.revenue_at_risk,
                "currency": self.currency,
                "summary": self.summary,
                "assessed_at": self.timestamp,
            }
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
            aggregate.participants[self.name] = {
                "name": self.name,
                "role": self.role,
                "team": self.team,
            }

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
                "description": self.description,
                "owner": self.owner,
                "due_at": self.due_at,
                "kind": self.kind,
                "phase": self.phase,
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
                "target": self.target,
                "due_at": self.due_at,
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
                "reason": self.reason,
                "note": self.note,
                "duplicate_of": self.duplicate_of,
                "at": self.timestamp,
            }
            aggregate.closed_at = self.timestamp

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

        def apply(self, aggregate: Escalation) -> None:
            aggregate.communications.append(
                {
                    "id": self.communication_id,
                    "audience": self.audience,
                    "channel": self.channel,
                    "subject": self.subject,
                    "body": self.body,
                    "recipient_count": self.recipient_count,
                    "status": self.status_at_time,
                    "next_update_due": self.next_update_due,
                    "by": self.actor,
                    "at": self.timestamp,
                }
            )

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

    @property
    def customer_data_erased(self) -> bool:
        """Whether the stream records the erasure. Not inferred from the fields: once the key is
        gone they read as erased in the store already, before the erasure is recorded here."""
        return self.customer_erased_at is not None

    # ----------------------------------------------------------- resolved

    class Resolved(Event):
        summary: str
        overridden_criteria: list[str]
        override_reason: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.status = Status.RESOLVED.value
            aggregate.resolved_at = self.timestamp
            aggregate.resolution = {
                "summary": self.summary,
                "overridden_criteria": list(self.overridden_criteria),
                "override_reason": self.override_reason,
                "at": self.timestamp,
                "by": self.actor,
            }

    @property
    def unmet_exit_criteria(self) -> list[str]:
        return [cid for cid, c in self.exit_criteria.items() if not c["met"]]

    class Reopened(Event):
        reason: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.status = REOPENED_STATUS.value
            aggregate.resolved_at = None
            aggregate.resolution = None
            aggregate.reopen_count += 1

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
                "summary": self.summary,
                "impact": self.impact,
                "root_cause": self.root_cause,
                "root_cause_category": self.root_cause_category,
                "trigger": self.trigger,
                "contributing_factors": list(self.contributing_factors),
                "detection": self.detection,
                "response": self.response,
                "recovery": self.recovery,
                "five_whys": list(self.five_whys),
                "went_well": list(self.went_well),
                "went_wrong": list(self.went_wrong),
                "where_we_got_lucky": list(self.where_we_got_lucky),
                "revision": revision,
                "recorded_at": self.timestamp,
                "recorded_by": self.actor,
            }

    class PostMortemPublished(Event):
        revision: int

        def apply(self, aggregate: Escalation) -> None:
            aggregate.postmortem_published_at = self.timestamp

    # ------------------------------------------------------------- derived

    def next_update_due(self) -> datetime | None:
        """The earliest update still owed. Each audience is owed what the latest communication to
        it promised: a newer update supersedes an older promise, even one made for later, and a
        promise to executives is not kept by a public post."""
        latest: dict[str, datetime | None] = {}
        for communication in self.communications:
            latest[communication["audience"]] = communication["next_update_due"]
        owed = [due for due in latest.values() if due is not None]
        return min(owed) if owed else None

    def __deepcopy__(self, memo: dict[int, Any]) -> Escalation:
        """The repository copies cached escalations before every command. State is plain data
        (dicts and lists of immutable values), so a structural copy gives the same result as
        `copy.deepcopy` several times faster, which matters on long streams."""
        clone = object.__new__(type(self))
        clone.__dict__.update({key: _copy_plain(value) for key, value in self.__dict__.items()})
        return clone


def _copy_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_plain(item) for item in value]
    return value  # str, int, float, bool, None, datetime, UUID, frozen events: immutable


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
