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
* `bbb_deadline`    the response date the BBB set on a complaint (the case's deadline)
* `account_commitment` the date promised to a key account (a priority-support case's deadline)
* `committed_deadline` the deadline of any other case
* `bbb_response`    the first regulator-audience communication of a BBB complaint

Each target also carries its name in people's words (`label`), which the queue and the SLA report
build their reasons from; the code (`target`) stays the machine-readable key. A breach is a fact of
the due time: a missed target is breached at `due_at`, whenever the watcher recorded it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
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
    label: str = ""  # the target in people's words: "next update to executives"
    promised: bool = False  # the due time was promised to someone (a next-update time)

    @property
    def kind(self) -> str:
        """The family of the target, without the communication it belongs to: `update`."""
        return self.target.split(":", 1)[0]


# The case's own `deadline` means a different promise per source; only a privacy request's is
# legal. Breaches stored before these names existed say `legal_deadline` for all of them.
DEADLINE_TARGETS = {
    "privacy_request": "legal_deadline",
    "bbb_complaint": "bbb_deadline",
    "priority_support": "account_commitment",
}
OTHER_DEADLINE = "committed_deadline"
HARD_DEADLINES = frozenset({*DEADLINE_TARGETS.values(), OTHER_DEADLINE, "legal_acknowledgement"})
AUDIENCE_WORDS = {
    "public": "the public",
    "customer": "the customer",
    "regulator": "the regulator",
    "executive": "executives",
    "sales_cs": "sales and customer success",
}


def deadline_target(source: str) -> str:
    return DEADLINE_TARGETS.get(source, OTHER_DEADLINE)


def recorded_breaches(doc: Doc) -> dict[str, dict[str, Any]]:
    """The case's recorded breaches by target, the old `legal_deadline` under its current name."""
    recorded = dict(doc["breaches"])
    current = deadline_target(doc["source"])
    if current != "legal_deadline" and "legal_deadline" in recorded:
        recorded.setdefault(current, recorded.pop("legal_deadline"))
    return recorded


def _labels(doc: Doc) -> dict[str, str]:
    regime = (doc.get("privacy_regime") or "").upper()
    legal = f" ({regime})" if regime else ""
    return {
        "first_response": "first response",
        "resolution": "resolution",
        "legal_acknowledgement": f"legal acknowledgement{legal}",
        "legal_deadline": f"legal deadline{legal}",
        "bbb_deadline": "BBB response deadline",
        "account_commitment": "account commitment",
        "committed_deadline": "committed deadline",
        "bbb_response": "first reply to the BBB",
    }


def targets(doc: Doc, policy: SlaPolicy, now: datetime) -> list[TargetState]:
    """Every target of the case and where it stands at `now`."""
    t = policy.for_case(doc["source"], doc["severity"])
    received = _req(doc["received_at"])
    acknowledged = _at(doc["acknowledged_at"])
    resolved = _at(doc["first_resolved_at"])
    ended = _at(doc["ended_at"])
    comms = [c for c in doc["comms"] if c["audience"] in EXTERNAL_AUDIENCES]
    found: list[tuple[str, datetime, datetime | None]] = []
    labels = _labels(doc)

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
            labels[f"update:{comm['id']}"] = f"next update to {_audience(comm['audience'])}"
    promised = bool(comms and comms[-1]["due"])
    if not promised and (comms or acknowledged):
        last = _req(comms[-1]["at"]) if comms else acknowledged
        assert last is not None
        name = f"update_after:{comms[-1]['id']}" if comms else "update_after:ack"
        found.append((name, policy.due(last, t.update_every, t.business_hours), None))
        labels[name] = (
            f"next update to {_audience(comms[-1]['audience'])}"
            if comms
            else "first update after the acknowledgement"
        )
    if doc.get("acknowledge_by"):
        found.append(("legal_acknowledgement", _req(doc["acknowledge_by"]), acknowledged))
    if doc.get("deadline"):
        found.append((deadline_target(doc["source"]), _req(doc["deadline"]), resolved))
    if doc["source"] == "bbb_complaint":
        first_reply = next((c["at"] for c in comms if c["audience"] == "regulator"), None)
        found.append(("bbb_response", received + policy.bbb_response_window, _at(first_reply)))

    horizon = min(now, ended) if ended else now
    recorded = recorded_breaches(doc)
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
        result.append(
            TargetState(
                name,
                due,
                met,
                state,
                name in recorded,
                label=labels[name],
                promised=name.startswith("update:"),
            )
        )
    return result


def _audience(audience: str) -> str:
    return AUDIENCE_WORDS.get(audience, audience.replace("_", " "))


# ------------------------------------------------------------------ in people's words


def duration_words(delta: timedelta) -> str:
    """A duration as people say it: 20 min, 2 h, 2 h 5 min, 3 d, 3 d 4 h (rounded down)."""
    seconds = abs(int(delta.total_seconds()))
    days, hours, minutes = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def clock_words(moment: datetime, now: datetime) -> str:
    """A moment as a time of day (UTC), with its date when it is not on `now`'s day."""
    moment, now = moment.astimezone(UTC), now.astimezone(UTC)
    if moment.date() == now.date():
        return moment.strftime("%H:%M UTC")
    return f"{moment.day} {moment.strftime('%b %H:%M UTC')}"


def reason(state: TargetState, now: datetime) -> str:
    """Where one target stands at `now`, in words: "first response overdue by 2 h"."""
    label = state.label or state.target
    if state.state == "met":
        said = f"{label} met"
    elif state.state == "missed" and state.met_at is not None:
        said = f"{label} missed by {duration_words(state.met_at - state.due_at)}"
    elif state.state == "missed":
        said = f"{label} overdue by {duration_words(now - state.due_at)}"
    elif state.kind in HARD_DEADLINES:
        said = f"{label} in {duration_words(state.due_at - now)}"
    else:
        said = f"{label} due in {duration_words(state.due_at - now)}"
    if state.promised:
        said += f" (promised {clock_words(state.due_at, now)})"
    return said


def _at(text: str | None) -> datetime | None:
    return parse_instant(text)


def _req(text: Any) -> datetime:
    moment = parse_instant(text)
    assert moment is not None
    return moment
