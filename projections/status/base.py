"""The public status page's view: the public facts of public-facing escalations, and nothing else.

Lifecycle: async, tracked, with a live read on top. The runner keeps, per global or group-scope
escalation, a list of *public facts* (title, severity, status, component impact, public-audience
communications, resolution) with their event times. Customer-scope escalations, internal notes,
customer fields, descriptions and non-public communications are never written to this view, so the
page cannot leak them. The page itself (now, or `as_of` any moment) is folded from those facts at
read time: what was true at T is the facts with a time up to T.

An escalation reaches the page with its first public communication: until then nothing of it shows,
not even its components' state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar

from domain.escalation import Escalation
from projections import event_groups as group
from projections.base import Column, Doc, Fold, TrackedView, ViewProjection, instant
from projections.dispatch import Dispatch

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
        | group.AFTERMATH
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
        if kind == "update":
            doc["published"] = 1
        elif kind in ("resolved", "dismissed") or (kind == "closed" and doc["ended_at"] is None):
            doc["ended_at"] = at
        elif kind == "reopened":
            doc["ended_at"] = None
        return doc


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


class StatusProjection(ViewProjection):
    """The status view driven by an eventsourcing projection runner."""

    name = "status"
