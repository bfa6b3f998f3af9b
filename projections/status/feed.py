"""The entries of the status page's Atom feed, newest first: every public update of an incident,
each step of a maintenance (scheduled, started, completed) and each published post-mortem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projections.status.page import StatusPage
from projections.status.statuspage import postmortem_path

POSTMORTEM_TEXT = "The post-mortem of this incident is published."


@dataclass(frozen=True)
class FeedEntry:
    id: str  # a URN that stays the same for the same fact
    title: str
    at: datetime
    link: str  # a path on the page's base URL
    body: str


def feed_entries(page: StatusPage) -> list[FeedEntry]:
    entries = []
    for incident in page.incidents + page.history:
        anchor = f"/status#incident-{incident.id}"
        entries += [
            FeedEntry(
                f"urn:escalations:incident-update:{u['id']}",
                f"{incident.name} - {u['status']}",
                u["at"],
                anchor,
                u["body"],
            )
            for u in incident.updates
        ]
        if incident.postmortem_at is not None:
            entries.append(
                FeedEntry(
                    f"urn:escalations:postmortem:{incident.id}",
                    f"{incident.name} - post-mortem",
                    incident.postmortem_at,
                    postmortem_path(incident.id),
                    POSTMORTEM_TEXT,
                )
            )
    for maintenance in page.maintenances:
        entries += [
            FeedEntry(
                f"urn:escalations:maintenance-update:{u['id']}",
                f"{maintenance.name} - maintenance {u['status'].replace('_', ' ')}",
                u["at"],
                f"/status#maintenance-{maintenance.id}",
                u["body"],
            )
            for u in maintenance.updates
        ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
