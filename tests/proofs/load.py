"""Clients that keep issuing commands through HTTP and remember exactly what was acknowledged,
and the checks that compare it with the stored streams. Shared by the reliability tests (reduced
size) and bench/reliability.py (full size)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support import ROOT, free_port

RETRYABLE = {409, 503}  # a lost race after the server's own retries; the store unavailable


@dataclass(frozen=True)
class Command:
    escalation_id: str
    text: str
    key: str  # Idempotency-Key: a retry after a lost answer is applied once


@dataclass
class Ledger:
    """What the clients know: acknowledged commands (with the version they produced) and commands
    whose fate they cannot know (the connection broke before an answer, or a 503: the store may
    have gone away during the commit)."""

    acked: dict[Command, int] = field(default_factory=dict)
    in_doubt: set[Command] = field(default_factory=set)
    statuses: Counter[int] = field(default_factory=Counter)
    retry_after: set[str] = field(default_factory=set)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, command: Command, response: httpx.Response | None) -> bool:
        """True when the command is settled (acknowledged or refused for good)."""
        with self.lock:
            if response is None:
                self.in_doubt.add(command)
                return False
            self.statuses[response.status_code] += 1
            if response.status_code == 503:
                self.retry_after.add(response.headers.get("retry-after", ""))
                # A commit cut off by the outage may have happened: only a retry with the same
                # Idempotency-Key settles it.
                self.in_doubt.add(command)
            if response.is_success:
                self.acked[command] = int(response.json()["version"])
                self.in_doubt.discard(command)
                return True
            if response.status_code in RETRYABLE:
                return False
            self.unexpected.append(f"{command}: {response.status_code} {response.text[:300]}")
            return True


def send(http: httpx.Client, command: Command, headers: dict[str, str]) -> httpx.Response | None:
    try:
        return http.post(
            f"/escalations/{command.escalation_id}/notes",
            json={"text": command.text},
            headers=headers | {"Idempotency-Key": command.key},
        )
    except httpx.TransportError:
        return None


def start_writers(
    base: str,
    secret: str,
    ids: list[str],
    ledger: Ledger,
    threads: int,
    *,
    first_worker: int = 0,
    **options: Any,
) -> list[threading.Thread]:
    """`threads` writers running `issue_until`, numbered from `first_worker`, started."""
    workers = [
        threading.Thread(
            target=issue_until,
            args=(base, secret, ids, ledger),
            kwargs={"worker": first_worker + w, **options},
        )
        for w in range(threads)
    ]
    for worker in workers:
        worker.start()
    return workers


def issue_until(
    base: str,
    secret: str,
    escalation_ids: list[str],
    ledger: Ledger,
    *,
    worker: int,
    count: int | None = None,
    stop: threading.Event | None = None,
    give_up_after: float = 60.0,
) -> None:
    """Issue `count` notes (or until `stop`), each retried on 409/503/broken connections with the
    same Idempotency-Key until it is acknowledged."""
    headers = {"Authorization": f"Bearer {secret}"}
    with httpx.Client(base_url=base, timeout=10) as http:
        number = 0
        while (count is None or number < count) and not (stop and stop.is_set()):
            command = Command(
                escalation_ids[number % len(escalation_ids)],
                f"w{worker}-n{number}",
                uuid.uuid4().hex,
            )
            number += 1
            deadline = time.monotonic() + give_up_after
            while not ledger.record(command, send(http, command, headers)):
                if (stop is not None and stop.is_set()) or time.monotonic() > deadline:
                    break
                time.sleep(0.01)


def stream_texts(base: str, secret: str, escalation_id: str) -> list[tuple[int, str, str]]:
    """(version, event type, note text or '') for every event of the stream, paging through it."""
    headers = {"Authorization": f"Bearer {secret}"}
    rows: list[tuple[int, str, str]] = []
    after = 0
    with httpx.Client(base_url=base, timeout=30, headers=headers) as http:
        while True:
            page = http.get(
                f"/escalations/{escalation_id}/events", params={"after": after, "limit": 1000}
            )
            assert page.status_code == 200, page.text
            body = page.json()
            for item in body["items"]:
                rows.append((item["version"], item["type"], item["data"].get("text", "")))
            if body["next_after"] is None:
                return rows
            after = body["next_after"]


def check_streams(base: str, secret: str, escalation_ids: list[str], ledger: Ledger) -> int:
    """Every acknowledged command is in its stream at the version it was acknowledged with;
    versions run 1..n without a gap; nothing is stored twice or stored that no client sent.
    Returns the number of note events."""
    sent = {c.text for c in ledger.acked} | {c.text for c in ledger.in_doubt}
    notes = 0
    for escalation_id in escalation_ids:
        rows = stream_texts(base, secret, escalation_id)
        assert [version for version, _, _ in rows] == list(range(1, len(rows) + 1))
        texts = [text for _, kind, text in rows if kind == "NoteAdded"]
        assert len(texts) == len(set(texts)), "a command was stored twice"
        assert set(texts) <= sent, f"notes no client sent: {set(texts) - sent}"
        at_version = {version: text for version, _, text in rows}
        for command, version in ledger.acked.items():
            if command.escalation_id == escalation_id:
                assert at_version.get(version) == command.text, (command, version)
        notes += len(texts)
    return notes


class Server:
    """`escalations serve` as a child process that a test may kill -9 and start again."""

    def __init__(self, database_url: str, extra_env: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.mkstemp(prefix="escalations-proof-", suffix=".log")[1])
        self.base = ""

    def start(self, timeout: float = 30) -> str:
        port = free_port()
        env = os.environ | {"ESCALATIONS_DATABASE_URL": self.database_url} | self.extra_env
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "api.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self.base
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy")
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.unlink(missing_ok=True)
