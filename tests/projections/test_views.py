"""The views' conformance suites, each subclassed once per backend (`tests/backends.py`)."""

from __future__ import annotations

from tests.backends import OnPostgreSQL, OnSQLite
from tests.projections.cases_behaviour import CasesBehaviour
from tests.projections.search_behaviour import SearchBehaviour
from tests.projections.status_behaviour import StatusBehaviour


class TestSearchViewOnSQLite(OnSQLite, SearchBehaviour):
    pass


class TestSearchViewOnPostgreSQL(OnPostgreSQL, SearchBehaviour):
    pass


class TestStatusViewOnSQLite(OnSQLite, StatusBehaviour):
    pass


class TestStatusViewOnPostgreSQL(OnPostgreSQL, StatusBehaviour):
    pass


class TestCasesViewOnSQLite(OnSQLite, CasesBehaviour):
    pass


class TestCasesViewOnPostgreSQL(OnPostgreSQL, CasesBehaviour):
    pass
