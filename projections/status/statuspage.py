"""The status page as Atlassian Statuspage's public API v2 shapes it, so its clients read ours.

Pure: a `StatusPage` in, JSON-ready dicts out. `summary` is what `/api/v2/summary.json` (and
`/status.json`) answers; the other functions answer the narrower routes. Beyond Statuspage's
fields an incident carries `postmortem_url` (its published post-mortem, or null) and a component
its `uptime_percent`.
"""

from __future__ import annotations

from typing import Any

from projections.status.maintenance import Maintenance
from projections.status.page import Incident, StatusPage, component_id, iso_z

MAINTENANCE_IMPACT = "maintenance"


def _base(page: StatusPage) -> str:
    return page.url.rstrip("/")


def page_json(page: StatusPage) -> dict[str, Any]:
    return {
        "id": page.page_id,
        "name": page.page_name,
        "url": page.url,
        "time_zone": "Etc/UTC",
        "updated_at": iso_z(page.updated_at),
    }


def status(page: StatusPage) -> dict[str, Any]:
    return {
        "page": page_json(page),
        "status": {"indicator": page.indicator, "description": page.description},
    }


def components(page: StatusPage) -> dict[str, Any]:
    return {"page": page_json(page), "components": _components(page)}


def _components(page: StatusPage) -> list[dict[str, Any]]:
    return [
        {
            "id": component_id(c.name),
            "name": c.name,
            "status": c.status,
            "created_at": iso_z(c.created_at),
            "updated_at": iso_z(c.updated_at or c.created_at),
            "position": n + 1,
            "description": None,
            "showcase": True,
            "start_date": c.created_at.date().isoformat(),
            "group_id": None,
            "page_id": page.page_id,
            "group": False,
            "only_show_if_degraded": False,
            "uptime_percent": c.uptime,
        }
        for n, c in enumerate(page.components)
    ]


def incidents(page: StatusPage) -> dict[str, Any]:
    """Every incident the page holds: the open ones, then the history window's, newest first."""
    listed = page.incidents + page.history
    return {"page": page_json(page), "incidents": [_incident(i, page) for i in listed]}


def unresolved(page: StatusPage) -> dict[str, Any]:
    return {"page": page_json(page), "incidents": [_incident(i, page) for i in page.incidents]}


def maintenances(page: StatusPage, which: str = "all") -> dict[str, Any]:
    """`all` (newest window first), `upcoming` (still scheduled) or `active` (in progress)."""
    chosen = {
        "all": page.maintenances,
        "upcoming": page.upcoming_maintenances,
        "active": page.active_maintenances,
    }[which]
    return {
        "page": page_json(page),
        "scheduled_maintenances": [_maintenance(m, page) for m in chosen],
    }


def summary(page: StatusPage) -> dict[str, Any]:
    """Statuspage's summary.json: the page, its components, unresolved incidents, upcoming or
    in-progress maintenances and the overall status."""
    return {
        "page": page_json(page),
        "components": _components(page),
        "incidents": [_incident(i, page) for i in page.incidents],
        "scheduled_maintenances": [
            _maintenance(m, page) for m in page.active_maintenances + page.upcoming_maintenances
        ],
        "status": {"indicator": page.indicator, "description": page.description},
    }


def postmortem_path(incident_id: str) -> str:
    return f"/status/incidents/{incident_id}/postmortem"


def _affected(page: StatusPage, levels: dict[str, str]) -> list[dict[str, Any]]:
    by_name = {c.name: c for c in page.components}
    return [
        {
            "id": component_id(name),
            "name": name,
            "status": level,
            "created_at": iso_z(by_name[name].created_at) if name in by_name else None,
            "updated_at": iso_z(by_name[name].updated_at) if name in by_name else None,
            "position": list(by_name).index(name) + 1 if name in by_name else None,
            "description": None,
            "showcase": True,
            "group_id": None,
            "page_id": page.page_id,
            "group": False,
            "only_show_if_degraded": False,
        }
        for name, level in levels.items()
    ]


def _update(update: dict[str, Any], event_id: str, at: str | None) -> dict[str, Any]:
    return {
        "id": update["id"],
        "status": update["status"],
        "body": update["body"],
        "incident_id": event_id,
        "created_at": at,
        "updated_at": at,
        "display_at": at,
        "affected_components": None,
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }


def _incident(incident: Incident, page: StatusPage) -> dict[str, Any]:
    published = incident.postmortem_at is not None
    return {
        "id": incident.id,
        "name": incident.name,
        "status": incident.status,
        "created_at": iso_z(incident.created_at),
        "updated_at": iso_z(incident.updated_at),
        "monitoring_at": iso_z(incident.monitoring_at),
        "resolved_at": iso_z(incident.resolved_at),
        "impact": incident.impact,
        "shortlink": f"{_base(page)}/status#incident-{incident.id}",
        "started_at": iso_z(incident.created_at),
        "page_id": page.page_id,
        "incident_updates": [_update(u, incident.id, u["at_iso"]) for u in incident.updates],
        "components": _affected(page, incident.components),
        "postmortem_url": f"{_base(page)}{postmortem_path(incident.id)}" if published else None,
    }


def _maintenance(maintenance: Maintenance, page: StatusPage) -> dict[str, Any]:
    levels = {name: "under_maintenance" for name in maintenance.components}
    return {
        "id": maintenance.id,
        "name": maintenance.name,
        "status": maintenance.status,
        "created_at": iso_z(maintenance.created_at),
        "updated_at": iso_z(maintenance.updated_at),
        "monitoring_at": None,
        "resolved_at": iso_z(maintenance.completed_at),
        "impact": MAINTENANCE_IMPACT,
        "shortlink": f"{_base(page)}/status#maintenance-{maintenance.id}",
        "started_at": iso_z(maintenance.started_at or maintenance.scheduled_for),
        "page_id": page.page_id,
        "incident_updates": [
            _update(u, maintenance.id, iso_z(u["at"])) for u in maintenance.updates
        ],
        "components": _affected(page, levels),
        "scheduled_for": iso_z(maintenance.scheduled_for),
        "scheduled_until": iso_z(maintenance.scheduled_until),
    }
