"""The public status page's view: the public facts of public-facing escalations, and nothing else.

Lifecycle: async, tracked, with a live read on top. The runner keeps, per global or group-scope
escalation, a list of *public facts* (title, severity, status, component impact, public-audience
communications, resolution, scheduled maintenances, the publication of the post-mortem) with
their event times. Customer-scope escalations, internal notes,
customer fields, descriptions and non-public communications are never written to this view, so the
page cannot leak them. The page itself (now, or `as_of` any moment) is folded from those facts at
read time: what was true at T is the facts with a time up to T.

An escalation reaches the page with its first public communication: until then nothing of it shows,
not even its components' state. A maintenance is public from the moment it is scheduled, so it
publishes its escalation's maintenances (not the incident: that still waits for a public update).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, ClassVar

from domain.escalation import Escalation
from projections import event_groups as group
from projections.base import (
    Column,
    Doc,
    Fold,
    TrackedView,
    ViewProjection,
    instant,
    parse_instant,
)
from projections.dispatch import Dispatch
from projections.status.maintenance import MAINTENANCE_FACTS

PUBLIC_SCOPES = ("global", "group")


E = Escalation
Fact = tuple[str, dict[str, Any]]
_FACTS: Dispatch[Callable[[Any], Fact | None]] = Dispatch()


@_FACTS.register(E.Communicated)
def _communicated(e: Any) -> Fact | None:
    if e.audience != "public":
        return None
    return "update", {
        "id": e.communication_id,
        "subject": e.subject,
        "body": e.body,
        "status": e.status_at_time,
    }


@_FACTS.register(E.SeverityChanged)
def _severity(e: Any) -> Fact:
    return "severity", {"severity": e.to_severity}


@_FACTS.register(E.StatusChanged)
def _status(e: Any) -> Fact:
    return "status", {"status": e.to_status}


@_FACTS.register(E.ImpactAssessed)
def _impact(e: Any) -> Fact:
    return "impact", {"components": dict(e.components)}


@_FACTS.register(E.MaintenanceScheduled)
def _maintenance_scheduled(e: Any) -> Fact:
    # Every field of a scheduled maintenance is public: the command announces it.
    return "maintenance", {
        "id": e.maintenance_id,
        "title": e.title,
        "description": e.description,
        "components": list(e.components),
        "starts_at": instant(e.starts_at),
        "ends_at": instant(e.ends_at),
    }


@_FACTS.register(E.MaintenanceStarted)
def _maintenance_started(e: Any) -> Fact:
    return "maintenance_started", {"id": e.maintenance_id}


@_FACTS.register(E.MaintenanceCompleted)
def _maintenance_completed(e: Any) -> Fact:
    return "maintenance_completed", {"id": e.maintenance_id}


@_FACTS.register(E.PostMortemPublished)
def _postmortem_published(e: Any) -> Fact:
    # Only that and when it was published: its public sections are read from the stream when
    # the public post-mortem is asked for, so nothing unpublished is ever kept here.
    return "postmortem", {"revision": e.revision}


# The stored fact kinds are the view's own words: a renamed event must not rename them.
_ENDINGS = {
    E.Resolved: "resolved",
    E.Reopened: "reopened",
    E.Closed: "closed",
    E.Dismissed: "dismissed",
}


def _ending(e: Any) -> Fact:
    return _ENDINGS[type(e)], {}


_FACTS.register(*_ENDINGS)(_ending)


class StatusFold(Fold):
    """Its own fold, not the aggregate's state: the page as of any past moment needs each public
    fact with its time (severity and impact as they moved), which the aggregate does not keep.
    `ignores`: events with nothing public in them."""

    handles: ClassVar = frozenset({E.Opened}) | _FACTS.handles
    ignores: ClassVar = (
        group.TEAM_WORK
        | group.PEOPLE
        | group.LINKS
        | group.DEADLINES
        | (group.AFTERMATH - {E.PostMortemPublished})
        | {
            E.Acknowledged,
            E.OwnerAssigned,
            E.CustomerDataErased,
            E.CommunicationDelivered,
        }
    )
    columns: ClassVar = (
        Column("opened_at", "text"),
        Column("ended_at", "text"),
        Column("published", "int"),
    )

    def apply(self, doc: Doc | None, event: Any) -> Doc | None:
        at = instant(event.timestamp)
        if isinstance(event, E.Opened):
            if event.scope not in PUBLIC_SCOPES:
                return None
            return {
                "id": str(event.originator_id),
                "opened_at": at,
                "ended_at": None,
                "published": 0,
                "facts": [
                    [
                        at,
                        "opened",
                        {
                            "title": event.title,
                            "severity": event.severity,
                            "components": {c: "" for c in event.components},
                        },
                    ]
                ],
            }
        if doc is None:
            return None
        make = _FACTS.get(event)
        fact = None if make is None else make(event)
        if fact is None:
            return doc
        kind, data = fact
        doc["facts"].append([at, kind, data])
        if kind in ("update", "maintenance"):
            doc["published"] = 1
        # The incident's end; `ended_at` is when nothing of the escalation is live on the page
        # any more (its incident ended and no maintenance of it is pending), so that the page's
        # query can skip it. Only an escalation with maintenances keeps the two apart.
        ended = doc.get("incident_ended_at", doc["ended_at"])
        if kind in ("resolved", "dismissed") or (kind == "closed" and ended is None):
            ended = at
        elif kind == "reopened":
            ended = None
        if kind not in MAINTENANCE_FACTS and "pending_maintenances" not in doc:
            doc["ended_at"] = ended
            return doc
        pending: list[str] = doc.setdefault("pending_maintenances", [])
        if kind == "maintenance":
            pending.append(data["id"])
        elif kind == "maintenance_completed" and data["id"] in pending:
            pending.remove(data["id"])
            doc["maintenance_done_at"] = at
        doc["incident_ended_at"] = ended
        done = doc.get("maintenance_done_at")
        doc["ended_at"] = None if pending or ended is None else max(ended, done or ended)
        return doc

    def labels(self, doc: Doc) -> Iterable[tuple[str, str]]:
        """("component", "<first named at> <name>") for each component the escalation names:
        when a component first appeared in the history is read from these across every
        escalation, not only the ones the page's window holds."""
        first: dict[str, str] = {}
        for when, kind, data in doc["facts"]:
            if kind in ("opened", "impact"):
                named = list(data["components"])
            elif kind == "maintenance":
                named = data["components"]
            else:
                continue
            for name in named:
                first.setdefault(name, when)
        return [("component", f"{when} {name}") for name, when in first.items()]


class StatusView(TrackedView):
    name: ClassVar[str] = "status"
    fold = StatusFold()

    def documents_for(self, at: datetime, window: timedelta) -> list[Doc]:
        """The published escalations that may matter at `at`: opened by then and not ended before
        the window starts (a superset; the page's fold decides exactly)."""
        rows = self.query(
            f"SELECT doc FROM {self.docs_ref} WHERE published = 1 AND opened_at <= ? "
            "AND (ended_at IS NULL OR ended_at >= ?) ORDER BY opened_at, id",
            [instant(at), instant(at - window)],
        )
        return [json.loads(r["doc"]) for r in rows]

    def components_since(self) -> dict[str, datetime]:
        """When each component was first named by a published escalation."""
        rows = self.query(
            f"SELECT l.value FROM {self.labels_ref} l JOIN {self.docs_ref} d ON d.id = l.id "
            "WHERE l.kind = 'component' AND d.published = 1"
        )
        first: dict[str, datetime] = {}
        for row in rows:
            when, _, name = str(row["value"]).partition(" ")
            moment = parse_instant(when)
            if moment is not None and (name not in first or moment < first[name]):
                first[name] = moment
        return first

    def document(self, escalation_id: str) -> Doc | None:
        """One published escalation's public facts, or None."""
        rows = self.query(
            f"SELECT doc FROM {self.docs_ref} WHERE id = ? AND published = 1", [escalation_id]
        )
        return json.loads(rows[0]["doc"]) if rows else None


class StatusProjection(ViewProjection):
    """The status view driven by an eventsourcing projection runner."""

    name = "status"
