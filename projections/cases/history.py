"""The case ledger as it stood at a past moment, for the queue and the SLA report `?as_of`.

The ledger keeps each case as it is now; a case as it was is its events up to the moment folded
again by the same fold. A breach is a fact of the due time, so the breaches recorded later whose
target was due by the moment are kept: the watcher may have run long after (or been down across)
the due time, and the report as of a moment between the two must still show the breach.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from projections.base import Doc, parse_instant
from projections.cases.base import CasesFold, CasesView

EventsOf = Callable[[str], Iterable[Any]]
"""The events of one escalation, in order, by its id."""


def case_as_of(events: Iterable[Any], current: Doc, moment: datetime) -> Doc | None:
    """The case document from the events up to `moment`, with the breaches due by then."""
    fold = CasesFold()
    doc: Doc | None = None
    for event in events:
        if event.timestamp > moment:
            break
        doc = fold.apply(doc, event)
    if doc is None:
        return None
    due_by_then = {
        target: breach for target, breach in current["breaches"].items() if _due(breach) <= moment
    }
    doc["breaches"] = due_by_then | doc["breaches"]
    return doc


def cases_as_of(view: CasesView, events_of: EventsOf, moment: datetime) -> list[Doc]:
    """Every case opened by `moment`, as it stood then, except those over before it (a case
    whose last end is before the moment was not reopened after it, or it would have no end)."""
    cases = []
    for current in view.cases_opened_by(moment):
        ended = parse_instant(current["ended_at"])
        if ended is not None and ended <= moment:
            # Over by then and not reopened since: every time the SLA readings use is as it was
            # then (later feedback, a later close or post-mortem change none of them).
            cases.append(current)
            continue
        doc = case_as_of(events_of(current["id"]), current, moment)
        if doc is not None:
            cases.append(doc)
    return cases


def open_as_of(docs: list[Doc]) -> list[Doc]:
    """The cases of `docs` that were still open."""
    return [doc for doc in docs if doc["ended_at"] is None]


def _due(breach: dict[str, Any]) -> datetime:
    due = parse_instant(breach["due_at"])
    assert due is not None
    return due
