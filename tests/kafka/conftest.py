from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kafka.broker import TansuBroker
from tests.kafka.fakes import Tickets

POSTGRES = {
    "POSTGRES_DBNAME": "test",
    "POSTGRES_HOST": "127.0.0.1",
    "POSTGRES_PORT": "5432",
    "POSTGRES_USER": "postgres",
    "POSTGRES_PASSWORD": "",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/kafka/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.kafka)


@pytest.fixture(scope="session")
def broker() -> Iterator[TansuBroker]:
    """One broker for the session; tests keep apart by using their own topics."""
    tansu = TansuBroker()
    tansu.start()
    yield tansu
    tansu.stop()


@pytest.fixture
def private_broker() -> Iterator[TansuBroker]:
    """A broker of the test's own, for tests that stop and restart it."""
    tansu = TansuBroker()
    tansu.start()
    yield tansu
    tansu.stop()


@pytest.fixture
def topics() -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return {
        "events": f"events-{suffix}",
        "signals": f"signals-{suffix}",
        "dead_letters": f"dlq-{suffix}",
        "group": f"ingest-{suffix}",
    }


def _postgres_available() -> bool:
    import psycopg

    try:
        with psycopg.connect(
            host="127.0.0.1", port=5432, user="postgres", dbname="test", connect_timeout=2
        ):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    import psycopg

    if not _postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 and CI=true")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    schema = f"kafka_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="test", autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    yield schema
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="test", autocommit=True) as c:
        c.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Environment for an eventsourcing application on each backend the product supports."""
    if request.param == "sqlite":
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(tmp_path / "store.db"),
        }
    schema = request.getfixturevalue("postgres_schema")
    return {"PERSISTENCE_MODULE": "eventsourcing.postgres", **POSTGRES, "POSTGRES_SCHEMA": schema}


@pytest.fixture
def tickets(store_env: dict[str, str]) -> Iterator[Tickets]:
    app = Tickets(env=store_env)
    yield app
    app.close()
