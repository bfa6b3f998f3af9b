"""The views' conformance suites, each run on SQLite and on PostgreSQL (skipped locally when it is
down, never in CI)."""

from __future__ import annotations

from tests.projections.cases_behaviour import CasesBehaviour
from tests.projections.search_behaviour import SearchBehaviour
from tests.projections.status_behaviour import StatusBehaviour


class TestSearchView(SearchBehaviour):
    pass


class TestStatusView(StatusBehaviour):
    pass


class TestCasesView(CasesBehaviour):
    pass
