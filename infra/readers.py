"""Every reader of the escalation events, in one table: what it reads and when it runs.

Lifecycles:
- `inline`: in the command's own transaction (the aggregate's state, which the commands decide on);
- `tracked`: asynchronously, by a runner that records how far it got (the SQL views, the relay);
- `replayed on read`: nothing is stored; each read replays one escalation's stream.

Each reader names the events it handles and the ones it ignores; `tests/projections/test_registry.py`
fails when an event of `domain.escalation.EVENTS` is neither, or when a reader names an event the
catalogue does not hold. `rows()` gives the table to print (`print(table_text())`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.escalation import EVENTS, Escalation
from projections import event_groups as group
from projections.cases.base import CasesFold
from projections.cases.postgres import PostgresCasesView
from projections.cases.sqlite import SQLiteCasesView
from projections.dispatch import uncovered
from projections.documents import fold as casefile_fold
from projections.documents import timeline
from projections.search.base import SearchFold
from projections.search.postgres import PostgresSearchView
from projections.search.sqlite import SQLiteSearchView
from projections.status.base import StatusFold
from projections.status.postgres import PostgresStatusView
from projections.status.sqlite import SQLiteStatusView

INLINE = "inline"
TRACKED = "tracked"
REPLAYED = "replayed on read"

E = Escalation
ALL: frozenset[type] = frozenset(EVENTS)

# What the deadline watcher's targets are computed from (`projections/sla.py` over the cases view).
_SLA_INPUTS: frozenset[type] = frozenset(
    {
        E.Opened,
        E.Acknowledged,
        E.SeverityChanged,
        E.StatusChanged,
        E.Communicated,
        E.SlaBreached,
        E.DeadlineExtended,
        E.Resolved,
        E.Reopened,
        E.Closed,
        E.Dismissed,
    }
)


@dataclass(frozen=True)
class Reader:
    name: str
    lifecycle: str
    where: str  # the module that does the reading
    handles: frozenset[type]
    ignores: frozenset[type]
    note: str = ""


_PAGE = (StatusFold.handles, StatusFold.ignores)
_SEARCH = (SearchFold.handles, SearchFold.ignores)
_CASES = (CasesFold.handles, CasesFold.ignores)
_CASE_FILE = (casefile_fold.HANDLES, casefile_fold.IGNORES)
_TIMELINE = (timeline.HANDLES, timeline.IGNORES)
_REPORT = (casefile_fold.HANDLES | timeline.HANDLES, casefile_fold.IGNORES & timeline.IGNORES)
_NOTHING: frozenset[type] = frozenset()
_EVERY = (ALL, _NOTHING)  # whatever an escalation stream holds
_SLA = (
    _SLA_INPUTS,
    group.TEAM_WORK
    | group.PEOPLE
    | group.LINKS
    | group.AFTERMATH
    | {E.ImpactAssessed, E.OwnerAssigned, E.CustomerDataErased, E.CommunicationDelivered},
)
_DELIVERY = (frozenset({E.Communicated}), ALL - {E.Communicated})

# fmt: off
READERS: tuple[Reader, ...] = (
    Reader("escalation state", INLINE, "domain/escalation.py", *_EVERY,
           "each event's apply(); the state the commands decide on"),
    Reader("search view", TRACKED, "projections/search/base.py", *_SEARCH,
           "GET /escalations; every event stamps the row's version"),
    Reader("status view", TRACKED, "projections/status/base.py", *_PAGE,
           "public facts; the page is folded from them on read"),
    Reader("cases view", TRACKED, "projections/cases/base.py", *_CASES,
           "queue, SLA, metrics and trend reports"),
    Reader("stakeholder updates", REPLAYED, "projections/documents/fold.py", *_CASE_FILE,
           "the case file behind the five updates"),
    Reader("post-mortem report", REPLAYED, "projections/documents/postmortem.py", *_REPORT,
           "the case file plus the public part of the timeline"),
    Reader("timeline", REPLAYED, "projections/documents/timeline.py", *_TIMELINE,
           "one sentence per event"),
    Reader("kafka relay", TRACKED, "adapters/kafka/relay.py", *_EVERY,
           "every escalation event (by topic prefix), as a CloudEvent, in store order"),
    Reader("sla watcher", TRACKED, "infra/views/sla_watcher.py", *_SLA,
           "polls the cases view for missed targets; records SlaBreached"),
    Reader("delivery worker", TRACKED, "infra/delivery/worker.py", *_DELIVERY,
           "communications sent with deliver, to the audience's lists; records CommunicationDelivered"),
)
# fmt: on

TRACKED_VIEWS: dict[str, tuple[type[Any], type[Any]]] = {
    "search": (SQLiteSearchView, PostgresSearchView),
    "status": (SQLiteStatusView, PostgresStatusView),
    "cases": (SQLiteCasesView, PostgresCasesView),
}
"""The tracked views by the name the runners, `/healthz` and `escalations projections` use:
(SQLite implementation, PostgreSQL implementation). `infra/views/lifecycle.py` runs these."""

EVENT_READERS: dict[type, list[str]] = {
    event: [r.name for r in READERS if event in r.handles] for event in EVENTS
}
"""Who reads each event, e.g. `EVENT_READERS[Escalation.Opened]`."""


def problems(readers: Iterable[Reader] = READERS, catalogue: Iterable[type] = EVENTS) -> list[str]:
    """Each reader whose declared events do not cover `catalogue` exactly, and why."""
    events = tuple(catalogue)
    found = []
    for reader in readers:
        wrong = uncovered(reader.handles, reader.ignores, events)
        if wrong:
            found.append(f"{reader.name}: {wrong}")
    return found


def rows() -> list[tuple[str, str, str, str]]:
    """(reader, lifecycle, events read, module): the registry as a table."""
    return [(r.name, r.lifecycle, _events(r.handles), r.where) for r in READERS]


def event_rows() -> list[tuple[str, str]]:
    """(event, readers): the registry the other way round."""
    return [(event.__name__, ", ".join(names)) for event, names in EVENT_READERS.items()]


def table_text() -> str:
    lines = [f"{'reader':34} {'lifecycle':17} events"]
    lines += [f"{name:34} {lifecycle:17} {events}" for name, lifecycle, events, _ in rows()]
    return "\n".join(lines)


def _events(classes: frozenset[type]) -> str:
    if classes == ALL:
        return "all"
    return ", ".join(event.__name__ for event in EVENTS if event in classes)
