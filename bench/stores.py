"""The stores a benchmark runs on: a temporary SQLite file, and a throwaway PostgreSQL schema when
a server URL is given, dropped afterwards."""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections.abc import Callable


def store_arguments(description: str | None, events: int) -> argparse.ArgumentParser:
    """A benchmark's command line: `--events` and `--postgres`, then its own arguments."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--events", type=int, default=events)
    parser.add_argument("--postgres", help="e.g. postgresql://postgres@127.0.0.1:5432/test")
    return parser


def on_each_store(run: Callable[[str], None], events: int, postgres: str | None) -> None:
    """`run(database_url)` on SQLite, then on PostgreSQL when `postgres` names a server."""
    with tempfile.TemporaryDirectory() as folder:
        print(f"SQLite ({events:,} events)")
        run(f"sqlite:///{folder}/bench.db")
    if postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        print(f"PostgreSQL ({events:,} events, schema {schema})")
        try:
            run(f"{postgres}?schema={schema}")
        finally:
            import psycopg

            with psycopg.connect(postgres, autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
