from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from infra.bootstrap import ensure_postgres_schema
from infra.settings import Settings
from tests.kafka.broker import TansuBroker
from tests.kafka.fakes import Tickets


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/kafka/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.kafka)


@pytest.fixture(scope="session")
def broker() -> Iterator[TansuBroker]:
    """One broker for the session; tests keep apart by using their own topics."""
    with TansuBroker() as tansu:
        yield tansu


@pytest.fixture
def private_broker() -> Iterator[TansuBroker]:
    """A broker of the test's own, for tests that stop and restart it."""
    with TansuBroker() as tansu:
        yield tansu


@pytest.fixture
def topics() -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return {
        "events": f"events-{suffix}",
        "signals": f"signals-{suffix}",
        "dead_letters": f"dlq-{suffix}",
        "group": f"ingest-{suffix}",
    }


@pytest.fixture
def store_env(database_url: str) -> dict[str, str]:
    """eventsourcing configuration for the throwaway application, on each backend the product
    supports (the shared `database_url` fixture: a SQLite file, a PostgreSQL schema)."""
    settings = Settings(database_url=database_url)
    if settings.is_postgres:
        ensure_postgres_schema(settings)
    return settings.eventsourcing_env()


@pytest.fixture
def tickets(store_env: dict[str, str]) -> Iterator[Tickets]:
    app = Tickets(env=store_env)
    yield app
    app.close()
