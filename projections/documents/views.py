"""Per-escalation documents as plain view objects, replayed on read from one stream's events.

Lifecycle: live. Nothing is stored; each read folds the events of one escalation, and a read as
of a past moment folds only the events recorded up to that moment. Templates render these
objects; nothing here renders, and nothing here loads an aggregate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import takewhile
from typing import Any

from domain.escalation import Escalation
from projections.documents.casefile import CaseFile
from projections.documents.common import Header, header
from projections.documents.external_updates import (
    CustomerUpdate,
    SalesCsUpdate,
    customer_update,
    sales_cs_update,
)
from projections.documents.fold import fold
from projections.documents.internal_updates import (
    ExecutiveUpdate,
    TacticalUpdate,
    executive_update,
    tactical_update,
)
from projections.documents.postmortem import (
    DRAFT,
    PUBLISHED,
    PostmortemMissing,
    PostmortemNotPublished,
    PostmortemReport,
    postmortem_report,
)
from projections.documents.regulator import NoRegulator, RegulatorResponse, regulator_response
from projections.documents.timeline import TimelineEntry, build_timeline

__all__ = [
    "AUDIENCES",
    "DRAFT",
    "PUBLISHED",
    "NoRegulator",
    "NotYetOpened",
    "PostmortemMissing",
    "PostmortemNotPublished",
    "TimelineView",
    "UnknownAudience",
    "UpdateView",
    "postmortem_view",
    "timeline_view",
    "update_view",
]

UpdateView = ExecutiveUpdate | TacticalUpdate | SalesCsUpdate | CustomerUpdate | RegulatorResponse

BUILDERS: dict[str, Callable[[CaseFile, datetime], Any]] = {
    "executive": executive_update,
    "tactical": tactical_update,
    "sales_cs": sales_cs_update,
    "customer": customer_update,
    "regulator": regulator_response,
}
AUDIENCES: tuple[str, ...] = tuple(BUILDERS)

# Audiences that are communicated to but read something other than a generated update.
ELSEWHERE = {
    "public": "the public reads the status page at /status",
    "internal": "the team reads the tactical update at updates/tactical and the timeline",
}


class UnknownAudience(LookupError):
    def __init__(self, audience: str) -> None:
        hint = ELSEWHERE.get(audience)
        known = ", ".join(AUDIENCES)
        detail = f"there is no update for audience {audience!r}; updates exist for: {known}"
        super().__init__(f"{detail} ({hint})" if hint else detail)


class NotYetOpened(LookupError):
    """Asked for a moment before the escalation's first event."""


@dataclass(frozen=True)
class TimelineView:
    header: Header
    entries: list[TimelineEntry]


def up_to(events: Iterable[Any], as_of: datetime | None) -> list[Any]:
    """The events recorded at or before `as_of`; a stream's times never go backwards."""
    if as_of is None:
        return list(events)
    return list(takewhile(lambda event: event.timestamp <= as_of, events))


def breaches_due_by(events: list[Any], as_of: datetime | None, kept: list[Any]) -> list[Any]:
    """Breaches recorded after `as_of` whose target was already missed by then: a breach is a
    fact of its due time, so the timeline as of that moment shows it."""
    if as_of is None:
        return []
    later = events[len(kept) :]
    return [e for e in later if isinstance(e, Escalation.SlaBreached) and e.due_at <= as_of]


def _case(events: Iterable[Any], as_of: datetime | None) -> tuple[CaseFile, list[Any]]:
    kept = up_to(events, as_of)
    if not kept:
        raise NotYetOpened(
            f"the escalation did not exist yet at {as_of.isoformat() if as_of else 'that time'}"
        )
    return fold(kept), kept


def update_view(
    audience: str, events: Iterable[Any], *, now: datetime, as_of: datetime | None = None
) -> UpdateView:
    """The update for `audience` as it reads at `as_of` (or `now`)."""
    builder = BUILDERS.get(audience)
    if builder is None:
        raise UnknownAudience(audience)
    case, _ = _case(events, as_of)
    view: UpdateView = builder(case, as_of or now)
    return view


def postmortem_view(
    events: Iterable[Any],
    *,
    now: datetime,
    as_of: datetime | None = None,
    revision: str | None = None,
    may_read_drafts: bool = True,
) -> PostmortemReport:
    """The post-mortem as it read at `as_of`: the published revision, or for a reader who may
    read drafts the latest draft while none is published (`revision` names one explicitly)."""
    events = list(events)
    case, kept = _case(events, as_of)
    return postmortem_report(
        case,
        build_timeline(kept + breaches_due_by(events, as_of, kept)),
        as_of or now,
        wanted=revision,
        may_read_drafts=may_read_drafts,
    )


def timeline_view(
    events: Iterable[Any], *, now: datetime, as_of: datetime | None = None
) -> TimelineView:
    events = list(events)
    case, kept = _case(events, as_of)
    entries = build_timeline(kept + breaches_due_by(events, as_of, kept))
    return TimelineView(header=header(case, "Timeline", "team", as_of or now), entries=entries)
