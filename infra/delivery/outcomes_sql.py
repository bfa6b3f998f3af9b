"""The outcome store on each backend: the event store's SQLite file or PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.rows import tuple_row

from infra.delivery.outcomes import Outcomes

_SQLITE_MOMENT = "%Y-%m-%dT%H:%M:%S.%f+00:00"
"""Fixed width, always with microseconds, always UTC: text that sorts as the moments do."""


class SQLiteOutcomes(Outcomes):
    def __init__(self, datastore: SQLiteDatastore) -> None:
        self.datastore = datastore

    def transaction(self, commit: bool) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=commit)

    def table(self, name: str) -> str:
        return name

    def moment_type(self) -> str:
        return "TEXT"

    def key_column(self) -> str:
        return "INTEGER PRIMARY KEY AUTOINCREMENT"

    def to_db(self, moment: datetime | None) -> Any:
        return None if moment is None else moment.astimezone(UTC).strftime(_SQLITE_MOMENT)

    def from_db(self, value: Any) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)


class PostgresOutcomes(Outcomes):
    placeholder = "%s"

    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore

    @contextmanager
    def transaction(self, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            cursor.row_factory = tuple_row  # type: ignore[assignment]  # the recorder answers dicts
            yield cursor

    def table(self, name: str) -> str:
        schema = self.datastore.schema
        return f'"{schema}"."{name}"' if schema else name

    def moment_type(self) -> str:
        return "TIMESTAMPTZ"

    def key_column(self) -> str:
        return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"

    def to_db(self, moment: datetime | None) -> Any:
        return moment

    def from_db(self, value: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC)


def outcomes_for(recorder: Any) -> Outcomes:
    """The outcome store beside an application recorder's tables."""
    datastore = recorder.datastore
    if isinstance(datastore, PostgresDatastore):
        return PostgresOutcomes(datastore)
    return SQLiteOutcomes(datastore)
