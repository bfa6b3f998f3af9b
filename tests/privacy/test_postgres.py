"""The erasure suite on PostgreSQL: the scan reads every row of every table in the test's schema,
text columns as they are and bytea decoded."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import psycopg
from psycopg import sql

from tests.backends import OnPostgreSQL
from tests.conftest import POSTGRES_BASE
from tests.privacy.erasure_behaviour import ErasureBehaviour
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
