"""Scheduled maintenances as the status page shows them at a moment, folded from the view's facts.

Lifecycle: a live read on top of the tracked status view, like the incidents (`page.py`): the
view keeps each maintenance's public facts with their times; what the page shows `as_of` any
moment is the facts up to then. A maintenance is `scheduled` until it is started, `in_progress`
until it is completed, then `completed`; Statuspage's fourth state, `verifying`, is not used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from projections.base import Doc, parse_instant

UPCOMING = "scheduled"
ACTIVE = "in_progress"
COMPLETED = "completed"
MAINTENANCE_FACTS = ("maintenance", "maintenance_started", "maintenance_completed")
"""The view's fact kinds of a maintenance (the incidents' fold leaves them to this one)."""
UPDATE_TEXT = {
    UPCOMING: "The maintenance is scheduled.",
    ACTIVE: "The scheduled maintenance is in progress.",
    COMPLETED: "The scheduled maintenance has been completed.",
}


@dataclass
class Maintenance:
    id: str  # the escalation's id and the maintenance's own: unique on the page
    name: str
    description: str
    status: str
    components: list[str]
    scheduled_for: datetime
    scheduled_until: datetime
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    updates: list[dict[str, Any]] = field(default_factory=list)  # newest first

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


def fold_maintenances(doc: Doc, at: datetime) -> list[Maintenance]:
    """The maintenances of one escalation as they stood at `at`."""
    found: dict[str, Maintenance] = {}
    for when, kind, data in doc["facts"]:
        moment = parse_instant(when)
        assert moment is not None
        if moment > at:
            break
        if kind == "maintenance":
            starts, ends = parse_instant(data["starts_at"]), parse_instant(data["ends_at"])
            assert starts is not None and ends is not None
            found[data["id"]] = Maintenance(
                id=f"{doc['id']}-{data['id']}",
                name=data["title"],
                description=data["description"],
                status=UPCOMING,
                components=list(data["components"]),
                scheduled_for=starts,
                scheduled_until=ends,
                created_at=moment,
                updated_at=moment,
            )
        elif kind in ("maintenance_started", "maintenance_completed") and data["id"] in found:
            maintenance = found[data["id"]]
            maintenance.updated_at = moment
            if kind == "maintenance_started":
                maintenance.status, maintenance.started_at = ACTIVE, moment
            else:
                maintenance.status, maintenance.completed_at = COMPLETED, moment
        else:
            continue
        maintenance = found[data["id"]]
        body = maintenance.description if kind == "maintenance" else ""
        maintenance.updates.insert(
            0,
            {
                "id": f"{maintenance.id}-{len(maintenance.updates) + 1}",
                "status": maintenance.status,
                "body": body or UPDATE_TEXT[maintenance.status],
                "at": moment,
            },
        )
    return list(found.values())
