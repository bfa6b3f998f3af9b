"""Subject keys in the PostgreSQL event store's schema.

A DELETE leaves the row as a dead tuple in the table's pages until VACUUM reclaims the space (and
in the server's WAL until its segments are recycled, and in any backup): so each delete is
followed by a VACUUM of this small table. What VACUUM cannot reach is in docs/privacy.md; a
leftover wrapped key is useless without the master key.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier

from infra.privacy.crypto import MasterKey
from infra.privacy.keys import TABLE, KeyRow, SubjectKeys

log = logging.getLogger("escalations.privacy")

_COLUMNS = SQL("subject_id, key_id, master_key_id, wrapped_key")


class PostgresSubjectKeys(SubjectKeys):
    def __init__(
        self, datastore: PostgresDatastore, master: MasterKey, previous: tuple[MasterKey, ...] = ()
    ) -> None:
        super().__init__(master, previous)
        self.datastore = datastore
        self.table = SQL("{}.{}").format(Identifier(datastore.schema), Identifier(TABLE))

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {} (subject_id TEXT PRIMARY KEY, "
                    "key_id BYTEA NOT NULL, master_key_id TEXT NOT NULL, "
                    "wrapped_key BYTEA NOT NULL, created_at TIMESTAMPTZ NOT NULL)"
                ).format(self.table)
            )

    def _select(self, subject_id: str) -> KeyRow | None:
        # One statement on an autocommit connection: one round trip, where a transaction would
        # cost three (BEGIN, SELECT, ROLLBACK) on every read of a customer's escalation.
        with self.datastore.get_connection() as connection:
            found = connection.execute(
                SQL("SELECT {} FROM {} WHERE subject_id = %s").format(_COLUMNS, self.table),
                (subject_id,),
            ).fetchone()
        return None if found is None else _row(found)

    def _insert_or_select(self, row: KeyRow, created_at: datetime) -> KeyRow:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                SQL(
                    "INSERT INTO {} VALUES (%s, %s, %s, %s, %s) ON CONFLICT (subject_id) DO NOTHING"
                ).format(self.table),
                (row.subject_id, row.key_id, row.master_key_id, row.wrapped_key, created_at),
            )
            c.execute(
                SQL("SELECT {} FROM {} WHERE subject_id = %s").format(_COLUMNS, self.table),
                (row.subject_id,),
            )
            found = c.fetchone()
        assert found is not None
        return _row(found)

    def _delete(self, subject_id: str) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                SQL("DELETE FROM {} WHERE subject_id = %s RETURNING key_id").format(self.table),
                (subject_id,),
            )
            deleted = c.fetchall()
        if deleted:
            self._vacuum()
        return bool(deleted)

    def _vacuum(self) -> None:
        # VACUUM cannot run inside a transaction block; the pool's connections are autocommit.
        # A failure here (say, missing privileges) leaves the key deleted but its dead tuple on
        # disk until autovacuum; it is logged, not raised, because the erasure itself succeeded.
        try:
            with self.datastore.get_connection() as connection:
                connection.execute(SQL("VACUUM {}").format(self.table))
        except Exception as error:
            log.warning("VACUUM of %s after a key deletion failed: %s", TABLE, error)

    def _wrapped_by_other_than(self, master_key_id: str) -> list[KeyRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                SQL("SELECT {} FROM {} WHERE master_key_id <> %s").format(_COLUMNS, self.table),
                (master_key_id,),
            )
            return [_row(found) for found in c.fetchall()]

    def _replace_wrapping(self, row: KeyRow, master_key_id: str, wrapped_key: bytes) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                SQL(
                    "UPDATE {} SET master_key_id = %s, wrapped_key = %s "
                    "WHERE subject_id = %s AND key_id = %s RETURNING subject_id"
                ).format(self.table),
                (master_key_id, wrapped_key, row.subject_id, row.key_id),
            )
            return bool(c.fetchall())


def _row(found: dict[str, Any]) -> KeyRow:
    return KeyRow(
        str(found["subject_id"]),
        bytes(found["key_id"]),
        str(found["master_key_id"]),
        bytes(found["wrapped_key"]),
    )
