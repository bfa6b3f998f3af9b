"""Commands per second through HTTP (`escalations serve`, SQLite) against the bare application.

Both sides run the same commands on their own fresh SQLite file in the same run: open N
escalations, then add notes round-robin. Prints a table and the HTTP/bare ratio (target >= 0.5).

    .venv/bin/python -m bench.http_vs_bare [--commands 3000] [--clients 4]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from infra.bootstrap import build
from infra.settings import Settings
from tests.support import running_server

OPEN = {"title": "Bench", "scope": "customer", "source": "email", "severity": "SEV3"}


def bare(directory: Path, escalations: int, commands: int) -> float:
    container = build(Settings(database_url=f"sqlite:///{directory}/bare.db"))
    app = container.app
    ids = [app.open(actor="bench", **OPEN).escalation_id for _ in range(escalations)]
    started = time.perf_counter()
    for i in range(commands):

        def action(escalation: Any, *, at: Any, i: int = i) -> None:
            escalation.add_note(actor="bench", at=at, text=f"note {i}")

        app.execute(ids[i % escalations], action)
    elapsed = time.perf_counter() - started
    container.close()
    return commands / elapsed


def over_http(
    directory: Path, escalations: int, commands: int, clients: int
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    with running_server(f"sqlite:///{directory}/http.db") as base:
        with httpx.Client(base_url=base) as http:
            ids = [http.post("/escalations", json=OPEN).json()["id"] for _ in range(escalations)]
        per_client = commands // clients
        lock = threading.Lock()

        def client(worker: int) -> None:
            local: list[float] = []
            with httpx.Client(base_url=base, timeout=30) as http:
                for i in range(per_client):
                    eid = ids[(worker * per_client + i) % escalations]
                    t0 = time.perf_counter()
                    response = http.post(f"/escalations/{eid}/notes", json={"text": f"note {i}"})
                    local.append(time.perf_counter() - t0)
                    assert response.status_code == 200, response.text
            with lock:
                latencies.extend(local)

        threads = [threading.Thread(target=client, args=(w,)) for w in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    return per_client * clients / elapsed, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--escalations", type=int, default=50)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        bare_rate = bare(directory, args.escalations, args.commands)
        http_rate, latencies = over_http(directory, args.escalations, args.commands, args.clients)
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"{'path':<28}{'commands/s':>12}")
    print(f"{'bare application':<28}{bare_rate:>12.0f}")
    print(f"{f'HTTP ({args.clients} clients)':<28}{http_rate:>12.0f}")
    print(f"HTTP latency p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"ratio HTTP/bare: {http_rate / bare_rate:.2f} (target >= 0.50)")


if __name__ == "__main__":
    main()
