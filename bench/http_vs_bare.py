"""Commands per second through HTTP (`escalations serve`, SQLite) against the bare application.

Each side runs the same commands on its own fresh SQLite file in the same run: open N
escalations, then add notes round-robin. HTTP is measured twice: `serve` as shipped (the views,
SLA watcher and cache watcher run in the same process and keep up with every command), and `serve`
with its views moved out (ESCALATIONS_PROJECTIONS_ENABLED='[]', as when `escalations worker` runs
them in another process or machine). Prints a table and the HTTP/bare ratios (target >= 0.5).

    .venv/bin/python -m bench.http_vs_bare [--commands 3000] [--clients 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from infra.bootstrap import build
from infra.settings import Settings
from tests.support import bearer, issue_key, running_server

OPEN = {"title": "Bench", "scope": "customer", "source": "email", "severity": "SEV3"}


def bare(directory: Path, escalations: int, commands: int) -> float:
    container = build(Settings(database_url=f"sqlite:///{directory}/bare.db"))
    app = container.app
    ids = [app.open(actor="bench", **OPEN).escalation_id for _ in range(escalations)]
    started = time.perf_counter()
    for i in range(commands):
        app.run("add_note", ids[i % escalations], actor="bench", text=f"note {i}")
    elapsed = time.perf_counter() - started
    container.close()
    return commands / elapsed


def over_http(
    directory: Path,
    escalations: int,
    commands: int,
    clients: int,
    *,
    name: str,
    extra_env: dict[str, str] | None = None,
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    url = f"sqlite:///{directory}/{name}.db"
    secret = issue_key(url, "manager", name="bench")  # authentication is on, as deployed
    with running_server(url, extra_env=extra_env) as base:
        with httpx.Client(base_url=base, headers=bearer(secret)) as http:
            ids = [http.post("/escalations", json=OPEN).json()["id"] for _ in range(escalations)]
        per_client = commands // clients
        # One thread, `clients` connections driven by asyncio: client threads would contend for
        # the GIL and the benchmark would measure the client instead of the server.
        started = time.perf_counter()
        asyncio.run(_drive(base, secret, ids, clients, per_client, latencies))
        elapsed = time.perf_counter() - started
    return per_client * clients / elapsed, latencies


async def _drive(
    base: str, secret: str, ids: list[str], clients: int, per_client: int, latencies: list[float]
) -> None:
    """`clients` keep-alive connections on one asyncio loop, speaking plain HTTP/1.1. A full
    client library costs about as much CPU per request as the server does, and on two cores the
    benchmark would then measure the client."""
    host, port = base.removeprefix("http://").split(":")

    async def client(worker: int) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for i in range(per_client):
                eid = ids[(worker * per_client + i) % len(ids)]
                body = json.dumps({"text": f"note {i}"}).encode()
                request = (
                    f"POST /escalations/{eid}/notes HTTP/1.1\r\nHost: {host}\r\n"
                    f"Authorization: Bearer {secret}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode() + body
                t0 = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                answer = await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                assert head.startswith(b"HTTP/1.1 200"), head + answer
        finally:
            writer.close()

    await asyncio.gather(*(client(w) for w in range(clients)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--escalations", type=int, default=50)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        bare_rate = bare(directory, args.escalations, args.commands)
        runs = {
            "HTTP, views in serve": over_http(
                directory, args.escalations, args.commands, args.clients, name="inline"
            ),
            "HTTP, views in a worker": over_http(
                directory,
                args.escalations,
                args.commands,
                args.clients,
                name="apart",
                extra_env={"ESCALATIONS_PROJECTIONS_ENABLED": "[]"},
            ),
        }
    print(f"{'path':<34}{'commands/s':>11}{'p50 ms':>8}{'p99 ms':>8}{'HTTP/bare':>11}")
    print(f"{'bare application':<34}{bare_rate:>11.0f}")
    for label, (rate, latencies) in runs.items():
        latencies.sort()
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        label = f"{label} ({args.clients} clients)"
        print(f"{label:<34}{rate:>11.0f}{p50:>8.1f}{p99:>8.1f}{rate / bare_rate:>11.2f}")
    print("target: HTTP/bare >= 0.50")


if __name__ == "__main__":
    main()
