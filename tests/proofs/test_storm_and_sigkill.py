"""Proofs against a real `escalations serve`, on SQLite and PostgreSQL, in a reduced size
(bench/reliability.py runs them at full size; the figures are in docs/reliability.md).

- A storm of threads writing to one escalation stores exactly as many events as were
  acknowledged, each at the version its answer named.
- An API process killed with SIGKILL under load loses no acknowledged command and leaves nothing
  half-written; a command whose answer was lost is applied exactly once when retried.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.proofs.load import Ledger, Server, check_streams, send, start_writers
from tests.support import bearer, issue_key

OPEN = {"title": "Storm", "scope": "global", "source": "tools_outage", "severity": "SEV2"}


def open_escalations(base: str, secret: str, count: int) -> list[str]:
    with httpx.Client(base_url=base, headers=bearer(secret), timeout=10) as http:
        return [http.post("/escalations", json=OPEN).json()["id"] for _ in range(count)]


@contextmanager
def server_with_escalations(
    url: str, count: int
) -> Iterator[tuple[Server, str, list[str], Ledger]]:
    """A real `escalations serve` on the store, a manager's key, `count` open escalations and an
    empty ledger; the server is stopped at the end."""
    secret = issue_key(url)
    server = Server(url)
    try:
        server.start()
        yield server, secret, open_escalations(server.base, secret, count), Ledger()
    finally:
        server.stop()


def storm(base: str, secret: str, ids: list[str], threads: int, per_thread: int) -> Ledger:
    ledger = Ledger()
    workers = start_writers(base, secret, ids, ledger, threads, count=per_thread)
    for worker in workers:
        worker.join()
    return ledger


def test_a_storm_on_one_escalation_stores_exactly_the_acknowledged_commands(database_url):
    secret = issue_key(database_url)
    server = Server(database_url)
    try:
        base = server.start()
        (escalation,) = open_escalations(base, secret, 1)
        ledger = storm(base, secret, [escalation], threads=12, per_thread=10)
        assert ledger.unexpected == []
        assert len(ledger.acked) == 120 and not ledger.in_doubt
        assert check_streams(base, secret, [escalation], ledger) == 120
        assert sorted(ledger.acked.values()) == list(range(2, 122))
    finally:
        server.stop()


def kill_under_load(server: Server, secret: str, ids: list[str], ledger: Ledger, acks: int) -> None:
    """Run 8 writers until `acks` more commands are acknowledged, then SIGKILL the server."""
    stop = threading.Event()
    target = len(ledger.acked) + acks
    workers = start_writers(
        server.base, secret, ids, ledger, 8, first_worker=100 * len(ledger.acked), stop=stop
    )
    deadline = time.monotonic() + 60
    while len(ledger.acked) < target and time.monotonic() < deadline:
        time.sleep(0.005)
    server.kill()
    stop.set()
    for worker in workers:
        worker.join()


def test_sigkill_under_load_loses_no_acknowledged_command(database_url):
    with server_with_escalations(database_url, 3) as (server, secret, ids, ledger):
        for _ in range(2):
            kill_under_load(server, secret, ids, ledger, acks=60)
            server.start()
            check_streams(server.base, secret, ids, ledger)
        in_doubt = set(ledger.in_doubt)
        assert in_doubt, "the kill should have cut some requests short"
        with httpx.Client(base_url=server.base, timeout=10) as http:
            for command in in_doubt:  # their answers were lost: retrying applies each once
                assert ledger.record(command, send(http, command, bearer(secret)))
        notes = check_streams(server.base, secret, ids, ledger)
        assert ledger.unexpected == []
        assert notes == len(ledger.acked)
        if database_url.startswith("sqlite"):
            path = database_url.removeprefix("sqlite:///")
            with sqlite3.connect(path) as connection:
                assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
