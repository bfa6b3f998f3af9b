"""The reliability proofs at full size; the figures go in docs/reliability.md.

    .venv/bin/python -m bench.reliability [--backends sqlite,postgres] [--quick]

1. storm: 32 threads x 50 notes on ONE escalation through HTTP, retried on 409/503 with the same
   Idempotency-Key: events stored == commands acknowledged, each at the version its answer named.
2. sigkill: 8 writers on 4 escalations; the API is killed with SIGKILL every 200 acknowledgements,
   10 times, and restarted: every acknowledged command is there, versions have no gap; then every
   command whose answer was lost is retried with its key and applied exactly once.
3. postgres restart (a private cluster): stopped for 3 s under load, 3 times: answers while down,
   their latency and Retry-After, and the time until the first acknowledgement after the restart.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg

from tests.conftest import POSTGRES_BASE
from tests.proofs.load import Command, Ledger, Server, check_streams, send, start_writers
from tests.proofs.private_postgres import PrivatePostgres, postgres_bin
from tests.proofs.test_storm_and_sigkill import (
    kill_under_load,
    open_escalations,
    server_with_escalations,
    storm,
)
from tests.support import bearer, issue_key


def database(backend: str, directory: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{directory}/{uuid.uuid4().hex}.db"
    return f"{POSTGRES_BASE}?schema=bench_{uuid.uuid4().hex[:10]}"


def drop(url: str) -> None:
    if "schema=" in url:
        schema = url.rsplit("schema=", 1)[1]
        with psycopg.connect(POSTGRES_BASE, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def run_storm(url: str, threads: int, per_thread: int) -> str:
    secret = issue_key(url)
    server = Server(url)
    try:
        base = server.start()
        ids = open_escalations(base, secret, 1)
        started = time.perf_counter()
        ledger = storm(base, secret, ids, threads, per_thread)
        elapsed = time.perf_counter() - started
        notes = check_streams(base, secret, ids, ledger)
        assert notes == len(ledger.acked) and not ledger.unexpected
        conflicts = ledger.statuses[409]
        return (
            f"{threads} threads x {per_thread}: {len(ledger.acked)} acknowledged, {notes} note "
            f"events stored, {conflicts} answers 409 retried by the clients, "
            f"{len(ledger.acked) / elapsed:.0f} commands/s on one escalation"
        )
    finally:
        server.stop()


def run_sigkill(url: str, cycles: int, acks: int) -> str:
    with server_with_escalations(url, 4) as (server, secret, ids, ledger):
        restarts: list[float] = []
        for _ in range(cycles):
            kill_under_load(server, secret, ids, ledger, acks=acks)
            started = time.perf_counter()
            server.start()
            restarts.append(time.perf_counter() - started)
            check_streams(server.base, secret, ids, ledger)
        in_doubt = set(ledger.in_doubt)
        replayed = 0
        with httpx.Client(base_url=server.base, timeout=10) as http:
            for command in in_doubt:
                response = send(http, command, bearer(secret))
                assert response is not None and ledger.record(command, response)
                replayed += response.headers.get("idempotent-replayed") == "true"
        notes = check_streams(server.base, secret, ids, ledger)
        assert notes == len(ledger.acked) and not ledger.unexpected
        return (
            f"{cycles} kills: {len(ledger.acked)} acknowledged, all present, no gap; "
            f"{len(in_doubt)} answers lost in the kills, of which {replayed} had been stored "
            f"(answered as replays) and {len(in_doubt) - replayed} had not (applied on retry); "
            f"restart to healthy {statistics.median(restarts):.1f} s (median)"
        )


def run_postgres_restart(restarts: int, outage: float) -> str:
    bindir = postgres_bin()
    if bindir is None:
        return "skipped: no initdb/pg_ctl here"
    cluster = PrivatePostgres(bindir)
    cluster.start()
    url = cluster.url + "?schema=bench"
    secret = issue_key(url)
    api = Server(url)
    ledger, stop = Ledger(), threading.Event()
    recoveries: list[float] = []
    down_latencies: list[float] = []
    try:
        base = api.start()
        ids = open_escalations(base, secret, 4)
        workers = start_writers(base, secret, ids, ledger, 8, stop=stop, give_up_after=300)
        for _ in range(restarts):
            time.sleep(2)
            cluster.stop("fast")
            acked = len(ledger.acked)
            ends = time.monotonic() + outage
            with httpx.Client(base_url=base, timeout=30) as http:
                while time.monotonic() < ends:
                    probe = Command(ids[0], f"probe-{len(down_latencies)}", uuid.uuid4().hex)
                    t0 = time.perf_counter()
                    answer = send(http, probe, bearer(secret))
                    down_latencies.append(time.perf_counter() - t0)
                    assert answer is not None and answer.status_code == 503
                    assert answer.headers["retry-after"]
                    ledger.record(probe, answer)
                    time.sleep(0.05)
            assert len(ledger.acked) == acked
            cluster.start()
            back = time.monotonic()
            while len(ledger.acked) == acked:
                time.sleep(0.005)
            recoveries.append(time.monotonic() - back)
        stop.set()
        for worker in workers:
            worker.join()
        with httpx.Client(base_url=base, timeout=10) as http:
            for command in set(ledger.in_doubt):
                assert ledger.record(command, send(http, command, bearer(secret)))
        notes = check_streams(base, secret, ids, ledger)
        assert notes == len(ledger.acked) and not ledger.unexpected
        down_latencies.sort()
        return (
            f"{restarts} restarts, {outage:.0f} s down each: {ledger.statuses[503]} answers 503 "
            f"(Retry-After {sorted(ledger.retry_after)}), 503 latency median "
            f"{statistics.median(down_latencies) * 1000:.0f} ms, max {down_latencies[-1]:.1f} s; "
            f"first acknowledgement after each restart in {', '.join(f'{r:.1f}' for r in recoveries)} s; "
            f"{len(ledger.acked)} acknowledged, all present, none twice"
        )
    finally:
        stop.set()
        api.stop()
        cluster.destroy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--quick", action="store_true", help="the CI sizes, to try the script")
    args = parser.parse_args()
    quick = args.quick
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            url = database(backend, Path(tmp))
            print(
                f"storm    {backend:<9}", run_storm(url, 12 if quick else 32, 10 if quick else 50)
            )
            drop(url)
            url = database(backend, Path(tmp))
            print(
                f"sigkill  {backend:<9}", run_sigkill(url, 2 if quick else 10, 60 if quick else 200)
            )
            drop(url)
    print("pg restart        ", run_postgres_restart(1 if quick else 3, 3.0))


if __name__ == "__main__":
    main()
