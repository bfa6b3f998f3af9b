"""The views' conformance suites on SQLite."""

from __future__ import annotations

from tests.projections.cases_behaviour import CasesBehaviour
from tests.projections.search_behaviour import SearchBehaviour
from tests.projections.status_behaviour import StatusBehaviour


class TestSearchOnSQLite(SearchBehaviour):
    backend = "sqlite"


class TestStatusOnSQLite(StatusBehaviour):
    backend = "sqlite"


class TestCasesOnSQLite(CasesBehaviour):
    backend = "sqlite"
