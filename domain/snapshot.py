"""A compact snapshot for escalations: the whole state as one JSON document.

The library's default snapshot stores state as nested objects that its transcoder revives one by
one; on a long stream (thousands of notes and communications) that per-object work dominated the
time to load a snapshot. Here the state is encoded once with the standard `json` module and its
datetimes are revived by field name. A round-trip test over a full lifecycle guards the field
list: a new datetime field that is not listed comes back as a string and fails it.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any, cast

from eventsourcing.domain import BaseAggregate, Snapshot

from domain.values import SETTLED_COMPONENT, Status

_TOP_LEVEL = (
    "_created_on",
    "_modified_on",
    "received_at",
    "deadline",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "postmortem_published_at",
    "customer_erased_at",
    "update_due_on_reopen",
)
_IN_OBJECTS = {
    "privacy": ("acknowledge_by", "latest_extended_deadline"),
    "impact": ("assessed_at",),
    "deescalation": ("planned_at",),
    "resolution": ("at",),
    "dismissal": ("at",),
    "postmortem": ("recorded_at",),
}
_IN_LIST_ITEMS = {
    "notes": ("at",),
    "communications": ("at", "next_update_due"),
    "feedback": ("at",),
    "extensions": ("from", "to", "at"),
}
_IN_MAPPING_VALUES = {
    "exit_criteria": ("met_at",),
    "action_items": ("due_at", "completed_at"),
    "sla_breaches": ("due_at", "breached_at"),
    "maintenances": ("starts_at", "ends_at", "scheduled_at", "started_at", "completed_at"),
}


def _encode_datetime(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"snapshot state holds a {type(value).__name__}, which is not plain data")


def _revive(item: dict[str, Any] | None, keys: tuple[str, ...]) -> None:
    if item is None:
        return
    for key in keys:
        value = item.get(key)
        if value is not None:
            item[key] = datetime.fromisoformat(value)


def _settled(state: dict[str, Any]) -> dict[str, Any]:
    """A snapshot taken before ending settled anything (release 0.1) is brought to what its
    events fold into now: if it had ended, the promises made up to its end are released and its
    components read operational. (Taken after a reopen, it cannot tell which promises came before
    the resolution; they still count, as they did then.)"""
    if "promises_released" in state:
        return state
    state.update(promises_released=0, update_due_on_reopen=None, components_before_settlement=None)
    status = Status(state["status"])
    resolution = state.get("resolution") or {}
    ended = resolution.get("at") if status is Status.RESOLVED else state.get("closed_at")
    if status.is_open or ended is None:
        return state
    communications = state.get("communications") or []
    state["promises_released"] = sum(1 for c in communications if c["at"] <= ended)
    components = state.get("components") or {}
    state["components_before_settlement"] = dict(components)
    state["components"] = {name: SETTLED_COMPONENT for name in components}
    return state


def encode_state(state: dict[str, Any]) -> str:
    return json.dumps(state, default=_encode_datetime, separators=(",", ":"), ensure_ascii=False)


def decode_state(document: str) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(document)
    # State added after snapshots were first taken: an older snapshot starts it empty, as
    # `Opened` does, so the events after it apply.
    state.setdefault("maintenances", {})
    _revive(state, _TOP_LEVEL)
    for name, keys in _IN_OBJECTS.items():
        _revive(state.get(name), keys)
    for name, keys in _IN_LIST_ITEMS.items():
        for item in state.get(name) or ():
            _revive(item, keys)
    for name, keys in _IN_MAPPING_VALUES.items():
        for item in (state.get(name) or {}).values():
            _revive(item, keys)
    return state


class CompactSnapshot(Snapshot):
    """Stores `{"document": <the state but the customer, as JSON text>, "customer": {...}}`.

    The customer stays a field of its own, as it is on `Opened`, so that the store can encrypt a
    data subject's fields in snapshots exactly as it does in events, without parsing the document.
    """

    @classmethod
    def take(cls, aggregate: Any) -> CompactSnapshot:
        plain = super().take(aggregate)
        state = dict(plain.state)
        customer = state.pop("customer", None)
        return dataclasses.replace(
            plain, state={"document": encode_state(state), "customer": customer}
        )

    def mutate(self, _: None) -> BaseAggregate[Any]:
        state = _settled(decode_state(self.state["document"]))
        if "customer" in self.state:
            state["customer"] = self.state["customer"]
        expanded = dataclasses.replace(self, state=state)
        return cast(BaseAggregate[Any], super(CompactSnapshot, expanded).mutate(None))
