"""The Escalation aggregate: one stream of immutable events per escalation.

Command methods hold every guard and raise a `DomainError` before anything is recorded; the
events' `apply` methods only mutate state, because they also run on every replay. State holds
plain JSON-friendly values (str, int, dict, list, datetime) so that snapshots round-trip.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import IllegalTransition, InvalidCommand, RuleViolated, UnknownItem
from domain.policies import TRANSITIONS, allowed, legal_clock
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
    ActionKind,
    ActionPhase,
    Audience,
    Channel,
    DismissalReason,
    PrivacyRegime,
    PrivacyRequestType,
    Role,
    Scope,
    Severity,
    Source,
    Status,
    Team,
)

COMPONENT_IMPACTS = ("degraded_performance", "partial_outage", "major_outage")


def _whole_number_between(value: object, low: int, high: int) -> bool:
    # bool is an int subclass; True is not a score.
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


class Escalation(Aggregate):
    """Anything a CX organisation must drive to resolution under scrutiny."""

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

    def acknowledge(self, *, actor: str, at: datetime) -> None:
        actor, at = self._check(actor, at)
        self._require_open("acknowledge")
        if self.acknowledged_at is not None:
            raise RuleViolated(
                f"already acknowledged at {self.acknowledged_at.isoformat()}; acknowledge once"
            )
        self.trigger_event(self.Acknowledged, timestamp=at, actor=actor)

    class SeverityChanged(Event):
        from_severity: str
        to_severity: str
        reason: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.severity = self.to_severity

    def change_severity(
        self, *, actor: str, at: datetime, severity: Severity | str, reason: str
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_open("change severity")
        target = enum_value(Severity, severity, "severity")
        if target == self.severity:
            raise RuleViolated(f"severity is already {target}")
        self.trigger_event(
            self.SeverityChanged,
            timestamp=at,
            actor=actor,
            from_severity=self.severity,
            to_severity=target,
            reason=required_text(reason, "reason", 2000),
        )

    class StatusChanged(Event):
        from_status: str
        to_status: str
        reason: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.status = self.to_status

    def change_status(
        self, *, actor: str, at: datetime, status: Status | str, reason: str = ""
    ) -> None:
        actor, at = self._check(actor, at)
        target = Status(enum_value(Status, status, "status"))
        if target in (Status.RESOLVED, Status.CLOSED, Status.DISMISSED, Status.TRIAGE):
            hint = {
                Status.RESOLVED: "use the resolve command",
                Status.CLOSED: "use the close command",
                Status.DISMISSED: "use the dismiss command",
                Status.TRIAGE: "an escalation never returns to triage",
            }[target]
            raise IllegalTransition(
                f"cannot change status to {target.value} directly: {hint}",
                current=self.status,
                attempted=target.value,
            )
        if target.value == self.status:
            raise IllegalTransition(
                f"the escalation is already {target.value}",
                current=self.status,
                attempted=target.value,
            )
        self._require_transition(target, "status")
        self.trigger_event(
            self.StatusChanged,
            timestamp=at,
            actor=actor,
            from_status=self.status,
            to_status=target.value,
            reason=optional_text(reason, "reason", 2000) or "",
        )

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

    def assess_impact(
        self,
        *,
        actor: str,
        at: datetime,
        customers_affected: int,
        accounts: Iterable[str] = (),
        segments: Iterable[str] = (),
        regions: Iterable[str] = (),
        revenue_at_risk: float = 0.0,
        currency: str = "USD",
        components: Mapping[str, str] | None = None,
        summary: str = "",
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_not_terminal("assess impact")
        if isinstance(customers_affected, bool) or not isinstance(customers_affected, int):
            raise InvalidCommand("customers_affected must be a whole number")
        if customers_affected < 0:
            raise InvalidCommand("customers_affected cannot be negative")
        if (
            isinstance(revenue_at_risk, bool)
            or not isinstance(revenue_at_risk, int | float)
            or not math.isfinite(revenue_at_risk)
            or revenue_at_risk < 0
        ):
            # NaN passes a `< 0` check and then poisons every sum a report makes.
            raise InvalidCommand("revenue_at_risk must be a finite amount, zero or more")
        component_levels = dict(self.components) if components is None else {}
        for name, level in (components or {}).items():
            if level not in COMPONENT_IMPACTS:
                raise InvalidCommand(
                    f"component {name!r} has impact {level!r}; use one of {', '.join(COMPONENT_IMPACTS)}"
                )
            component_levels[required_text(name, "component name", 100)] = level
        currency_code = required_text(currency, "currency", 3).upper()
        if len(currency_code) != 3 or not currency_code.isalpha():
            raise InvalidCommand("currency must be a three-letter ISO 4217 code such as USD")
        self.trigger_event(
            self.ImpactAssessed,
            timestamp=at,
            actor=actor,
            customers_affected=customers_affected,
            accounts=text_list(accounts, "accounts"),
            segments=text_list(segments, "segments"),
            regions=text_list(regions, "regions"),
            revenue_at_risk=float(revenue_at_risk),
            currency=currency_code,
            components=component_levels,
            summary=optional_text(summary, "summary", 5000) or "",
        )

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

    def assign_owner(self, *, actor: str, at: datetime, owner: str, team: Team | str) -> None:
        actor, at = self._check(actor, at)
        self._require_not_terminal("assign an owner")
        owner = required_text(owner, "owner", 200)
        team_value = enum_value(Team, team, "team")
        if self.owner is not None and self.owner["name"] == owner:
            raise RuleViolated(f"{owner} already owns this escalation")
        self.trigger_event(
            self.OwnerAssigned,
            timestamp=at,
            actor=actor,
            owner=owner,
            team=team_value,
            previous_owner=self.owner["name"] if self.owner else None,
        )

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

    def add_participant(
        self, *, actor: str, at: datetime, name: str, role: Role | str, team: Team | str
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_not_terminal("add a participant")
        name = required_text(name, "name", 200)
        role_value = enum_value(Role, role, "role")
        if role_value == Role.OWNER:
            raise InvalidCommand(
                "make someone the owner with the owner command, not as a participant"
            )
        if name in self.participants:
            raise RuleViolated(f"{name} already takes part as {self.participants[name]['role']}")
        self.trigger_event(
            self.ParticipantJoined,
            timestamp=at,
            actor=actor,
            name=name,
            role=role_value,
            team=enum_value(Team, team, "team"),
        )

    class ParticipantLeft(Event):
        name: str
        reason: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.participants.pop(self.name, None)

    def remove_participant(self, *, actor: str, at: datetime, name: str, reason: str = "") -> None:
        actor, at = self._check(actor, at)
        self._require_not_terminal("remove a participant")
        name = required_text(name, "name", 200)
        if name not in self.participants:
            raise UnknownItem(f"{name!r} is not a participant of this escalation")
        if self.owner is not None and self.owner["name"] == name:
            raise RuleViolated(f"{name} owns this escalation; assign another owner first")
        self.trigger_event(
            self.ParticipantLeft,
            timestamp=at,
            actor=actor,
            name=name,
            reason=optional_text(reason, "reason", 2000) or "",
        )

    class NoteAdded(Event):
        note_id: str
        text: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.notes.append(
                {"id": self.note_id, "text": self.text, "by": self.actor, "at": self.timestamp}
            )

    def add_note(self, *, actor: str, at: datetime, text: str) -> str:
        actor, at = self._check(actor, at)
        self._require_not_terminal("add a note")
        note_id = f"n{len(self.notes) + 1}"
        self.trigger_event(
            self.NoteAdded,
            timestamp=at,
            actor=actor,
            note_id=note_id,
            text=required_text(text, "text", 20_000),
        )
        return note_id

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

    def define_exit_criteria(
        self, *, actor: str, at: datetime, criteria: Iterable[str]
    ) -> list[str]:
        actor, at = self._check(actor, at)
        self._require_open("define exit criteria")
        descriptions = text_list(criteria, "criteria", max_len=1000)
        if not descriptions:
            raise InvalidCommand("give at least one exit criterion")
        existing = {c["description"] for c in self.exit_criteria.values()}
        repeated = [d for d in descriptions if d in existing]
        if repeated:
            raise RuleViolated(f"exit criterion already defined: {repeated[0]!r}")
        start = len(self.exit_criteria) + 1
        new = [{"id": f"ec{start + i}", "description": d} for i, d in enumerate(descriptions)]
        self.trigger_event(self.ExitCriteriaDefined, timestamp=at, actor=actor, criteria=new)
        return [c["id"] for c in new]

    class ExitCriterionMet(Event):
        criterion_id: str
        evidence: str

        def apply(self, aggregate: Escalation) -> None:
            criterion = aggregate.exit_criteria[self.criterion_id]
            criterion.update(
                met=True, met_at=self.timestamp, met_by=self.actor, evidence=self.evidence
            )

    def meet_exit_criterion(
        self, *, actor: str, at: datetime, criterion_id: str, evidence: str = ""
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_open("meet an exit criterion")
        criterion = self.exit_criteria.get(criterion_id)
        if criterion is None:
            known = ", ".join(self.exit_criteria) or "none defined yet"
            raise UnknownItem(f"no exit criterion {criterion_id!r} (known: {known})")
        if criterion["met"]:
            raise RuleViolated(f"exit criterion {criterion_id} was already met")
        self.trigger_event(
            self.ExitCriterionMet,
            timestamp=at,
            actor=actor,
            criterion_id=criterion_id,
            evidence=optional_text(evidence, "evidence", 5000) or "",
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

    def plan_deescalation(
        self, *, actor: str, at: datetime, strategy: str, steps: Iterable[str] = ()
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_open("plan de-escalation")
        self.trigger_event(
            self.DeescalationPlanned,
            timestamp=at,
            actor=actor,
            strategy=required_text(strategy, "strategy", 10_000),
            steps=text_list(steps, "steps", max_len=1000),
        )

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

    def add_action_item(
        self,
        *,
        actor: str,
        at: datetime,
        description: str,
        owner: str,
        kind: ActionKind | str,
        phase: ActionPhase | str = ActionPhase.RESPONSE,
        due_at: datetime | None = None,
    ) -> str:
        actor, at = self._check(actor, at)
        self._require_not_terminal("add an action item")
        due = utc(due_at, "due_at") if due_at is not None else None
        if due is not None and due <= at:
            raise InvalidCommand("due_at must be in the future")
        action_id = f"a{len(self.action_items) + 1}"
        self.trigger_event(
            self.ActionItemAdded,
            timestamp=at,
            actor=actor,
            action_id=action_id,
            description=required_text(description, "description", 5000),
            owner=required_text(owner, "owner", 200),
            due_at=due,
            kind=enum_value(ActionKind, kind, "kind"),
            phase=enum_value(ActionPhase, phase, "phase"),
        )
        return action_id

    class ActionItemCompleted(Event):
        action_id: str
        note: str

        def apply(self, aggregate: Escalation) -> None:
            item = aggregate.action_items[self.action_id]
            item.update(done=True, completed_at=self.timestamp, note=self.note)

    def complete_action_item(
        self, *, actor: str, at: datetime, action_id: str, note: str = ""
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_not_terminal("complete an action item")
        item = self.action_items.get(action_id)
        if item is None:
            known = ", ".join(self.action_items) or "none yet"
            raise UnknownItem(f"no action item {action_id!r} (known: {known})")
        if item["done"]:
            raise RuleViolated(f"action item {action_id} is already complete")
        self.trigger_event(
            self.ActionItemCompleted,
            timestamp=at,
            actor=actor,
            action_id=action_id,
            note=optional_text(note, "note", 5000) or "",
        )

    class CaseLinked(Event):
        case_id: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.linked_cases.append(self.case_id)

    class LinkedToEscalation(Event):
        escalation_id: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.linked_to = self.escalation_id

    def link_case(self, case: Escalation, *, actor: str, at: datetime) -> None:
        """Link a customer case to this global escalation; both streams record it."""
        actor, at = self._check(actor, at)
        case._check(actor, at)
        if self.id == case.id:
            raise InvalidCommand("an escalation cannot be linked to itself")
        if self.scope != Scope.GLOBAL:
            raise RuleViolated(
                f"cases are linked to a global escalation; this one has scope {self.scope}"
            )
        if case.scope == Scope.GLOBAL:
            raise RuleViolated("a global escalation cannot be linked as a case of another")
        self._require_not_terminal("link a case")
        case._require_not_terminal("be linked")
        if case.linked_to == str(self.id):
            raise RuleViolated(f"case {case.id} is already linked to this escalation")
        if case.linked_to is not None:
            raise RuleViolated(f"case {case.id} is already linked to escalation {case.linked_to}")
        self.trigger_event(self.CaseLinked, timestamp=at, actor=actor, case_id=str(case.id))
        case.trigger_event(
            case.LinkedToEscalation, timestamp=at, actor=actor, escalation_id=str(self.id)
        )

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

    def record_sla_breach(
        self, *, actor: str, at: datetime, target: str, due_at: datetime, detail: str = ""
    ) -> None:
        """Record that a target (e.g. 'first_response', 'update:c3', 'legal_deadline') was missed.
        Each target is recorded at most once, so a watcher can run any number of times."""
        actor, at = self._check(actor, at)
        self._require_not_terminal("record an SLA breach")
        target = required_text(target, "target", 200)
        due = utc(due_at, "due_at")
        if target in self.sla_breaches:
            raise RuleViolated(f"the breach of {target} is already recorded")
        if due >= at:
            raise InvalidCommand(f"{target} is due at {due.isoformat()}, which has not passed yet")
        self.trigger_event(
            self.SlaBreached,
            timestamp=at,
            actor=actor,
            target=target,
            due_at=due,
            detail=optional_text(detail, "detail", 2000) or "",
        )

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

    def extend_deadline(
        self, *, actor: str, at: datetime, new_deadline: datetime, reason: str, notice: str
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_open("extend the deadline")
        if self.deadline is None:
            raise RuleViolated("this escalation has no deadline to extend")
        new = utc(new_deadline, "new_deadline")
        if new <= self.deadline:
            raise InvalidCommand(
                f"new_deadline must be later than the current deadline {self.deadline.isoformat()}"
            )
        if at > self.deadline:
            raise RuleViolated(
                f"the deadline {self.deadline.isoformat()} has passed; it can only be extended before it"
            )
        if self.privacy is not None:
            if len(self.extensions) >= self.privacy["max_extensions"]:
                raise RuleViolated(
                    f"{self.privacy['regime'].upper()} allows {self.privacy['max_extensions']} "
                    "extension(s) and they are used"
                )
            latest = self.privacy["latest_extended_deadline"]
            if new > latest:
                raise RuleViolated(
                    f"{self.privacy['regime'].upper()} allows extending to {latest.isoformat()} at most"
                )
        self.trigger_event(
            self.DeadlineExtended,
            timestamp=at,
            actor=actor,
            previous_deadline=self.deadline,
            new_deadline=new,
            reason=required_text(reason, "reason", 2000),
            notice=required_text(notice, "notice (how the requester was told)", 2000),
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

    def dismiss(
        self,
        *,
        actor: str,
        at: datetime,
        reason: DismissalReason | str,
        note: str = "",
        duplicate_of: str | None = None,
    ) -> None:
        actor, at = self._check(actor, at)
        reason_value = enum_value(DismissalReason, reason, "reason")
        self._require_transition(Status.DISMISSED, "dismiss")
        duplicate_of = optional_text(duplicate_of, "duplicate_of", 200)
        if reason_value == DismissalReason.DUPLICATE and duplicate_of is None:
            raise InvalidCommand("a duplicate needs duplicate_of: the escalation it repeats")
        if reason_value != DismissalReason.DUPLICATE and duplicate_of is not None:
            raise InvalidCommand("duplicate_of only applies to reason 'duplicate'")
        if duplicate_of == str(self.id):
            raise InvalidCommand("an escalation cannot duplicate itself")
        self.trigger_event(
            self.Dismissed,
            timestamp=at,
            actor=actor,
            reason=reason_value,
            note=optional_text(note, "note", 2000) or "",
            duplicate_of=duplicate_of,
        )

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

    def communicate(
        self,
        *,
        actor: str,
        at: datetime,
        audience: Audience | str,
        channel: Channel | str,
        body: str,
        subject: str = "",
        recipient_count: int = 0,
        next_update_due: datetime | None = None,
    ) -> str:
        actor, at = self._check(actor, at)
        self._require_not_terminal("communicate")
        if audience in (None, ""):
            raise InvalidCommand("a communication needs an audience")
        if channel in (None, ""):
            raise InvalidCommand("a communication needs a channel")
        audience_value = enum_value(Audience, audience, "audience")
        channel_value = enum_value(Channel, channel, "channel")
        due = utc(next_update_due, "next_update_due") if next_update_due is not None else None
        if due is not None and due <= at:
            raise InvalidCommand(f"next_update_due must be in the future (after {at.isoformat()})")
        if not _whole_number_between(recipient_count, 0, 10**12):
            raise InvalidCommand("recipient_count must be a whole number, zero or more")
        communication_id = f"c{len(self.communications) + 1}"
        self.trigger_event(
            self.Communicated,
            timestamp=at,
            actor=actor,
            communication_id=communication_id,
            audience=audience_value,
            channel=channel_value,
            subject=optional_text(subject, "subject", 300) or "",
            body=required_text(body, "body", 50_000),
            recipient_count=recipient_count,
            status_at_time=self.status,
            next_update_due=due,
        )
        return communication_id

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

    def erase_customer_data(self, *, actor: str, at: datetime, subject_id: str) -> None:
        """Allowed in every status, final ones included: the law does not wait for a case to be
        open, and the history must stay whole, so erasing never changes the status."""
        actor, at = self._check(actor, at)
        subject = required_text(subject_id, "subject_id", 200)
        if self.customer is None:
            raise RuleViolated("this escalation holds no customer data to erase")
        if self.customer.get("subject_id") != subject:
            raise RuleViolated(
                f"this escalation's customer is not data subject {subject}; nothing to erase"
            )
        if self.customer_data_erased:
            raise RuleViolated(f"the data of subject {subject} is already erased here")
        self.trigger_event(self.CustomerDataErased, timestamp=at, actor=actor, subject_id=subject)

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

    def resolve(self, *, actor: str, at: datetime, summary: str, override_reason: str = "") -> None:
        actor, at = self._check(actor, at)
        self._require_transition(Status.RESOLVED, "resolve")
        unmet = self.unmet_exit_criteria
        reason = optional_text(override_reason, "override_reason", 2000) or ""
        if unmet and not reason:
            listed = "; ".join(f"{cid}: {self.exit_criteria[cid]['description']}" for cid in unmet)
            raise RuleViolated(
                f"{len(unmet)} exit criteria are not met ({listed}). Meet them, or resolve "
                "with an override_reason that says why they no longer apply"
            )
        self.trigger_event(
            self.Resolved,
            timestamp=at,
            actor=actor,
            summary=required_text(summary, "summary", 10_000),
            overridden_criteria=unmet,
            override_reason=reason if unmet else "",
        )

    class Reopened(Event):
        reason: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.status = Status.INVESTIGATING.value
            aggregate.resolved_at = None
            aggregate.resolution = None
            aggregate.reopen_count += 1

    def reopen(self, *, actor: str, at: datetime, reason: str) -> None:
        actor, at = self._check(actor, at)
        self._require_transition(Status.INVESTIGATING, "reopen")
        self.trigger_event(
            self.Reopened, timestamp=at, actor=actor, reason=required_text(reason, "reason", 2000)
        )

    class FeedbackReceived(Event):
        csat: int | None
        nps: int | None
        comment: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.feedback.append(
                {"csat": self.csat, "nps": self.nps, "comment": self.comment, "at": self.timestamp}
            )

    def receive_feedback(
        self,
        *,
        actor: str,
        at: datetime,
        csat: int | None = None,
        nps: int | None = None,
        comment: str = "",
    ) -> None:
        actor, at = self._check(actor, at)
        if self.current_status is not Status.RESOLVED:
            raise IllegalTransition(
                f"feedback is taken after resolution, before closing; the escalation is {self.status}",
                current=self.status,
                attempted="feedback",
            )
        if csat is None and nps is None:
            raise InvalidCommand("give csat (1-5), nps (0-10) or both")
        if csat is not None and not _whole_number_between(csat, 1, 5):
            raise InvalidCommand("csat is a whole-number score from 1 to 5")
        if nps is not None and not _whole_number_between(nps, 0, 10):
            raise InvalidCommand("nps is a whole-number score from 0 to 10")
        self.trigger_event(
            self.FeedbackReceived,
            timestamp=at,
            actor=actor,
            csat=csat,
            nps=nps,
            comment=optional_text(comment, "comment", 5000) or "",
        )

    class Closed(Event):
        reason: str

        def apply(self, aggregate: Escalation) -> None:
            aggregate.status = Status.CLOSED.value
            aggregate.closed_at = self.timestamp

    def close(self, *, actor: str, at: datetime, reason: str = "") -> None:
        actor, at = self._check(actor, at)
        self._require_transition(Status.CLOSED, "close")
        self.trigger_event(
            self.Closed,
            timestamp=at,
            actor=actor,
            reason=optional_text(reason, "reason", 2000) or "",
        )

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

    def record_postmortem(
        self,
        *,
        actor: str,
        at: datetime,
        summary: str,
        root_cause: str,
        impact: str = "",
        root_cause_category: str = "",
        trigger: str = "",
        contributing_factors: Iterable[str] = (),
        detection: str = "",
        response: str = "",
        recovery: str = "",
        five_whys: Iterable[str] = (),
        went_well: Iterable[str] = (),
        went_wrong: Iterable[str] = (),
        where_we_got_lucky: Iterable[str] = (),
    ) -> None:
        actor, at = self._check(actor, at)
        if self.current_status is not Status.RESOLVED:
            raise IllegalTransition(
                f"a post-mortem is written after resolution; the escalation is {self.status}",
                current=self.status,
                attempted="postmortem",
            )
        if self.postmortem_published_at is not None:
            raise RuleViolated("the post-mortem is already published; it cannot be revised")
        whys = text_list(five_whys, "five_whys", max_len=2000)
        if len(whys) > 7:
            raise InvalidCommand("five_whys takes at most 7 answers")

        def text(value: str, name: str) -> str:
            return optional_text(value, name, 20_000) or ""

        self.trigger_event(
            self.PostMortemRecorded,
            timestamp=at,
            actor=actor,
            summary=required_text(summary, "summary", 20_000),
            impact=text(impact, "impact"),
            root_cause=required_text(root_cause, "root_cause", 20_000),
            root_cause_category=optional_text(root_cause_category, "root_cause_category", 100)
            or "",
            trigger=text(trigger, "trigger"),
            contributing_factors=text_list(
                contributing_factors, "contributing_factors", max_len=2000
            ),
            detection=text(detection, "detection"),
            response=text(response, "response"),
            recovery=text(recovery, "recovery"),
            five_whys=whys,
            went_well=text_list(went_well, "went_well", max_len=2000),
            went_wrong=text_list(went_wrong, "went_wrong", max_len=2000),
            where_we_got_lucky=text_list(where_we_got_lucky, "where_we_got_lucky", max_len=2000),
        )

    class PostMortemPublished(Event):
        revision: int

        def apply(self, aggregate: Escalation) -> None:
            aggregate.postmortem_published_at = self.timestamp

    def publish_postmortem(self, *, actor: str, at: datetime) -> None:
        actor, at = self._check(actor, at)
        if self.current_status is not Status.RESOLVED:
            raise IllegalTransition(
                f"a post-mortem is published after resolution; the escalation is {self.status}",
                current=self.status,
                attempted="postmortem/publish",
            )
        if self.postmortem is None:
            raise RuleViolated("record the post-mortem before publishing it")
        if self.postmortem_published_at is not None:
            raise RuleViolated("the post-mortem is already published")
        self.trigger_event(
            self.PostMortemPublished,
            timestamp=at,
            actor=actor,
            revision=self.postmortem["revision"],
        )

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

    def time_to(self, moment: datetime | None) -> timedelta | None:
        return None if moment is None else moment - self.received_at

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


EVENT_NAMES: tuple[str, ...] = tuple(
    name
    for name, value in vars(Escalation).items()
    if isinstance(value, type)
    and issubclass(value, Escalation.Event)
    and name not in ("Event", "Created")
)
"""The names of every event an escalation stream can hold (DESIGN.md section 4)."""
