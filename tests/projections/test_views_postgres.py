"""The views' conformance suites on PostgreSQL (skipped locally when it is down, never in CI)."""

from __future__ import annotations

import pytest

from tests.projections.cases_behaviour import CasesBehaviour
from tests.projections.search_behaviour import SearchBehaviour
from tests.projections.status_behaviour import StatusBehaviour

pytestmark = pytest.mark.postgres


class TestSearchOnPostgres(SearchBehaviour):
    backend = "postgres"


class TestStatusOnPostgres(StatusBehaviour):
    backend = "postgres"


class TestCasesOnPostgres(CasesBehaviour):
    backend = "postgres"
