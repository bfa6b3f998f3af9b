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
from datetime import datetime, timedelta
from typing import Any, ClassVar

from projections.base import Column, Doc, Fold, TrackedView, ViewProjection, event_name, instant

PUBLIC_SCOPES = ("global", "group")


class StatusFold(Fold):
    columns: ClassVar = (
        Column("opened_at", "text"),
        Column("ended_at", "text"),
        Column("published", "int"),
    )

    def apply(self, doc: Doc | None, event: Any) -> Doc | None:
        name = event_name(event)
        at = instant(event.timestamp)
        if name == "Opened":
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
        fact = self._fact(name, event)
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

    @staticmethod
    def _fact(name: str, e: Any) -> tuple[str, dict[str, Any]] | None:
        if name == "Communicated":
            if e.audience != "public":
                return None
            return "update", {
                "id": e.communication_id,
                "subject": e.subject,
                "body": e.body,
                "status": e.status_at_time,
            }
        if name == "SeverityChanged":
            return "severity", {"severity": e.to_severity}
        if name == "StatusChanged":
            return "status", {"status": e.to_status}
        if name == "ImpactAssessed":
            return "impact", {"components": dict(e.components)}
        if name in ("Resolved", "Reopened", "Closed", "Dismissed"):
            return name.lower(), {}
        return None


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
