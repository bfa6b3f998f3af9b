"""What an erasure costs: opening with the identifier index, erasing by phone with no reader
(erased at once) and with a reader open (pending), and one shred of the key table as it grows.

.venv/bin/python -m bench.erasure [--customers 1000] [--keys 20000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator

from infra.bootstrap import build
from infra.erasure import erase_by_identifier
from infra.privacy.crypto import MasterKey
from infra.settings import Settings

FIELDS = {"title": "Refund", "scope": "customer", "source": "email", "severity": "SEV3"}


@contextlib.contextmanager
def held_snapshot(url: str) -> Iterator[None]:
    """A reader holding the store as it was, as a backup or a long report does."""
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("BEGIN")
        connection.execute("SELECT count(*) FROM subject_keys").fetchall()
        yield
        connection.close()
        return
    import psycopg

    with psycopg.connect(url.split("?")[0]) as connection:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        connection.execute("SELECT 1").fetchall()
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--keys", type=int, default=20_000)
    parser.add_argument("--erasures", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/erasure.db"
        master = MasterKey.generate().to_base64()
        container = build(Settings(database_url=url, master_key=master))
        app = container.app
        opens = []
        for i in range(args.customers):
            customer = {"name": f"P{i}", "email": f"p{i}@bench.example", "phone": f"+1 555 {i:07d}"}
            began = time.perf_counter()
            app.open(actor="bench", customer=customer, **FIELDS)
            opens.append(time.perf_counter() - began)
        print(f"open with a customer: median {statistics.median(opens) * 1000:.2f} ms")
        for _ in range(args.keys - args.customers):
            app.subject_keys.get_or_create(str(uuid.uuid4()))
        erased = []
        for i in range(args.erasures):
            began = time.perf_counter()
            [outcome] = erase_by_identifier(app, {"phone": f"+1 555 {i:07d}"}, actor="bench")
            erased.append(time.perf_counter() - began)
            assert outcome.state == "erased", outcome.pending_reason
        print(
            f"erase by phone, no reader, {args.keys} keys: median "
            f"{statistics.median(erased) * 1000:.1f} ms, max {max(erased) * 1000:.1f} ms"
        )
        with held_snapshot(url):
            began = time.perf_counter()
            [outcome] = erase_by_identifier(
                app, {"phone": f"+1 555 {args.customers - 1:07d}"}, actor="bench"
            )
            print(
                f"erase by phone with a reader open: {(time.perf_counter() - began) * 1000:.0f} "
                f"ms, {outcome.state} ({outcome.pending_reason})"
            )
        began = time.perf_counter()
        reason = app.subject_keys.shred()
        print(
            f"shred after the reader closed: {(time.perf_counter() - began) * 1000:.1f} ms, {reason}"
        )
        container.close()


if __name__ == "__main__":
    main()
