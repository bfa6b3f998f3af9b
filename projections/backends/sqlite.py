"""Tracked document views in SQLite.

The library's SQLite tracking table is called `tracking` whatever the projection, so each view
names its own (`<view>_tracking`) and keeps its rows in `<view>_docs` and `<view>_labels`. A batch is
one `BEGIN IMMEDIATE` transaction: check the position, load the touched documents, write them back
with the new position.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteTrackingRecorder

from projections.base import Changes, Doc, PositionMoved, TrackedView

_TYPES = {"text": "TEXT", "int": "INTEGER", "real": "REAL"}
_CHUNK = 500


class SQLiteDocumentView(SQLiteTrackingRecorder, TrackedView):
    name: ClassVar[str]

    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        self.docs_table = f"{self.name}_docs"
        self.labels_table = f"{self.name}_labels"
        self.tracking_table = f"{self.name}_tracking"
        self.docs_ref, self.labels_ref = self.docs_table, self.labels_table
        self.faults_ref, self.skips_ref = f"{self.name}_faults", f"{self.name}_skips"
        super().__init__(datastore, **kwargs)
        t = self.tracking_table
        self.insert_tracking_statement = (
            f"INSERT INTO {t} VALUES (:application_name, :notification_id) "
            "ON CONFLICT (application_name) DO UPDATE SET notification_id = :notification_id "
            f"WHERE {t}.notification_id < :notification_id RETURNING notification_id"
        )
        self.select_max_tracking_id_statement = (
            f"SELECT MAX(notification_id) FROM {t} WHERE application_name=?"
        )

    def construct_create_table_statements(self) -> list[str]:
        columns = "".join(f", {c.name} {_TYPES[c.type]}" for c in self.fold.columns)
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self.tracking_table} (application_name TEXT, "
            "notification_id INTEGER, PRIMARY KEY (application_name)) WITHOUT ROWID",
            f"CREATE TABLE IF NOT EXISTS {self.docs_table} "
            f"(id TEXT PRIMARY KEY, doc TEXT NOT NULL{columns})",
            f"CREATE TABLE IF NOT EXISTS {self.labels_table} (id TEXT NOT NULL, kind TEXT NOT NULL, "
            "value TEXT NOT NULL, PRIMARY KEY (id, kind, value)) WITHOUT ROWID",
            f"CREATE INDEX IF NOT EXISTS {self.labels_table}_kind_value "
            f"ON {self.labels_table} (kind, value)",
        ]
        statements += [
            f"CREATE INDEX IF NOT EXISTS {self.docs_table}_{c.name} ON {self.docs_table} ({c.name})"
            for c in self.fold.columns
            if c.indexed
        ]
        return statements + self.fault_tables()

    # ------------------------------------------------------------------ writes

    @contextmanager
    def _write(self) -> Iterator[SQLiteCursor]:
        # BEGIN IMMEDIATE takes the write lock before reading, so a second runner in another
        # process waits instead of failing to upgrade a read lock half-way through a batch.
        with self.datastore.get_connection(commit=True) as connection:
            cursor = connection.cursor()
            # A view can always be rebuilt and its rows commit with their tracking position, so
            # a crash may only lose the last batches, which are applied again: no fsync per batch.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                connection.rollback()
                raise
            connection.commit()

    def writing(self) -> AbstractContextManager[SQLiteCursor]:
        return self._write()

    def position_for_update(self, cursor: Any, application_name: str) -> int:
        # Held already: the transaction began IMMEDIATE.
        cursor.execute(self.select_max_tracking_id_statement, (application_name,))
        return int(cursor.fetchone()[0] or 0)

    def process_batch(
        self, events: Sequence[Any], tracking: Tracking, *, expected: int | None
    ) -> None:
        with self._write() as c:
            c.execute(self.select_max_tracking_id_statement, (tracking.application_name,))
            actual = c.fetchone()[0] or 0
            if expected is not None and actual != expected:
                raise PositionMoved(expected, actual)
            self._store(c, self.apply_events(events, lambda keys: self._load(c, keys)))
            self.record_position(c, tracking)

    def _load(self, c: SQLiteCursor, keys: list[str]) -> Iterator[tuple[str, Doc]]:
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            c.execute(
                f"SELECT id, doc FROM {self.docs_table} WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            yield from ((row[0], json.loads(row[1])) for row in c.fetchall())

    def _store(self, c: SQLiteCursor, changes: Changes) -> None:
        names = [col.name for col in self.fold.columns]
        upsert = (
            f"INSERT INTO {self.docs_table} (id, doc{''.join(', ' + n for n in names)}) "
            f"VALUES (?, ?{', ?' * len(names)}) ON CONFLICT (id) DO UPDATE SET doc=excluded.doc"
            + "".join(f", {n}=excluded.{n}" for n in names)
        )
        c.executemany(
            f"DELETE FROM {self.labels_table} WHERE id=?", [(k,) for k in changes.touched]
        )
        c.executemany(f"DELETE FROM {self.docs_table} WHERE id=?", [(k,) for k in changes.gone])
        c.executemany(upsert, changes.rows)
        c.executemany(f"INSERT INTO {self.labels_table} VALUES (?, ?, ?)", changes.labels)

    def reset(self, application_name: str) -> None:
        with self._write() as c:
            c.execute(f"DELETE FROM {self.docs_table}")
            c.execute(f"DELETE FROM {self.labels_table}")
            c.execute(
                f"INSERT INTO {self.tracking_table} VALUES (?, 0) ON CONFLICT (application_name) "
                "DO UPDATE SET notification_id = 0",
                (application_name,),
            )

    # ------------------------------------------------------------------- reads

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, list(params))
            return [dict(row) for row in c.fetchall()]

    def close(self) -> None:
        self.datastore.close()
