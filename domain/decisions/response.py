"""Triage and response: acknowledging, sizing, staffing and steering the work."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime

from domain import limits
from domain.decisions.guards import ACTION_ITEM, EXIT_CRITERION
from domain.errors import IllegalTransition, InvalidCommand, RuleViolated, UnknownItem
from domain.state import EscalationState
from domain.validation import (
    enum_value,
    required_text,
    text_list,
    text_or_blank,
    utc,
)
from domain.values import (
    COMPONENT_IMPACTS,
    ActionKind,
    ActionPhase,
    Role,
    Severity,
    Status,
    Team,
)


class ResponseDecisions:
    """Mixed into `Escalation`; the methods run with the aggregate as `self`."""

    def acknowledge(self: EscalationState, *, actor: str, at: datetime) -> None:
        actor, at = self._check(actor, at)
        self._require_open("acknowledge")
        if self.acknowledged_at is not None:
            raise RuleViolated(
                f"already acknowledged at {self.acknowledged_at.isoformat()}; acknowledge once"
            )
        self._record(self.Acknowledged, actor, at)

    def change_severity(
        self: EscalationState, *, actor: str, at: datetime, severity: Severity | str, reason: str
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_open("change severity")
        target = enum_value(Severity, severity, "severity")
        if target == self.severity:
            raise RuleViolated(f"severity is already {target}")
        self._record(
            self.SeverityChanged,
            actor,
            at,
            from_severity=self.severity,
            to_severity=target,
            reason=required_text(reason, "reason", limits.REASON_MAX),
        )

    def change_status(
        self: EscalationState, *, actor: str, at: datetime, status: Status | str, reason: str = ""
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
        self._record(
            self.StatusChanged,
            actor,
            at,
            from_status=self.status,
            to_status=target.value,
            reason=text_or_blank(reason, "reason", limits.REASON_MAX),
        )

    def assess_impact(
        self: EscalationState,
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
        if customers_affected > limits.CUSTOMERS_AFFECTED_MAX:
            raise InvalidCommand(
                f"customers_affected is more than {limits.CUSTOMERS_AFFECTED_MAX:,}, the limit"
            )
        if (
            isinstance(revenue_at_risk, bool)
            or not isinstance(revenue_at_risk, int | float)
            or not math.isfinite(revenue_at_risk)
            or revenue_at_risk < 0
        ):
            # NaN passes a `< 0` check and then poisons every sum a report makes.
            raise InvalidCommand("revenue_at_risk must be a finite amount, zero or more")
        if revenue_at_risk > limits.REVENUE_AT_RISK_MAX:
            raise InvalidCommand(f"revenue_at_risk is more than {limits.REVENUE_AT_RISK_MAX:,.0f}")
        component_levels = self.assessed_components if components is None else {}
        for name, level in (components or {}).items():
            if level not in COMPONENT_IMPACTS:
                raise InvalidCommand(
                    f"component {name!r} has impact {level!r}; use one of {', '.join(COMPONENT_IMPACTS)}"
                )
            component_levels[required_text(name, "component name", limits.COMPONENT_NAME_MAX)] = (
                level
            )
        currency_code = required_text(currency, "currency", limits.CURRENCY_LENGTH).upper()
        if len(currency_code) != 3 or not currency_code.isalpha():
            raise InvalidCommand("currency must be a three-letter ISO 4217 code such as USD")
        self._record(
            self.ImpactAssessed,
            actor,
            at,
            customers_affected=customers_affected,
            accounts=text_list(accounts, "accounts"),
            segments=text_list(segments, "segments"),
            regions=text_list(regions, "regions"),
            revenue_at_risk=float(revenue_at_risk),
            currency=currency_code,
            components=component_levels,
            summary=text_or_blank(summary, "summary", limits.DETAIL_MAX),
        )

    def assign_owner(
        self: EscalationState, *, actor: str, at: datetime, owner: str, team: Team | str
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_not_terminal("assign an owner")
        owner = required_text(owner, "owner", limits.NAME_MAX)
        team_value = enum_value(Team, team, "team")
        if self.owner is not None and self.owner["name"] == owner:
            raise RuleViolated(f"{owner} already owns this escalation")
        self._record(
            self.OwnerAssigned,
            actor,
            at,
            owner=owner,
            team=team_value,
            previous_owner=self.owner["name"] if self.owner else None,
        )

    def add_participant(
        self: EscalationState,
        *,
        actor: str,
        at: datetime,
        name: str,
        role: Role | str,
        team: Team | str,
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_not_terminal("add a participant")
        name = required_text(name, "name", limits.NAME_MAX)
        role_value = enum_value(Role, role, "role")
        if role_value == Role.OWNER:
            raise InvalidCommand(
                "make someone the owner with the owner command, not as a participant"
            )
        if name in self.participants:
            raise RuleViolated(f"{name} already takes part as {self.participants[name]['role']}")
        self._record(
            self.ParticipantJoined,
            actor,
            at,
            name=name,
            role=role_value,
            team=enum_value(Team, team, "team"),
        )

    def remove_participant(
        self: EscalationState, *, actor: str, at: datetime, name: str, reason: str = ""
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_not_terminal("remove a participant")
        name = required_text(name, "name", limits.NAME_MAX)
        if name not in self.participants:
            raise UnknownItem(f"{name!r} is not a participant of this escalation")
        if self.owner is not None and self.owner["name"] == name:
            raise RuleViolated(f"{name} owns this escalation; assign another owner first")
        self._record(
            self.ParticipantLeft,
            actor,
            at,
            name=name,
            reason=text_or_blank(reason, "reason", limits.REASON_MAX),
        )

    def add_note(self: EscalationState, *, actor: str, at: datetime, text: str) -> str:
        actor, at = self._check(actor, at)
        self._require_not_terminal("add a note")
        note_id = f"n{len(self.notes) + 1}"
        self._record(
            self.NoteAdded,
            actor,
            at,
            note_id=note_id,
            text=required_text(text, "text", limits.NOTE_MAX),
        )
        return note_id

    def define_exit_criteria(
        self: EscalationState, *, actor: str, at: datetime, criteria: Iterable[str]
    ) -> list[str]:
        actor, at = self._check(actor, at)
        self._require_open("define exit criteria")
        descriptions = text_list(criteria, "criteria", max_len=limits.CRITERION_MAX)
        if not descriptions:
            raise InvalidCommand("give at least one exit criterion")
        existing = {c["description"] for c in self.exit_criteria.values()}
        repeated = [d for d in descriptions if d in existing]
        if repeated:
            raise RuleViolated(f"exit criterion already defined: {repeated[0]!r}")
        start = len(self.exit_criteria) + 1
        new = [{"id": f"ec{start + i}", "description": d} for i, d in enumerate(descriptions)]
        self._record(self.ExitCriteriaDefined, actor, at, criteria=new)
        return [c["id"] for c in new]

    def meet_exit_criterion(
        self: EscalationState, *, actor: str, at: datetime, criterion_id: str, evidence: str = ""
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_open("meet an exit criterion")
        fields = EXIT_CRITERION.done_fields(self.exit_criteria, criterion_id, evidence)
        self._record(self.ExitCriterionMet, actor, at, **fields)

    def plan_deescalation(
        self: EscalationState, *, actor: str, at: datetime, strategy: str, steps: Iterable[str] = ()
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_open("plan de-escalation")
        self._record(
            self.DeescalationPlanned,
            actor,
            at,
            strategy=required_text(strategy, "strategy", limits.STRATEGY_MAX),
            steps=text_list(steps, "steps", max_len=limits.CRITERION_MAX),
        )

    def add_action_item(
        self: EscalationState,
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
        self._record(
            self.ActionItemAdded,
            actor,
            at,
            action_id=action_id,
            description=required_text(description, "description", limits.DETAIL_MAX),
            owner=required_text(owner, "owner", limits.NAME_MAX),
            due_at=due,
            kind=enum_value(ActionKind, kind, "kind"),
            phase=enum_value(ActionPhase, phase, "phase"),
        )
        return action_id

    def complete_action_item(
        self: EscalationState, *, actor: str, at: datetime, action_id: str, note: str = ""
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_not_terminal("complete an action item")
        fields = ACTION_ITEM.done_fields(self.action_items, action_id, note)
        self._record(self.ActionItemCompleted, actor, at, **fields)
