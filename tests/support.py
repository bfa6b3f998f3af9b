"""Helpers for tests that run the real server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from infra.bootstrap import Container, build
from infra.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def issue_key(
    database_url_or_container: str | Container, role: str = "manager", name: str = ""
) -> str:
    """A fresh API key's secret, issued straight into the store (as `escalations keys create`)."""
    name = name or f"test-{role}"
    if isinstance(database_url_or_container, Container):
        return database_url_or_container.keys.create(name=name, role=role, actor="tests").secret
    container = build(Settings(database_url=database_url_or_container))
    try:
        return container.keys.create(name=name, role=role, actor="tests").secret
    finally:
        container.close()


@contextmanager
def api_client(
    database_url: str, clock: Any, *, role: str = "manager", views: bool = False, **settings: Any
) -> Iterator[TestClient]:
    """The app on a fresh container, called with a key of `role` named "tester"; with `views`,
    the views' runners start with it, as `escalations serve` starts them."""
    from api.http.app import create_app
    from infra.views.lifecycle import start_projections

    container = build(Settings(database_url=database_url, **settings), clock=clock)
    hooks = [lambda: start_projections(container)] if views else []
    with TestClient(create_app(container, lifespan_hooks=hooks)) as client:
        client.headers.update(bearer(issue_key(container, role, name="tester")))
        yield client
    container.close()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    database_url: str, *, extra_env: dict[str, str] | None = None, log_to: Path | None = None
) -> Iterator[str]:
    """`escalations serve` in a child process; yields its base URL once /healthz answers. Its
    log goes to `log_to` when given (and is kept), else to a temporary file."""
    port = free_port()
    env = os.environ | {"ESCALATIONS_DATABASE_URL": database_url} | (extra_env or {})
    # The log goes to a file, never a pipe: a pipe nobody reads fills up and stalls the server.
    log = (
        log_to.open("wb")
        if log_to is not None
        else tempfile.NamedTemporaryFile(prefix="escalations-serve-", suffix=".log", delete=False)  # noqa: SIM115
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # A loaded machine (2 cores, several suites) was seen to take 25 s to start `serve`.
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                output = Path(log.name).read_text(errors="replace")
                raise RuntimeError(f"server exited with {process.returncode}:\n{output}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy within 90 s")
            time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()
        if log_to is None:
            Path(log.name).unlink(missing_ok=True)
