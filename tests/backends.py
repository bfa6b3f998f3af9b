"""The event-store backends a behaviour suite runs on, as mixins that provide its `url` fixture.

A suite is written once as `<Subject>Behaviour` (no Test prefix, so not collected itself) and
subclassed once per backend: `class TestSubjectOnSQLite(OnSQLite, SubjectBehaviour)` in
`test_sqlite.py`, `class TestSubjectOnPostgreSQL(OnPostgreSQL, SubjectBehaviour)` in
`test_postgres.py`.
"""

from __future__ import annotations

import pytest


class OnSQLite:
    backend = "sqlite"

    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


@pytest.mark.postgres
class OnPostgreSQL:
    backend = "postgres"

    @pytest.fixture
    def url(self, postgres_url: str) -> str:
        return postgres_url
