"""Tracked document views in PostgreSQL.

Same tables as the SQLite backend (`<view>_docs`, `<view>_labels`, `<view>_tracking`) in the store's
schema. A batch is one transaction that locks the view's tracking row (`FOR UPDATE`), so two runners
of one view serialise instead of applying a batch twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from projections.base import Changes, Doc, PositionMoved, TrackedView

# COLLATE "C": text sorts and compares byte-wise, as in SQLite, so cursors agree across backends.
_TYPES = {"text": 'text COLLATE "C"', "int": "bigint", "real": "double precision"}
_PLACEHOLDER = re.compile(r"\?")


def to_pyformat(sql: str) -> str:
    """Views write their queries with `?`; psycopg wants `%s` (and a literal % doubled)."""
    return _PLACEHOLDER.sub("%s", sql.replace("%", "%%"))


class PostgresDocumentView(PostgresTrackingRecorder, TrackedView):
    name: ClassVar[str]

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        kwargs.setdefault("tracking_table_name", f"{self.name}_tracking")
        super().__init__(datastore, **kwargs)
        self.schema = self.datastore.schema
        self.docs_table = f"{self.name}_docs"
        self.labels_table = f"{self.name}_labels"
        self.docs_ref = f'"{self.schema}".{self.docs_table}'
        self.labels_ref = f'"{self.schema}".{self.labels_table}'
        self.faults_ref = f'"{self.schema}".{self.name}_faults'
        self.skips_ref = f'"{self.schema}".{self.name}_skips'
        self.view_create_statements = [
            *self._create_statements(),
            *(SQL(s).format() for s in self.fault_tables()),
        ]

    def create_table(self) -> None:
        """The library's tracking table, then the view's own tables and indexes, each statement
        in a transaction of its own: `CREATE INDEX IF NOT EXISTS` takes a share lock on its table
        even when the index exists, and one transaction holding two of them while a running batch
        writes both tables (in the other order) is a deadlock (seen when a view is opened to be
        rebuilt while its runner serves writers)."""
        super().create_table()
        for statement in self.view_create_statements:
            with self.datastore.transaction(commit=True) as c:
                c.execute(statement, prepare=False)

    def _table(self, name: str) -> Composed:
        return SQL("{}.{}").format(Identifier(self.schema), Identifier(name))

    def _create_statements(self) -> list[Composed]:
        columns = SQL("").join(
            SQL(", {} {}").format(Identifier(c.name), SQL(_TYPES[c.type]))
            for c in self.fold.columns
        )
        docs, labels = self._table(self.docs_table), self._table(self.labels_table)
        statements = [
            SQL(
                'CREATE TABLE IF NOT EXISTS {} (id text COLLATE "C" PRIMARY KEY, doc text NOT NULL{})'
            ).format(docs, columns),
            SQL(
                'CREATE TABLE IF NOT EXISTS {} (id text COLLATE "C" NOT NULL, kind text NOT NULL, '
                'value text COLLATE "C" NOT NULL, PRIMARY KEY (id, kind, value))'
            ).format(labels),
            SQL("CREATE INDEX IF NOT EXISTS {} ON {} (kind, value)").format(
                Identifier(f"{self.labels_table}_kind_value"), labels
            ),
        ]
        statements += [
            SQL("CREATE INDEX IF NOT EXISTS {} ON {} ({})").format(
                Identifier(f"{self.docs_table}_{c.name}"), docs, Identifier(c.name)
            )
            for c in self.fold.columns
            if c.indexed
        ]
        return statements

    # ------------------------------------------------------------------ writes

    def process_batch(
        self, events: Sequence[Any], tracking: Tracking, *, expected: int | None
    ) -> None:
        with self.datastore.transaction(commit=True) as c:
            actual = self._lock_position(c, tracking.application_name)
            if expected is not None and actual != expected:
                raise PositionMoved(expected, actual)
            self._store(c, self.apply_events(events, lambda keys: self._load(c, keys)))
            self.record_position(c, tracking)

    def writing(self) -> AbstractContextManager[Cursor[DictRow]]:
        return self.datastore.transaction(commit=True)

    def position_for_update(self, cursor: Any, application_name: str) -> int:
        return self._lock_position(cursor, application_name)

    def sql(self, statement: str) -> str:
        return to_pyformat(statement)

    def _load(self, c: Cursor[DictRow], keys: list[str]) -> list[tuple[str, Doc]]:
        select = SQL("SELECT id, doc FROM {} WHERE id = ANY(%s)")
        c.execute(select.format(self._table(self.docs_table)), (keys,))
        return [(r["id"], json.loads(r["doc"])) for r in c.fetchall()]

    def _lock_position(self, c: Cursor[DictRow], application_name: str) -> int:
        """The view's position, with its row locked until the transaction ends. The row is made
        first if missing, so that two runners starting together still queue on one lock."""
        table = self._table(self.tracking_table_name)
        select = SQL("SELECT notification_id FROM {} WHERE application_name=%s FOR UPDATE")
        c.execute(select.format(table), (application_name,))
        row = c.fetchone()
        if row is None:
            c.execute(
                SQL("INSERT INTO {} VALUES (%s, 0) ON CONFLICT DO NOTHING").format(table),
                (application_name,),
            )
            c.execute(select.format(table), (application_name,))
            row = c.fetchone()
        return int(row["notification_id"] or 0) if row else 0

    def _store(self, c: Cursor[DictRow], changes: Changes) -> None:
        names = [col.name for col in self.fold.columns]
        docs_table, labels_table = self._table(self.docs_table), self._table(self.labels_table)
        upsert = SQL(
            "INSERT INTO {} (id, doc{}) VALUES (%s, %s{}) ON CONFLICT (id) DO UPDATE SET "
            "doc=excluded.doc{}"
        ).format(
            docs_table,
            SQL("").join(SQL(", {}").format(Identifier(n)) for n in names),
            SQL(", %s" * len(names)),
            SQL("").join(SQL(", {0}=excluded.{0}").format(Identifier(n)) for n in names),
        )
        if changes.touched:
            delete_labels = SQL("DELETE FROM {} WHERE id = ANY(%s)").format(labels_table)
            c.execute(delete_labels, (changes.touched,))
        if changes.gone:
            delete_docs = SQL("DELETE FROM {} WHERE id = ANY(%s)").format(docs_table)
            c.execute(delete_docs, (changes.gone,))
        if changes.rows:
            c.executemany(upsert, changes.rows)
        if changes.labels:
            insert_labels = SQL("INSERT INTO {} VALUES (%s, %s, %s)").format(labels_table)
            c.executemany(insert_labels, changes.labels)

    def reset(self, application_name: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            # The tracking row first, as every batch takes it: deleting the rows first would hold
            # them while a running batch holds the position and waits for them (a deadlock).
            self._lock_position(c, application_name)
            c.execute(SQL("DELETE FROM {}").format(self._table(self.docs_table)))
            c.execute(SQL("DELETE FROM {}").format(self._table(self.labels_table)))
            c.execute(
                SQL("UPDATE {} SET notification_id = 0 WHERE application_name = %s").format(
                    self._table(self.tracking_table_name)
                ),
                (application_name,),
            )

    # ------------------------------------------------------------------- reads

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        statement = to_pyformat(sql)
        with self.datastore.get_connection() as conn, conn.cursor() as c:
            c.execute(statement, list(params))
            return [dict(row) for row in c.fetchall()]

    def close(self) -> None:
        self.datastore.close()
