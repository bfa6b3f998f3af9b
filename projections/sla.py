"""SLA targets of one escalation, evaluated at a moment: which are met, missed, pending, not due.

Pure: the policy comes in as plain values (built from settings in `infra/settings/views.py`), the case
as a document of the cases view. Targets:

* `first_response`  received -> acknowledged (or resolved), per source and severity
* `resolution`      received -> first resolution, per source and severity
* `update:<cN>`     the next update promised by communication cN (its `next_update_due`), kept
                    by the next communication to the same audience
* `update_after:<x>` the policy's update cadence after the last external communication x (or the
                    acknowledgement, `ack`) when no next update was promised
* `legal_acknowledgement`, `legal_deadline`  the statutory clock of a privacy request
* `bbb_response`    the first regulator-audience communication of a BBB complaint
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from projections.base import Doc, parse_instant

EXTERNAL_AUDIENCES = ("public", "customer", "regulator", "executive", "sales_cs")


@dataclass(frozen=True)
class Targets:
    first_response: timedelta
    update_every: timedelta
    resolution: timedelta
    business_hours: bool = False


@dataclass(frozen=True)
class BusinessHours:
    start: time = time(9)
    end: time = time(17)
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0

    def add(self, moment: datetime, duration: timedelta) -> datetime:
        """`duration` of working time after `moment` (UTC business hours)."""
        remaining = duration
        current = moment
        for _ in range(3660):  # ten years of days at most
            day_start = datetime.combine(current.date(), self.start, tzinfo=current.tzinfo)
            day_end = datetime.combine(current.date(), self.end, tzinfo=current.tzinfo)
            if current.weekday() in self.weekdays and current < day_end:
                begin = max(current, day_start)
                available = day_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            current = datetime.combine(
                current.date() + timedelta(days=1), time(0), tzinfo=current.tzinfo
            )
        raise ValueError("business hours never open; check the SLA settings")


@dataclass(frozen=True)
class SlaPolicy:
    """Targets per (source, severity); "*" matches any. Most specific wins."""

    targets: dict[str, Targets]
    bbb_response_window: timedelta = timedelta(days=14)
    hours: BusinessHours = field(default_factory=BusinessHours)

    def for_case(self, source: str, severity: str) -> Targets:
        for key in (f"{source}:{severity}", f"{source}:*", f"*:{severity}", "*:*"):
            if key in self.targets:
                return self.targets[key]
        raise KeyError(f"no SLA targets for {source}:{severity} and no '*:*' default")

    def due(self, start: datetime, duration: timedelta, business: bool) -> datetime:
        return self.hours.add(start, duration) if business else start + duration


@dataclass(frozen=True)
class TargetState:
    target: str
    due_at: datetime
    met_at: datetime | None
    state: str  # met | missed | pending | not_applicable
    breach_recorded: bool


def targets(doc: Doc, policy: SlaPolicy, now: datetime) -> list[TargetState]:
    """Every target of the case and where it stands at `now`."""
    t = policy.for_case(doc["source"], doc["severity"])
    received = _req(doc["received_at"])
    acknowledged = _at(doc["acknowledged_at"])
    resolved = _at(doc["first_resolved_at"])
    ended = _at(doc["ended_at"])
    comms = [c for c in doc["comms"] if c["audience"] in EXTERNAL_AUDIENCES]
    found: list[tuple[str, datetime, datetime | None]] = []

    responded = min((m for m in (acknowledged, resolved) if m), default=None)
    found.append(
        ("first_response", policy.due(received, t.first_response, t.business_hours), responded)
    )
    found.append(("resolution", policy.due(received, t.resolution, t.business_hours), resolved))
    for n, comm in enumerate(comms):
        if comm["due"]:
            # A promise to an audience is kept by the next message to that same audience.
            later = next(
                (c["at"] for c in comms[n + 1 :] if c["audience"] == comm["audience"]), None
            )
            found.append((f"update:{comm['id']}", _req(comm["due"]), _at(later)))
    promised = bool(comms and comms[-1]["due"])
    if not promised and (comms or acknowledged):
        last = _req(comms[-1]["at"]) if comms else acknowledged
        assert last is not None
        name = f"update_after:{comms[-1]['id']}" if comms else "update_after:ack"
        found.append((name, policy.due(last, t.update_every, t.business_hours), None))
    if doc.get("acknowledge_by"):
        found.append(("legal_acknowledgement", _req(doc["acknowledge_by"]), acknowledged))
    if doc.get("deadline"):
        found.append(("legal_deadline", _req(doc["deadline"]), resolved))
    if doc["source"] == "bbb_complaint":
        first_reply = next((c["at"] for c in comms if c["audience"] == "regulator"), None)
        found.append(("bbb_response", received + policy.bbb_response_window, _at(first_reply)))

    horizon = min(now, ended) if ended else now
    result = []
    for name, due, met in found:
        if met is not None:
            state = "met" if met <= due else "missed"
        elif due < horizon:
            state = "missed"
        else:
            state = "not_applicable" if ended else "pending"
        if name.startswith("update_after") and ended and state != "missed":
            state = "not_applicable"
        result.append(TargetState(name, due, met, state, name in doc["breaches"]))
    return result


def _at(text: str | None) -> datetime | None:
    return parse_instant(text)


def _req(text: Any) -> datetime:
    moment = parse_instant(text)
    assert moment is not None
    return moment
