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

LEVELS = ("operational", "degraded_performance", "partial_outage", "major_outage")
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
    "critical": "Major Service Outage",
}
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
        if kind not in ("status", "update", "closed"):  # those leave component levels alone
            mark(moment)
    if not updates or dismissed:
        return None
    if resolved_at is not None and updates[0]["status"] != "resolved":
        resolved_text = iso_z(resolved_at) or ""
        updates.insert(0, _update(doc["id"], resolved_at, resolved_text, {"status": "resolved"}))
    return Incident(
        id=doc["id"],
        name=name,
        status=status,
        impact=SEVERITY_IMPACT[severity],
        created_at=created,
        updated_at=updated,
        monitoring_at=monitoring_at,
        resolved_at=resolved_at,
        components=levels(),
        updates=updates,
        segments=segments,
    )


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
) -> StatusPage:
    incidents = [i for i in (fold_incident(d, at) for d in docs) if i is not None]
    active = sorted((i for i in incidents if i.active), key=lambda i: i.created_at, reverse=True)
    since = at - timedelta(days=history_days)
    history = sorted(
        (i for i in incidents if i.resolved_at is not None and i.resolved_at >= since),
        key=lambda i: i.resolved_at or at,
        reverse=True,
    )
    names = list(dict.fromkeys(configured_components))
    for incident in sorted(incidents, key=lambda i: i.created_at):
        names += [c for c in incident.components if c not in names]
    components = [_component(n, incidents, active, at, uptime_days) for n in names]
    indicator = max(
        [LEVEL_INDICATOR[c.status] for c in components] + [i.impact for i in active],
        key=INDICATORS.index,
        default="none",
    )
    updated = max((i.updated_at for i in incidents), default=at)
    return StatusPage(
        at=at,
        page_id=page_id,
        page_name=page_name,
        url=url,
        indicator=indicator,
        description=INDICATOR_TEXT[indicator],
        components=components,
        incidents=active,
        history=history,
        updated_at=updated,
    )


def _component(
    name: str, incidents: list[Incident], active: list[Incident], at: datetime, days: int
) -> ComponentState:
    status = worst([i.components[name] for i in active if name in i.components])
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


def summary_json(page: StatusPage) -> dict[str, Any]:
    """The page as Statuspage's public summary.json."""
    return {
        "page": {
            "id": page.page_id,
            "name": page.page_name,
            "url": page.url,
            "time_zone": "Etc/UTC",
            "updated_at": iso_z(page.updated_at),
        },
        "components": [
            {
                "id": component_id(c.name),
                "name": c.name,
                "status": c.status,
                "created_at": None,
                "updated_at": iso_z(c.updated_at),
                "position": n + 1,
                "description": None,
                "showcase": True,
                "start_date": None,
                "group_id": None,
                "page_id": page.page_id,
                "group": False,
                "only_show_if_degraded": False,
                "uptime_percent": c.uptime,
            }
            for n, c in enumerate(page.components)
        ],
        "incidents": [_incident_json(i, page) for i in page.incidents],
        "scheduled_maintenances": [],
        "status": {"indicator": page.indicator, "description": page.description},
    }


def _incident_json(incident: Incident, page: StatusPage) -> dict[str, Any]:
    return {
        "id": incident.id,
        "name": incident.name,
        "status": incident.status,
        "created_at": iso_z(incident.created_at),
        "updated_at": iso_z(incident.updated_at),
        "monitoring_at": iso_z(incident.monitoring_at),
        "resolved_at": iso_z(incident.resolved_at),
        "impact": incident.impact,
        "shortlink": f"{page.url.rstrip('/')}/status#incident-{incident.id}",
        "started_at": iso_z(incident.created_at),
        "page_id": page.page_id,
        "incident_updates": [
            {
                "id": u["id"],
                "status": u["status"],
                "body": u["body"],
                "incident_id": incident.id,
                "created_at": u["at_iso"],
                "updated_at": u["at_iso"],
                "display_at": u["at_iso"],
                "affected_components": None,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
            for u in incident.updates
        ],
        "components": [
            {"id": component_id(name), "name": name, "status": level, "page_id": page.page_id}
            for name, level in incident.components.items()
        ],
    }


def iso_z(moment: datetime | None) -> str | None:
    text = instant(moment)
    return None if text is None else text.replace(".000000Z", "Z")
