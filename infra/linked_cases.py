"""Linked cases follow their global escalation (the problem/incident model): when a global
escalation is resolved, each customer case linked to it that is still open can be resolved with it.

Each case is resolved by a command of its own on its own stream (`resolve_with_global`), under an
Idempotency-Key derived from the global escalation's resolution and the case, so a retry, a replay
of the resolving request or a second pass after a crash half-way resolves every case once: none
twice, none skipped. A case that had ended already (resolved, closed or dismissed) is left as it
is; a case that cannot follow is reported with the reason, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.errors import DomainError
from domain.escalation import Escalation
from infra.commanding import EscalationNotFound, Idempotency, IdempotencyKeyReused, WriteConflict


class Escalations(Protocol):
    """What following needs of the application (`infra.application.Escalations`, which calls
    in here, so it is named by what it does rather than imported)."""

    def get(self, escalation_id: UUID, version: int | None = None) -> Escalation: ...

    def get_as_of(self, escalation_id: UUID, moment: datetime) -> Escalation: ...

    def run(
        self,
        name: str,
        escalation_id: UUID,
        /,
        *,
        actor: str,
        expected_version: int | None = None,
        idempotency: Idempotency | None = None,
        at: datetime | None = None,
        **arguments: Any,
    ) -> Any: ...


FOLLOW_USE_CASE = "resolve_with_global"


@dataclass(frozen=True)
class LinkedCases:
    """Where a resolved global escalation's linked cases stand, as a resolve answers it."""

    open: list[str]
    """Linked cases still open: offered to follow (`resolve_linked`)."""
    resolved: list[str] | None = None
    """Resolved with the global escalation by this request (or by the first try of it); None
    when they were not asked to follow."""
    already_ended: list[str] = field(default_factory=list)
    """Ended before (resolved, closed or dismissed on their own), left as they were."""
    refused: list[dict[str, str]] = field(default_factory=list)
    """Could not follow: the case's id, its status and why."""

    def answer(self) -> dict[str, Any]:
        if self.resolved is None:
            return {"linked_open": self.open}
        return {
            "linked_open": self.open,
            "linked_resolved": self.resolved,
            "linked_already_ended": self.already_ended,
            "linked_refused": self.refused,
        }


def linked_open(
    app: Escalations, escalation: Escalation, moment: datetime | None = None
) -> list[str]:
    """The ids of the cases linked to `escalation` that are open (at `moment`, if given)."""
    found = []
    for case_id in escalation.linked_cases:
        try:
            case = app.get_as_of(UUID(case_id), moment) if moment else app.get(UUID(case_id))
        except EscalationNotFound:
            continue
        if case.current_status.is_open:
            found.append(case_id)
    return found


def follow(app: Escalations, global_id: UUID, *, at: datetime | None = None) -> LinkedCases:
    """Resolve every open case linked to the global escalation `global_id`, which is resolved,
    with it: as the person who resolved it, at `at` (or now)."""
    parent = app.get(global_id)
    resolution = parent.resolution
    if resolution is None:
        return LinkedCases(open=linked_open(app, parent), resolved=[])
    resolved: list[str] = []
    ended: list[str] = []
    refused: list[dict[str, str]] = []
    for case_id in parent.linked_cases:
        outcome, detail = _follow_one(app, parent, UUID(case_id), resolution, at)
        if outcome == "resolved":
            resolved.append(case_id)
        elif outcome == "ended":
            ended.append(case_id)
        elif outcome != "open":
            refused.append({"id": case_id, "status": outcome, "detail": detail})
    return LinkedCases(
        open=linked_open(app, parent), resolved=resolved, already_ended=ended, refused=refused
    )


def _follow_one(
    app: Escalations,
    parent: Escalation,
    case_id: UUID,
    resolution: dict[str, Any],
    at: datetime | None,
) -> tuple[str, str]:
    """Follow with one case; answers where it stands then: "resolved" (with this resolution of
    the parent, now or by an earlier try), "ended" (on its own), "open" (it followed once and
    was reopened since: left open, never resolved twice), or its status and why it refused."""
    # One key per resolution of the parent and case: resolving the parent again after a reopen
    # is a new resolution, which its cases follow anew.
    key = f"{parent.id}:{resolution['at'].isoformat()}:{case_id}"
    idempotency = Idempotency.for_request(
        key, FOLLOW_USE_CASE, {"global_id": str(parent.id)}, caller="linked-cases"
    )
    refusal = ""
    try:
        if app.get(case_id).current_status.is_open:
            app.run(
                FOLLOW_USE_CASE,
                case_id,
                actor=resolution["by"],
                idempotency=idempotency,
                at=at,
                global_id=str(parent.id),
            )
        case = app.get(case_id)
    except (DomainError, WriteConflict, IdempotencyKeyReused, EscalationNotFound) as error:
        refusal = str(error)
        try:
            case = app.get(case_id)
        except EscalationNotFound:
            return "unknown", refusal
    if _followed(case, parent, resolution):
        return "resolved", ""
    if not case.current_status.is_open:
        return "ended", ""  # on its own, before (or in a race with) this follow
    return (case.status, refusal) if refusal else ("open", "")


def _followed(case: Escalation, parent: Escalation, resolution: dict[str, Any]) -> bool:
    """Whether the case was resolved with this very resolution of the parent."""
    return (
        case.resolution is not None
        and case.resolution.get("resolved_with") == str(parent.id)
        and case.resolution["at"] >= resolution["at"]
    )
