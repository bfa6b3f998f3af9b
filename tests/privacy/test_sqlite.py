"""The erasure and key store suites on SQLite: the scan reads the database file, its -wal and -shm
files byte by byte, and every table through SQL."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from tests.backends import OnSQLite
from tests.privacy.erasure_behaviour import ErasureBehaviour
from tests.privacy.shredding_behaviour import ShreddingBehaviour
from tests.privacy.subject_keys_behaviour import OLD, SubjectKeysBehaviour, container_with, open_for


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


class TestErasureOnSQLite(OnSQLite, ErasureBehaviour):
    def raw_store_text(self, url: str) -> str:
        database = sqlite_path(url)
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        chunks = [f.read_bytes().decode("utf-8", "replace") for f in files if f.exists()]
        assert chunks and len(chunks[0]) > 0
        with sqlite3.connect(database) as connection:
            tables = [
                r[0]
                for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            assert {"stored_events", "stored_snapshots", "subject_keys"} <= set(tables)
            for table in tables:
                for row in connection.execute(f'SELECT * FROM "{table}"'):
                    chunks.extend(
                        v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                        for v in row
                    )
        return "\n".join(chunks)


class TestSubjectKeysOnSQLite(OnSQLite, SubjectKeysBehaviour):
    def test_a_deleted_key_leaves_no_bytes_in_the_database_or_its_wal(self, url: str) -> None:
        container = container_with(url, OLD)
        try:
            escalation_id = open_for(container, "Shredded")
            subject = container.app.get(escalation_id).customer["subject_id"]
            database = sqlite_path(url)
            with sqlite3.connect(database) as connection:
                key_id, wrapped = connection.execute(
                    "SELECT key_id, wrapped_key FROM subject_keys WHERE subject_id = ?", (subject,)
                ).fetchone()

            assert container.app.subject_keys.delete(subject)
            assert container.app.subject_keys.shred() is None

            for file in (database, Path(f"{database}-wal")):
                if file.exists():
                    raw = file.read_bytes()
                    assert wrapped not in raw and key_id not in raw, file
        finally:
            container.close()


class TestShreddingOnSQLite(OnSQLite, ShreddingBehaviour):
    @contextlib.contextmanager
    def reader(self, url: str) -> Iterator[None]:
        connection = sqlite3.connect(sqlite_path(url), isolation_level=None)
        try:
            connection.execute("BEGIN")
            assert connection.execute("SELECT count(*) FROM subject_keys").fetchone()[0] > 0
            yield
        finally:
            connection.rollback()
            connection.close()

    def raw_bytes(self, url: str) -> bytes:
        database = sqlite_path(url)
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        return b"".join(f.read_bytes() for f in files if f.exists())

    def stored_keys(self, url: str) -> dict[str, tuple[bytes, bytes]]:
        with contextlib.closing(sqlite3.connect(sqlite_path(url))) as connection:
            rows = connection.execute("SELECT subject_id, key_id, wrapped_key FROM subject_keys")
            return {str(s): (bytes(k), bytes(w)) for s, k, w in rows}

    def forget_index(self, url: str) -> None:
        with contextlib.closing(sqlite3.connect(sqlite_path(url))) as connection, connection:
            connection.execute("DELETE FROM subject_identifiers")
            connection.execute("DELETE FROM subject_index_state")
