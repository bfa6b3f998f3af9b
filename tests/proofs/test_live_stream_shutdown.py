"""A server asked to stop ends its open live status streams instead of waiting them out."""

from __future__ import annotations

import signal
import threading
import time

import httpx

from tests.proofs.load import Server


def follow(base: str, started: threading.Event, ended: list[str]) -> None:
    try:
        with (
            httpx.Client(base_url=base, timeout=httpx.Timeout(5, read=None)) as http,
            http.stream("GET", "/status/stream") as response,
        ):
            for line in response.iter_lines():
                if line.startswith("event: page"):
                    started.set()
    except httpx.HTTPError:
        pass
    ended.append("ended")


def test_serve_stops_within_5_s_with_live_streams_open(sqlite_url: str) -> None:
    # Each stream would last ten minutes on its own.
    server = Server(sqlite_url, extra_env={"ESCALATIONS_STATUS_STREAM_SECONDS": "600"})
    base = server.start()
    ended: list[str] = []
    followers = []
    try:
        for _ in range(3):
            started = threading.Event()
            thread = threading.Thread(target=follow, args=(base, started, ended), daemon=True)
            thread.start()
            assert started.wait(20), "the stream sends the page"
            followers.append(thread)
        assert server.process is not None
        asked = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(30)
        took = time.monotonic() - asked
        for thread in followers:
            thread.join(5)
    finally:
        server.stop()
    assert took < 5, f"serve took {took:.1f} s to stop"
    assert ended == ["ended"] * 3, "every open stream was closed"
