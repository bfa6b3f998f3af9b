"""The named use cases: every command on an existing escalation, by name, and the `Escalation`
method it runs. Every way in (HTTP, CLI, the demo, Kafka signals, the SLA deadline watcher) and
every history builder runs a command through `Escalations.run(name, escalation_id, ...)`, so a
command means the same wherever it comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.escalation import Escalation


@dataclass(frozen=True)
class UseCase:
    method: Callable[..., Any]
    """The `Escalation` command method; it gets the arguments, the actor and the time."""
    created: str | None = None
    """The key under which the method's return value (a new item's id) is reported."""
    other_escalation: str | None = None
    """The argument naming a second escalation that the command loads and saves too."""
    supplied: tuple[str, ...] = ()
    """Arguments the application supplies from its configuration (`Escalations.supplied`)
    unless the caller gives them."""

    @property
    def name(self) -> str:
        return self.method.__name__


USE_CASES: dict[str, UseCase] = {
    case.name: case
    for case in (
        UseCase(Escalation.acknowledge),
        UseCase(Escalation.change_severity),
        UseCase(Escalation.change_status),
        UseCase(Escalation.assess_impact),
        UseCase(Escalation.assign_owner),
        UseCase(Escalation.add_participant),
        UseCase(Escalation.remove_participant),
        UseCase(Escalation.add_note, created="note_id"),
        UseCase(Escalation.define_exit_criteria, created="criterion_ids"),
        UseCase(Escalation.meet_exit_criterion),
        UseCase(Escalation.plan_deescalation),
        UseCase(Escalation.add_action_item, created="action_item_id"),
        UseCase(Escalation.complete_action_item),
        UseCase(Escalation.link_case, other_escalation="case_id"),
        UseCase(Escalation.communicate, created="communication_id"),
        UseCase(Escalation.record_delivery),
        UseCase(Escalation.resolve),
        UseCase(Escalation.resolve_with_global, other_escalation="global_id"),
        UseCase(Escalation.reopen, supplied=("update_cadence",)),
        UseCase(Escalation.record_postmortem),
        UseCase(Escalation.publish_postmortem),
        UseCase(Escalation.receive_feedback),
        UseCase(Escalation.close),
        UseCase(Escalation.dismiss),
        UseCase(Escalation.extend_deadline),
        UseCase(Escalation.record_sla_breach),
    )
}


def use_case(name: str) -> UseCase:
    try:
        return USE_CASES[name]
    except KeyError:
        raise LookupError(f"no use case {name!r}; known: {', '.join(USE_CASES)}") from None


def act(
    method: Callable[..., Any], created: str | None = None, **arguments: Any
) -> Callable[..., dict[str, Any]]:
    """The action `Escalations.execute` runs for a command: call the method with the arguments
    and the time, and report what it created under `created`."""

    def action(escalation: Escalation, *others: Escalation, at: datetime) -> dict[str, Any]:
        outcome = method(escalation, *others, at=at, **arguments)
        return {created: outcome} if created else {}

    return action
