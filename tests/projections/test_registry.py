"""Every reader of the escalation events covers the catalogue exactly (infra/readers.py)."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from domain.escalation import EVENTS, Escalation
from infra.readers import ALL, READERS, REPLAYED, TRACKED, Reader, problems, rows, table_text
from projections.base import Fold
from projections.cases.base import CasesFold
from projections.dispatch import Dispatch
from projections.search.base import SearchFold
from projections.status.base import StatusFold
from tests.domain.ready import READY
from tests.domain.support import Clock


def test_every_reader_handles_or_ignores_every_event_of_the_catalogue() -> None:
    assert problems() == []


def test_a_new_event_no_reader_declares_is_reported_for_every_reader() -> None:
    surprise = type("Surprise", (Escalation.Event,), {"__module__": __name__})
    found = problems(READERS, (*EVENTS, surprise))
    assert len(found) == len(READERS)
    assert all("neither handled nor ignored: Surprise" in line for line in found)


def test_a_reader_missing_a_handler_is_reported() -> None:
    search = next(r for r in READERS if r.name == "search view")
    lacking = Reader(
        search.name, search.lifecycle, search.where, search.handles - {Escalation.Closed},
        search.ignores,
    )  # fmt: skip
    assert problems([lacking]) == ["search view: neither handled nor ignored: Escalation.Closed"]


def test_a_reader_naming_an_event_outside_the_catalogue_is_reported() -> None:
    stray = type("Stray", (), {})
    reader = Reader("stray", TRACKED, "nowhere", ALL | {stray}, frozenset())
    assert problems([reader]) == ["stray: not in the catalogue: Stray"]


def test_an_event_both_handled_and_ignored_is_reported() -> None:
    reader = Reader("twice", REPLAYED, "nowhere", ALL, frozenset({Escalation.Opened}))
    assert problems([reader]) == ["twice: both handled and ignored: Escalation.Opened"]


def test_one_event_class_gets_one_handler() -> None:
    table: Dispatch[object] = Dispatch()
    table.register(Escalation.Opened)(print)
    with pytest.raises(ValueError, match="has a handler already"):
        table.register(Escalation.Opened)(repr)


def test_the_deadline_watcher_reads_only_what_the_cases_view_keeps() -> None:
    by_name = {r.name: r for r in READERS}
    assert by_name["sla watcher"].handles <= by_name["cases view"].handles


def test_the_registry_prints_one_row_per_reader() -> None:
    assert [row[0] for row in rows()] == [r.name for r in READERS]
    assert len(table_text().splitlines()) == len(READERS) + 1


TRACKED_FOLDS = [SearchFold(), CasesFold(), StatusFold()]
STAMPS = {"version", "updated_at"}  # the search row's stamps, moved by every event


@pytest.mark.parametrize("event", sorted(READY))
@pytest.mark.parametrize("fold", TRACKED_FOLDS, ids=lambda fold: type(fold).__name__)
def test_an_event_a_tracked_view_ignores_leaves_its_document_alone(fold: Fold, event: str) -> None:
    command = READY[event](Clock())
    command.run("tester", command.stream.modified_on + timedelta(minutes=5))
    *before, last = command.stream.pending_events
    assert type(last).__name__ == event
    doc = None
    for earlier in before:
        doc = fold.apply(doc, earlier)
    kept = copy.deepcopy(doc)
    after = fold.apply(doc, last)
    if type(last) in type(fold).ignores:
        unstamped = {k: v for k, v in (after or {}).items() if k not in STAMPS}
        assert unstamped == {k: v for k, v in (kept or {}).items() if k not in STAMPS}
    else:
        assert type(last) in type(fold).handles
