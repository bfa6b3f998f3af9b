"""Subject keys in the SQLite event store file.

Deleting for good in SQLite takes two things: `secure_delete`, so the freed cell is overwritten
with zeros instead of left in a free page, and a TRUNCATE checkpoint, so the WAL frames that
still hold the row are copied back and the -wal file is emptied.
"""

from __future__ import annotations

from datetime import datetime

from eventsourcing.sqlite import SQLiteDatastore

from infra.privacy.crypto import MasterKey
from infra.privacy.keys import TABLE, KeyRow, SubjectKeys


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
        self._checkpoint()
        return bool(deleted)

    def _checkpoint(self) -> None:
        if self.datastore.pool.is_sqlite_memory_mode:
            return
        with self.datastore.get_connection(commit=True) as connection:
            cursor = connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.fetchall()

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
