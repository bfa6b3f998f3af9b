"""Shared fixtures: temporary SQLite files and throwaway PostgreSQL schemas, a fixed clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

POSTGRES_BASE = os.environ.get(
    "ESCALATIONS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_BASE, connect_timeout=3):
            return True
    except Exception:
        return False


class ManualClock:
    """A clock the test moves by hand; starts on a fixed Monday morning."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


# One fixed master key for every test process (and for the servers they start), as a deployment
# would set ESCALATIONS_MASTER_KEY. Tests of the key file unset it themselves.
TEST_MASTER_KEY = "dGVzdCBtYXN0ZXIga2V5LCBub3QgcHJvZHVjdGlvbiE="
os.environ.setdefault("ESCALATIONS_MASTER_KEY", TEST_MASTER_KEY)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/escalations.db"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not postgres_reachable():
        if IN_CI:
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is required in CI and is not reachable")
        pytest.skip("PostgreSQL is not running here (it is required, and never skipped, in CI)")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{POSTGRES_BASE}?schema={schema}"
    with psycopg.connect(POSTGRES_BASE, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request) -> str:
    """Each test using this runs once per backend."""
    return request.getfixturevalue(f"{request.param}_url")
