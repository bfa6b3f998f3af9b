"""PostgreSQL restarted under load: meanwhile the API answers 503 with Retry-After and writes
nothing; afterwards it recovers by itself, without a restart, and no acknowledged command is lost.

The database is a private PostgreSQL cluster started for this test, because stopping the shared
server would break every other test running against it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import IN_CI
from tests.proofs.load import Ledger, Server, check_streams, send, start_writers
from tests.proofs.private_postgres import PrivatePostgres, postgres_bin
from tests.proofs.test_storm_and_sigkill import open_escalations
from tests.support import bearer, issue_key

pytestmark = pytest.mark.postgres


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    bindir = postgres_bin()
    if bindir is None:
        if IN_CI:
            pytest.fail("PostgreSQL's server binaries (initdb, pg_ctl) are required in CI")
        pytest.skip("no PostgreSQL server binaries here (initdb, pg_ctl)")
    server = PrivatePostgres(bindir)
    server.start()
    yield server
    server.destroy()


def wait_for(condition, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.01)
    return time.monotonic() - started


def test_a_postgres_restart_is_a_503_with_retry_after_then_recovers_by_itself(
    private_postgres: PrivatePostgres,
) -> None:
    url = private_postgres.url + "?schema=proof"
    secret = issue_key(url)
    api = Server(url)
    ledger = Ledger()
    stop = threading.Event()
    try:
        base = api.start()
        ids = open_escalations(base, secret, 2)
        workers = start_writers(base, secret, ids, ledger, 4, stop=stop, give_up_after=120)
        wait_for(lambda: len(ledger.acked) >= 30, 30, "30 acknowledged commands")

        private_postgres.stop("fast")
        acked_before = len(ledger.acked)
        wait_for(lambda: ledger.statuses[503] >= 10, 30, "503 answers while the store is down")
        health = httpx.get(f"{base}/healthz", timeout=10)
        assert health.status_code == 503 and health.headers["retry-after"]
        assert len(ledger.acked) == acked_before  # nothing acknowledged while it is down

        private_postgres.start()
        recovery = wait_for(
            lambda: len(ledger.acked) > acked_before + 30, 60, "recovery after the restart"
        )
        stop.set()
        for worker in workers:
            worker.join()

        assert ledger.retry_after == {"2"}
        assert ledger.unexpected == []
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
        with httpx.Client(base_url=base, timeout=10) as http:
            for command in set(ledger.in_doubt):
                assert ledger.record(command, send(http, command, bearer(secret)))
        assert check_streams(base, secret, ids, ledger) == len(ledger.acked)
        print(f"recovered {recovery:.2f} s after PostgreSQL was back")
    finally:
        stop.set()
        api.stop()
