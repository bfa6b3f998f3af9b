"""The checks every family of command methods shares: who acts and when, and which statuses
allow a command. They raise before anything is recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain import limits
from domain.errors import IllegalTransition, RuleViolated, UnknownItem
from domain.policies import TRANSITIONS, allowed
from domain.state import EscalationState, EventClass
from domain.validation import actor_and_time, text_or_blank
from domain.values import Status


class Guards:
    """Mixed into `Escalation`; the methods run with the aggregate as `self`."""

    def _check(self: EscalationState, actor: str, at: datetime) -> tuple[str, datetime]:
        """Common to every command: someone acts, at a time not before the stream's last event."""
        return actor_and_time(actor, at, self.modified_on, "the escalation's last event")

    def _record(
        self: EscalationState, event_class: EventClass, actor: str, at: datetime, **fields: Any
    ) -> None:
        """Every event says who acted and when; the command's checks have passed by now."""
        self.trigger_event(event_class, timestamp=at, actor=actor, **fields)

    def _require_not_terminal(self: EscalationState, command: str) -> None:
        if self.current_status.is_terminal:
            raise IllegalTransition(
                f"cannot {command}: the escalation is {self.status}, which is final. "
                "Open a new escalation and link it instead.",
                current=self.status,
                attempted=command,
            )

    def _require_open(self: EscalationState, command: str) -> None:
        self._require_not_terminal(command)
        if not self.current_status.is_open:
            raise IllegalTransition(
                f"cannot {command}: the escalation is {self.status}; reopen it first",
                current=self.status,
                attempted=command,
            )

    def _require_resolved(self: EscalationState, rule: str, attempted: str) -> None:
        """For what only a resolved escalation takes; `rule` says when it is taken."""
        if self.current_status is not Status.RESOLVED:
            raise IllegalTransition(
                f"{rule}; the escalation is {self.status}",
                current=self.status,
                attempted=attempted,
            )

    def _require_transition(self: EscalationState, target: Status, command: str) -> None:
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


@dataclass(frozen=True)
class ItemKind:
    """A kind of item an escalation keeps by id and marks done once, with a note on how."""

    name: str
    none_yet: str
    done_key: str
    done_text: str
    id_field: str
    note_field: str

    def pending(self, items: dict[str, dict[str, Any]], item_id: str) -> dict[str, Any]:
        """The item `item_id` of `items`, which must exist and not be done yet."""
        item = items.get(item_id)
        if item is None:
            known = ", ".join(items) or self.none_yet
            raise UnknownItem(f"no {self.name} {item_id!r} (known: {known})")
        if item[self.done_key]:
            raise RuleViolated(f"{self.name} {item_id} {self.done_text}")
        return item

    def done_fields(
        self, items: dict[str, dict[str, Any]], item_id: str, note: str
    ) -> dict[str, str]:
        """The fields of the event that marks `item_id` done, once it may be."""
        self.pending(items, item_id)
        return {
            self.id_field: item_id,
            self.note_field: text_or_blank(note, self.note_field, limits.DETAIL_MAX),
        }


EXIT_CRITERION = ItemKind(
    "exit criterion", "none defined yet", "met", "was already met", "criterion_id", "evidence"
)
ACTION_ITEM = ItemKind(
    "action item", "none yet", "done", "is already complete", "action_id", "note"
)
