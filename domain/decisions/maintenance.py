"""Planned downtime: a maintenance window scheduled, started and completed on an escalation.

A maintenance is announced on the public status page, so it belongs to an escalation that faces
the public (scope global or group) and names only components that escalation is about. It is kept
by id on the escalation that plans it (the change a coordinator drives, or the follow-up of an
incident), beside its notes and action items: no second kind of stream, and every reader decides
what a maintenance means to it through the registry like for any other event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain import limits
from domain.errors import InvalidCommand, RuleViolated, UnknownItem
from domain.state import EscalationState
from domain.validation import required_text, text_list, text_or_blank, utc
from domain.values import Scope

PUBLIC_SCOPES = (Scope.GLOBAL.value, Scope.GROUP.value)
"""The scopes whose escalations reach the public status page."""


class MaintenanceDecisions:
    """Mixed into `Escalation`; the methods run with the aggregate as `self`."""

    def schedule_maintenance(
        self: EscalationState,
        *,
        actor: str,
        at: datetime,
        title: str,
        starts_at: datetime,
        ends_at: datetime,
        components: Iterable[str],
        description: str = "",
    ) -> str:
        actor, at = self._check(actor, at)
        self._require_not_terminal("schedule a maintenance")
        if self.scope not in PUBLIC_SCOPES:
            raise RuleViolated(
                f"a maintenance is announced on the public status page, so it is scheduled on a "
                f"global or group escalation; this one is {self.scope}"
            )
        start = utc(starts_at, "starts_at")
        end = utc(ends_at, "ends_at")
        if end <= start:
            raise InvalidCommand("ends_at must be after starts_at")
        if end <= at:
            raise InvalidCommand(
                f"ends_at ({end.isoformat()}) has passed already; a maintenance is scheduled "
                "before its window ends"
            )
        names = text_list(components, "components", max_len=limits.COMPONENT_NAME_MAX)
        if not names:
            raise InvalidCommand("components must name at least one component under maintenance")
        unknown = [name for name in names if name not in self.components]
        if unknown:
            known = ", ".join(self.components) or "none yet"
            raise InvalidCommand(
                f"components {', '.join(unknown)} are not components of this escalation "
                f"(known: {known}); assess the impact on them first"
            )
        maintenance_id = f"m{len(self.maintenances) + 1}"
        self._record(
            self.MaintenanceScheduled,
            actor,
            at,
            maintenance_id=maintenance_id,
            title=required_text(title, "title", limits.TITLE_MAX),
            description=text_or_blank(description, "description", limits.DETAIL_MAX),
            components=names,
            starts_at=start,
            ends_at=end,
        )
        return maintenance_id

    def start_maintenance(
        self: EscalationState, *, actor: str, at: datetime, maintenance_id: str, note: str = ""
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_not_terminal("move a maintenance on")
        maintenance = _maintenance(self, maintenance_id)
        if maintenance["status"] != "scheduled":
            raise RuleViolated(
                f"maintenance {maintenance_id} is {maintenance['status'].replace('_', ' ')}; "
                "only a scheduled one starts"
            )
        self._record(
            self.MaintenanceStarted,
            actor,
            at,
            maintenance_id=maintenance_id,
            note=text_or_blank(note, "note", limits.DETAIL_MAX),
        )

    def complete_maintenance(
        self: EscalationState, *, actor: str, at: datetime, maintenance_id: str, note: str = ""
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_not_terminal("move a maintenance on")
        maintenance = _maintenance(self, maintenance_id)
        if maintenance["status"] != "in_progress":
            raise RuleViolated(
                f"maintenance {maintenance_id} is {maintenance['status'].replace('_', ' ')}; "
                "only one in progress completes (start it first)"
            )
        self._record(
            self.MaintenanceCompleted,
            actor,
            at,
            maintenance_id=maintenance_id,
            note=text_or_blank(note, "note", limits.DETAIL_MAX),
        )


def _maintenance(escalation: EscalationState, maintenance_id: str) -> dict[str, Any]:
    maintenance = escalation.maintenances.get(maintenance_id)
    if maintenance is None:
        known = ", ".join(escalation.maintenances) or "none scheduled yet"
        raise UnknownItem(f"no maintenance {maintenance_id!r} (known: {known})")
    return maintenance
