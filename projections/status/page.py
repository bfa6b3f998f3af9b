"""Folding public facts into the status page as it stood at a moment, shaped like Statuspage.

`build_page` is pure: documents from the status view plus a moment in, a `StatusPage` out.

Lifecycle: a live read on top of the tracked status view. `fold_incident` is a second fold on
purpose: it folds the view's stored public facts (JSON, by the view's own fact kinds), not the
events, up to the moment asked for, so the page as of any past moment needs neither the event
store nor a rebuild, and nothing non-public is ever at hand to leak. The JSON
form follows the public `summary.json` of Atlassian Statuspage (page, status, components, incidents,
scheduled_maintenances) so that existing widgets can read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from projections.base import Doc, instant, parse_instant
from projections.status.maintenance import (
    COMPLETED,
    MAINTENANCE_FACTS,
    UPCOMING,
    Maintenance,
    fold_maintenances,
)

LEVELS = ("operational", "degraded_performance", "partial_outage", "major_outage")
"""Component states an incident sets, least to worst (`under_maintenance` is a maintenance's)."""
SEVERITY_LEVEL = {
    "SEV1": "major_outage",
    "SEV2": "partial_outage",
    "SEV3": "degraded_performance",
    "SEV4": "degraded_performance",
}
SEVERITY_IMPACT = {"SEV1": "critical", "SEV2": "major", "SEV3": "minor", "SEV4": "minor"}
LEVEL_INDICATOR = {
    "operational": "none",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
INDICATORS = ("none", "minor", "major", "critical")
INDICATOR_TEXT = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
MAINTENANCE_INDICATOR = "maintenance"
MAINTENANCE_TEXT = "Service Under Maintenance"
UNDER_MAINTENANCE = "under_maintenance"
PUBLIC_STATUS = {
    "triage": "investigating",
    "investigating": "investigating",
    "identified": "identified",
    "monitoring": "monitoring",
    "resolved": "resolved",
    "closed": "resolved",
}
RESOLVED_TEXT = "This incident has been resolved."
PARTIAL_OUTAGE_WEIGHT = 0.3  # as Statuspage counts it: a partial outage is 30% downtime


def component_id(name: str) -> str:
    return uuid5(NAMESPACE_URL, f"urn:escalations:component:{name}").hex[:12]


def worst(levels: list[str]) -> str:
    return max(levels, key=LEVELS.index, default="operational")


@dataclass
class Incident:
    id: str
    name: str
    status: str
    impact: str
    created_at: datetime
    updated_at: datetime
    monitoring_at: datetime | None
    resolved_at: datetime | None
    components: dict[str, str]
    updates: list[dict[str, Any]]  # newest first
    postmortem_at: datetime | None = None  # when its post-mortem was published
    # (start, end or None, {component: level}) while the incident was open
    segments: list[tuple[datetime, datetime | None, dict[str, str]]] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.resolved_at is None


def fold_incident(doc: Doc, at: datetime) -> Incident | None:
    """One escalation's public facts up to `at`; None when it was not on the page then."""
    name, severity, status = "", "SEV3", "investigating"
    components: dict[str, str] = {}
    updates: list[dict[str, Any]] = []
    created = parse_instant(doc["opened_at"])
    assert created is not None
    updated = created
    monitoring_at: datetime | None = None
    resolved_at: datetime | None = None
    dismissed = False
    postmortem_at: datetime | None = None
    segments: list[tuple[datetime, datetime | None, dict[str, str]]] = []

    def levels() -> dict[str, str]:
        return {c: lvl or SEVERITY_LEVEL[severity] for c, lvl in components.items()}

    def mark(moment: datetime) -> None:
        """Close the open segment and open one with the current levels, if anything changed."""
        open_now = resolved_at is None and not dismissed
        current = levels() if open_now else None
        if segments and segments[-1][1] is None:
            if current == segments[-1][2]:
                return
            segments[-1] = (segments[-1][0], moment, segments[-1][2])
        if current is not None:
            segments.append((moment, None, current))

    for when, kind, data in doc["facts"]:
        moment = parse_instant(when)
        assert moment is not None
        if moment > at:
            break
        if kind in MAINTENANCE_FACTS:
            continue  # `maintenance.py` folds a maintenance's facts
        updated = moment
        if kind == "opened":
            name, severity = data["title"], data["severity"]
            components = dict(data["components"])
        elif kind == "severity":
            severity = data["severity"]
        elif kind == "impact":
            components = dict(data["components"])
        elif kind == "status":
            status = PUBLIC_STATUS.get(data["status"], "investigating")
            if status == "monitoring":
                monitoring_at = moment
        elif kind == "update":
            if not updates and data["subject"]:
                name = data["subject"]
            updates.insert(0, _update(doc["id"], moment, when, data))
        elif kind == "resolved":
            status, resolved_at = "resolved", moment
        elif kind == "reopened":
            status, resolved_at = "investigating", None
        elif kind == "dismissed":
            dismissed = True
        elif kind == "postmortem":
            postmortem_at = moment
        if kind not in (
            "status",
            "update",
            "closed",
            "postmortem",
        ):  # those leave component levels alone
            mark(moment)
    if not updates or dismissed:
        return None
    if resolved_at is not None and updates[0]["status"] != "resolved":
        resolved_text = iso_z(resolved_at) or ""
        updates.insert(0, _update(doc["id"], resolved_at, resolved_text, {"status": "resolved"}))
    current = levels()
    return Incident(
        id=doc["id"],
        name=name,
        status=status,
        impact=_impact(current, severity),
        created_at=created,
        updated_at=updated,
        monitoring_at=monitoring_at,
        resolved_at=resolved_at,
        components=current,
        updates=updates,
        segments=segments,
        postmortem_at=postmortem_at,
    )


def _impact(components: dict[str, str], severity: str) -> str:
    """As Statuspage reckons an incident's impact: from the worst state of the components it
    affects; from the severity only when it names no component."""
    if components:
        return LEVEL_INDICATOR[worst(list(components.values()))]
    return SEVERITY_IMPACT[severity]


def _update(incident_id: str, at: datetime, text: str, data: dict[str, Any]) -> dict[str, Any]:
    status = PUBLIC_STATUS.get(data["status"], "investigating")
    body = data.get("body") or RESOLVED_TEXT
    return {
        "id": f"{incident_id}-{data.get('id', 'resolved')}",
        "status": status,
        "body": body,
        "subject": data.get("subject", ""),
        "incident_id": incident_id,
        "at": at,
        "at_iso": text.replace(".000000Z", "Z"),
    }


@dataclass
class ComponentState:
    name: str
    status: str
    uptime: float  # percent over the uptime window
    days: list[str]  # worst level per day, oldest first
    updated_at: datetime | None
    created_at: datetime  # when the history first named it (configured ones: the page's start)


@dataclass
class StatusPage:
    at: datetime
    page_id: str
    page_name: str
    url: str
    indicator: str
    description: str
    components: list[ComponentState]
    incidents: list[Incident]  # active, newest first
    history: list[Incident]  # resolved within the history window, newest first
    updated_at: datetime
    maintenances: list[Maintenance] = field(default_factory=list)  # newest window first

    @property
    def upcoming_maintenances(self) -> list[Maintenance]:
        return sorted(
            (m for m in self.maintenances if m.status == UPCOMING), key=lambda m: m.scheduled_for
        )

    @property
    def active_maintenances(self) -> list[Maintenance]:
        return [m for m in self.maintenances if m.active]

    @property
    def past_maintenances(self) -> list[Maintenance]:
        return [m for m in self.maintenances if m.status == COMPLETED]


def build_page(
    docs: list[Doc],
    at: datetime,
    *,
    page_id: str,
    page_name: str,
    url: str,
    configured_components: list[str],
    history_days: int = 14,
    uptime_days: int = 90,
    components_since: dict[str, datetime] | None = None,
) -> StatusPage:
    """`components_since`: when each component was first named in the history (from the
    view's labels, which reach beyond the documents of the window)."""
    incidents = [i for i in (fold_incident(d, at) for d in docs) if i is not None]
    since = at - timedelta(days=history_days)
    maintenances = sorted(
        (
            m
            for d in docs
            for m in fold_maintenances(d, at)
            if m.status != COMPLETED or (m.completed_at or at) >= since
        ),
        key=lambda m: m.scheduled_for,
        reverse=True,
    )
    active = sorted((i for i in incidents if i.active), key=lambda i: i.created_at, reverse=True)
    history = sorted(
        (i for i in incidents if i.resolved_at is not None and i.resolved_at >= since),
        key=lambda i: i.resolved_at or at,
        reverse=True,
    )
    names = list(dict.fromkeys(configured_components))
    for incident in sorted(incidents, key=lambda i: i.created_at):
        names += [c for c in incident.components if c not in names]
    for maintenance in reversed(maintenances):
        names += [c for c in maintenance.components if c not in names]
    first = _first_named(names, components_since or {}, incidents, maintenances, at)
    down = {c for m in maintenances if m.active for c in m.components}
    components = [
        _component(n, incidents, active, at, uptime_days, first[n], n in down) for n in names
    ]
    indicator = max(
        [LEVEL_INDICATOR.get(c.status, "none") for c in components] + [i.impact for i in active],
        key=INDICATORS.index,
        default="none",
    )
    description = INDICATOR_TEXT[indicator]
    if indicator == "none" and down:
        indicator, description = MAINTENANCE_INDICATOR, MAINTENANCE_TEXT
    updated = max(
        [i.updated_at for i in incidents] + [m.updated_at for m in maintenances], default=at
    )
    return StatusPage(
        at=at,
        page_id=page_id,
        page_name=page_name,
        url=url,
        indicator=indicator,
        description=description,
        components=components,
        incidents=active,
        history=history,
        updated_at=updated,
        maintenances=maintenances,
    )


def _first_named(
    names: list[str],
    since: dict[str, datetime],
    incidents: list[Incident],
    maintenances: list[Maintenance],
    at: datetime,
) -> dict[str, datetime]:
    """When each component was first named; a configured component no event named counts from
    the page's first moment, so that every component has a creation time."""
    seen = {name: moment for name, moment in since.items() if moment <= at}
    for moment, named in [(i.created_at, i.components) for i in incidents] + [
        (m.created_at, m.components) for m in maintenances
    ]:
        for name in named:
            seen[name] = min(seen.get(name, moment), moment)
    start = min(seen.values(), default=at)
    return {name: seen.get(name, start) for name in names}


def _component(
    name: str,
    incidents: list[Incident],
    active: list[Incident],
    at: datetime,
    days: int,
    created_at: datetime,
    under_maintenance: bool,
) -> ComponentState:
    status = worst([i.components[name] for i in active if name in i.components])
    if under_maintenance and status in ("operational", "degraded_performance"):
        status = UNDER_MAINTENANCE  # an outage still shows as one; planned downtime is no outage
    start = at - timedelta(days=days)
    spans = [
        (max(s, start), min(e or at, at), levels[name])
        for i in incidents
        for s, e, levels in i.segments
        if name in levels and (e or at) > start
    ]
    major = _union([(s, e) for s, e, lvl in spans if lvl == "major_outage"])
    down = _union([(s, e) for s, e, lvl in spans if lvl in ("major_outage", "partial_outage")])
    window = (at - start).total_seconds()
    downtime = major + PARTIAL_OUTAGE_WEIGHT * (down - major)
    cells = ["operational"] * days
    for s, e, lvl in spans:
        if e <= s:
            continue
        first = int((s - start) / timedelta(days=1))
        last = min(int((e - start - timedelta(microseconds=1)) / timedelta(days=1)), days - 1)
        for day in range(max(first, 0), last + 1):
            if LEVELS.index(lvl) > LEVELS.index(cells[day]):
                cells[day] = lvl
    touched = [i.updated_at for i in incidents if name in i.components]
    return ComponentState(
        name=name,
        status=status,
        uptime=round(100 * (1 - downtime / window), 3) if window > 0 else 100.0,
        days=cells,
        updated_at=max(touched, default=None),
        created_at=created_at,
    )


def _union(spans: list[tuple[datetime, datetime]]) -> float:
    total, end = 0.0, None
    for s, e in sorted(spans):
        if end is None or s > end:
            total += (e - s).total_seconds()
            end = e
        elif e > end:
            total += (e - end).total_seconds()
            end = e
    return total


def iso_z(moment: datetime | None) -> str | None:
    text = instant(moment)
    return None if text is None else text.replace(".000000Z", "Z")
