"""The erasure suite on PostgreSQL: the scan reads every row of every table in the test's schema,
text columns as they are and bytea decoded."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import psycopg
from psycopg import sql

from tests.backends import OnPostgreSQL
from tests.conftest import POSTGRES_BASE
from tests.privacy.erasure_behaviour import ErasureBehaviour
from tests.privacy.shredding_behaviour import ShreddingBehaviour
from tests.privacy.subject_keys_behaviour import SubjectKeysBehaviour


def schema_of(url: str) -> str:
    return parse_qs(urlparse(url).query)["schema"][0]


def raw_rows(url: str) -> list[tuple[str, tuple[object, ...]]]:
    schema = schema_of(url)
    with psycopg.connect(POSTGRES_BASE) as connection:
        tables = [
            r[0]
            for r in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            )
        ]
        rows = []
        for table in tables:
            query = sql.SQL("SELECT * FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            rows.extend((table, tuple(row)) for row in connection.execute(query))
        return rows


class TestErasureOnPostgreSQL(OnPostgreSQL, ErasureBehaviour):
    def raw_store_text(self, url: str) -> str:
        rows = raw_rows(url)
        tables = {table for table, _ in rows}
        assert {"escalations_events", "escalations_snapshots", "subject_keys"} <= tables, tables
        return "\n".join(
            bytes(v).decode("utf-8", "replace") if isinstance(v, bytes | memoryview) else str(v)
            for _, row in rows
            for v in row
        )


class TestSubjectKeysOnPostgreSQL(OnPostgreSQL, SubjectKeysBehaviour):
    pass


def key_table(url: str) -> sql.Composed:
    return sql.SQL("{}.subject_keys").format(sql.Identifier(schema_of(url)))


class TestShreddingOnPostgreSQL(OnPostgreSQL, ShreddingBehaviour):
    @contextlib.contextmanager
    def reader(self, url: str) -> Iterator[None]:
        # As pg_dump reads: one REPEATABLE READ snapshot held for the whole dump.
        with psycopg.connect(POSTGRES_BASE, application_name="test-reader") as connection:
            connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            found = connection.execute(sql.SQL("SELECT count(*) FROM {}").format(key_table(url)))
            assert found.fetchone()[0] > 0  # type: ignore[index]
            yield
            connection.rollback()

    def raw_bytes(self, url: str) -> bytes:
        """Every page of the key table, read raw with pageinspect (dead tuples included)."""
        relation = f'"{schema_of(url)}".subject_keys'
        with psycopg.connect(POSTGRES_BASE, autocommit=True) as connection:
            with contextlib.suppress(psycopg.errors.UniqueViolation):
                connection.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
            pages = connection.execute(
                "SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int",
                (relation,),
            ).fetchone()[0]  # type: ignore[index]
            return b"".join(
                bytes(
                    connection.execute("SELECT get_raw_page(%s, %s)", (relation, page)).fetchone()[
                        0
                    ]  # type: ignore[index]
                )
                for page in range(pages)
            )

    def stored_keys(self, url: str) -> dict[str, tuple[bytes, bytes]]:
        with psycopg.connect(POSTGRES_BASE) as connection:
            rows = connection.execute(
                sql.SQL("SELECT subject_id, key_id, wrapped_key FROM {}").format(key_table(url))
            ).fetchall()
        return {str(s): (bytes(k), bytes(w)) for s, k, w in rows}

    def forget_index(self, url: str) -> None:
        schema = sql.Identifier(schema_of(url))
        with psycopg.connect(POSTGRES_BASE) as connection:
            connection.execute(sql.SQL("DELETE FROM {}.subject_identifiers").format(schema))
            connection.execute(sql.SQL("DELETE FROM {}.subject_index_state").format(schema))
