"""Subject keys in the PostgreSQL event store's schema.

A DELETE leaves the row as a dead tuple in the table's pages. A plain VACUUM marks its space free
but leaves its bytes in the page until something overwrites them, and no VACUUM removes a tuple
that an older snapshot (a `pg_dump`, a REPEATABLE READ report) may still see. So `shred` first
checks that no session, replication slot or prepared transaction holds a snapshot older than now
(`backend_xmin`), and only then rewrites the table with VACUUM FULL, which copies live rows only
into a new file; the old file is unlinked. What neither reaches (the server's WAL, backups,
replicas) is in docs/privacy.md; a leftover wrapped key is useless without the master key.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Composed, Identifier

from infra.privacy.crypto import MasterKey
from infra.privacy.keys import INDEX_TABLE, STATE_TABLE, TABLE, KeyRow, SubjectKeys

log = logging.getLogger("escalations.privacy")

_COLUMNS = SQL("subject_id, key_id, master_key_id, wrapped_key")
SHRED_LOCK_TIMEOUT = "200ms"

# The oldest transaction id any other snapshot may still need: sessions (a pg_dump's REPEATABLE
# READ snapshot shows as backend_xmin), replication slots (a standby with hot_standby_feedback,
# a logical decoder) and prepared transactions. None of them may predate the snapshot taken now.
_HOLDERS = SQL(
    "SELECT 'session ' || pid || coalesce(' (' || nullif(application_name, '') || ')', '') "
    "AS holder FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
    "AND datname = current_database() AND ("
    " (backend_xmin IS NOT NULL AND age(backend_xmin) >= age(%(now)s::text::xid)) OR"
    " (backend_xid IS NOT NULL AND age(backend_xid) >= age(%(now)s::text::xid)))"
    " UNION ALL SELECT 'replication slot ' || slot_name FROM pg_replication_slots"
    " WHERE coalesce(age(xmin), 0) >= age(%(now)s::text::xid)"
    " OR coalesce(age(catalog_xmin), 0) >= age(%(now)s::text::xid)"
    " UNION ALL SELECT 'prepared transaction ' || gid FROM pg_prepared_xacts"
)


class PostgresSubjectKeys(SubjectKeys):
    def __init__(
        self, datastore: PostgresDatastore, master: MasterKey, previous: tuple[MasterKey, ...] = ()
    ) -> None:
        super().__init__(master, previous)
        self.datastore = datastore
        self.table = SQL("{}.{}").format(Identifier(datastore.schema), Identifier(TABLE))
        self.index_table = SQL("{}.{}").format(
            Identifier(datastore.schema), Identifier(INDEX_TABLE)
        )
        self.state_table = SQL("{}.{}").format(
            Identifier(datastore.schema), Identifier(STATE_TABLE)
        )

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {} (subject_id TEXT PRIMARY KEY, "
                    "key_id BYTEA NOT NULL, master_key_id TEXT NOT NULL, "
                    "wrapped_key BYTEA NOT NULL, created_at TIMESTAMPTZ NOT NULL)"
                ).format(self.table)
            )
            c.execute(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {} (digest BYTEA NOT NULL, "
                    "subject_id TEXT NOT NULL, master_key_id TEXT NOT NULL, "
                    "PRIMARY KEY (digest, subject_id))"
                ).format(self.index_table)
            )
            c.execute(
                SQL("CREATE INDEX IF NOT EXISTS {} ON {} (subject_id)").format(
                    Identifier(f"{INDEX_TABLE}_subject"), self.index_table
                )
            )
            c.execute(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {} (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
                ).format(self.state_table)
            )

    def _insert_digests(self, subject_id: str, master_key_id: str, digests: list[bytes]) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.executemany(
                SQL(
                    "INSERT INTO {} VALUES (%s, %s, %s) ON CONFLICT (digest, subject_id) DO NOTHING"
                ).format(self.index_table),
                [(d, subject_id, master_key_id) for d in digests],
            )

    def _select_subjects(self, digests: list[tuple[str, bytes]]) -> list[str]:
        found: list[str] = []
        with self.datastore.get_connection() as connection:
            for master_key_id, value in digests:
                rows = connection.execute(
                    SQL(
                        "SELECT subject_id FROM {} WHERE digest = %s AND master_key_id = %s"
                    ).format(self.index_table),
                    (value, master_key_id),
                ).fetchall()
                found.extend(str(row["subject_id"]) for row in rows)
        return found

    def _delete_digests(self, subject_id: str) -> None:
        self._write(
            SQL("DELETE FROM {} WHERE subject_id = %s").format(self.index_table), subject_id
        )

    def drop_digests_not_under(self, master_key_id: str) -> None:
        self._write(
            SQL("DELETE FROM {} WHERE master_key_id <> %s").format(self.index_table), master_key_id
        )

    def backfilled_through(self) -> int | None:
        with self.datastore.get_connection() as connection:
            found = connection.execute(
                SQL("SELECT position FROM {} WHERE name = 'backfill'").format(self.state_table)
            ).fetchone()
        return None if found is None else int(found["position"])

    def mark_backfilled(self, position: int) -> None:
        self._write(
            SQL(
                "INSERT INTO {} VALUES ('backfill', %s) "
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position"
            ).format(self.state_table),
            position,
        )

    def _write(self, statement: Composed, *parameters: object) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(statement, parameters)

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
        return bool(deleted)

    def shred(self) -> str | None:
        # VACUUM cannot run inside a transaction block; the pool's connections are autocommit.
        with self.datastore.get_connection() as connection:
            reason = _older_snapshot(connection)
            if reason is not None:
                return reason
            # Every snapshot now is newer than every committed delete, so each deleted row is
            # dead to all and VACUUM FULL leaves it behind. The rewrite takes an exclusive lock
            # on this table; the lock timeout keeps it from queueing behind a reader's lock and
            # stalling every key lookup meanwhile.
            try:
                connection.execute(SQL("SET lock_timeout = {}").format(SHRED_LOCK_TIMEOUT))
                for table in (self.table, self.index_table):
                    connection.execute(SQL("VACUUM FULL {}").format(table))
            except psycopg.errors.LockNotAvailable:
                return f"a session holds a lock on {TABLE}, so it cannot be rewritten yet"
            except psycopg.Error as error:
                log.warning("VACUUM FULL of %s failed: %s", TABLE, error)
                return f"VACUUM FULL of {TABLE} failed ({error.sqlstate}); see the server log"
            finally:
                connection.execute("RESET lock_timeout")
        return None

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


def _older_snapshot(connection: Any) -> str | None:
    """Why a deleted row may still be visible to someone, or None when no snapshot predates now."""
    privileged = connection.execute(
        "SELECT usesuper OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS ok "
        "FROM pg_user WHERE usename = current_user"
    ).fetchone()
    if not privileged or not privileged["ok"]:
        return (
            "this role cannot see other sessions' snapshots; grant it pg_read_all_stats so an "
            "erasure can tell when no reader holds the deleted key any more"
        )
    # The snapshot's xmin: every transaction below it has ended, so every delete committed
    # before this moment is below it (a 32-bit xid, as backend_xmin is).
    found = connection.execute(
        "SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint % 4294967296) AS now"
    ).fetchone()
    holders = [
        str(row["holder"])
        for row in connection.execute(_HOLDERS, {"now": str(found["now"])}).fetchall()
    ]
    if holders:
        return (
            f"a snapshot older than the erasure is still open ({', '.join(holders[:3])}), so "
            f"the deleted key's row in {TABLE} cannot be removed yet"
        )
    return None


def _row(found: dict[str, Any]) -> KeyRow:
    return KeyRow(
        str(found["subject_id"]),
        bytes(found["key_id"]),
        str(found["master_key_id"]),
        bytes(found["wrapped_key"]),
    )
