"""Subject keys in the SQLite event store file.

Deleting for good in SQLite takes two things: `secure_delete`, so the freed cell is overwritten
with zeros instead of left in a free page, and a TRUNCATE checkpoint, so the WAL frames that
still hold the row are copied back and the -wal file is emptied. The checkpoint cannot finish
while any connection (another process, a backup, a BI query) reads an older snapshot from the WAL:
SQLite then reports it busy, and the WAL still holds the key. `shred` says so instead of
pretending, and is tried again until it finishes.
"""

from __future__ import annotations

from datetime import datetime

from eventsourcing.sqlite import SQLiteDatastore

from infra.privacy.crypto import MasterKey
from infra.privacy.keys import INDEX_TABLE, STATE_TABLE, TABLE, KeyRow, SubjectKeys

SHRED_WAIT_MS = 50


class SQLiteSubjectKeys(SubjectKeys):
    def __init__(
        self, datastore: SQLiteDatastore, master: MasterKey, previous: tuple[MasterKey, ...] = ()
    ) -> None:
        super().__init__(master, previous)
        self.datastore = datastore

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} ("
                "subject_id TEXT PRIMARY KEY, key_id BLOB NOT NULL, master_key_id TEXT NOT NULL, "
                "wrapped_key BLOB NOT NULL, created_at TEXT NOT NULL) WITHOUT ROWID"
            )
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {INDEX_TABLE} (digest BLOB NOT NULL, "
                "subject_id TEXT NOT NULL, master_key_id TEXT NOT NULL, "
                "PRIMARY KEY (digest, subject_id)) WITHOUT ROWID"
            )
            c.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_subject ON {INDEX_TABLE} (subject_id)"
            )
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} "
                "(name TEXT PRIMARY KEY, position INTEGER NOT NULL)"
            )

    def _insert_digests(self, subject_id: str, master_key_id: str, digests: list[bytes]) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.executemany(
                f"INSERT INTO {INDEX_TABLE} VALUES (?, ?, ?) "
                "ON CONFLICT (digest, subject_id) DO NOTHING",
                [(d, subject_id, master_key_id) for d in digests],
            )

    def _select_subjects(self, digests: list[tuple[str, bytes]]) -> list[str]:
        with self.datastore.transaction(commit=False) as c:
            found: list[str] = []
            for master_key_id, value in digests:
                c.execute(
                    f"SELECT subject_id FROM {INDEX_TABLE} WHERE digest = ? AND master_key_id = ?",
                    (value, master_key_id),
                )
                found.extend(str(row[0]) for row in c.fetchall())
            return found

    def _delete_digests(self, subject_id: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete = ON")
            c.execute(f"DELETE FROM {INDEX_TABLE} WHERE subject_id = ?", (subject_id,))

    def drop_digests_not_under(self, master_key_id: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete = ON")
            c.execute(f"DELETE FROM {INDEX_TABLE} WHERE master_key_id <> ?", (master_key_id,))

    def backfilled_through(self) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position FROM {STATE_TABLE} WHERE name = 'backfill'")
            found = c.fetchone()
        return None if found is None else int(found[0])

    def mark_backfilled(self, position: int) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {STATE_TABLE} VALUES ('backfill', ?) "
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                (position,),
            )

    def _select(self, subject_id: str) -> KeyRow | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT subject_id, key_id, master_key_id, wrapped_key FROM {TABLE} "
                "WHERE subject_id = ?",
                (subject_id,),
            )
            found = c.fetchone()
        return None if found is None else KeyRow(*found)

    def _insert_or_select(self, row: KeyRow, created_at: datetime) -> KeyRow:
        with self.datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete = ON")
            c.execute(
                f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?) ON CONFLICT (subject_id) DO NOTHING",
                (
                    row.subject_id,
                    row.key_id,
                    row.master_key_id,
                    row.wrapped_key,
                    created_at.isoformat(),
                ),
            )
            c.execute(
                f"SELECT subject_id, key_id, master_key_id, wrapped_key FROM {TABLE} "
                "WHERE subject_id = ?",
                (row.subject_id,),
            )
            return KeyRow(*c.fetchone())

    def _delete(self, subject_id: str) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete = ON")
            c.execute(f"DELETE FROM {TABLE} WHERE subject_id = ? RETURNING key_id", (subject_id,))
            deleted = c.fetchall()
        return bool(deleted)

    def shred(self) -> str | None:
        if self.datastore.pool.is_sqlite_memory_mode:
            return None  # nothing is on disk; the memory goes with the process
        with self.datastore.get_connection(commit=True) as connection:
            cursor = connection.cursor()
            # TRUNCATE waits for readers through the busy handler; an erasure request should not
            # wait seconds for a backup, it answers pending and the background job tries again.
            cursor.execute("PRAGMA busy_timeout")
            (waited,) = cursor.fetchone()
            cursor.execute(f"PRAGMA busy_timeout = {SHRED_WAIT_MS}")
            try:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy, _, _ = cursor.fetchone()
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {int(waited)}")
        if busy:
            return (
                "another connection holds a read transaction on the SQLite database (a backup, "
                "a query left open), so its write-ahead log, which still holds the deleted key, "
                "cannot be emptied yet"
            )
        return None

    def _wrapped_by_other_than(self, master_key_id: str) -> list[KeyRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT subject_id, key_id, master_key_id, wrapped_key FROM {TABLE} "
                "WHERE master_key_id <> ?",
                (master_key_id,),
            )
            return [KeyRow(*found) for found in c.fetchall()]

    def _replace_wrapping(self, row: KeyRow, master_key_id: str, wrapped_key: bytes) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete = ON")
            c.execute(
                f"UPDATE {TABLE} SET master_key_id = ?, wrapped_key = ? "
                "WHERE subject_id = ? AND key_id = ? RETURNING subject_id",
                (master_key_id, wrapped_key, row.subject_id, row.key_id),
            )
            return bool(c.fetchall())
