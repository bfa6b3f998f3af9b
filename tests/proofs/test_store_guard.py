"""The guard's rules, without a database: trip only when a probe confirms the outage, fail fast
while down, probe again at most every interval, and let traffic through once a probe succeeds."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from eventsourcing.persistence import OperationalError

from infra.store_guard import StoreGuard, StoreUnavailable
from tests.proofs.fakes import FakeServer


def test_an_error_while_the_server_answers_probes_is_left_to_the_library_to_retry() -> None:
    server = FakeServer()
    guard = StoreGuard(server.probe, interval=0.05)
    connect = guard.wrap(server.get_connection)

    @contextmanager
    def flaky():
        raise OperationalError("lock timeout")
        yield

    with pytest.raises(OperationalError), guard.wrap(flaky)():
        pass
    assert guard.down_since is None
    with connect() as connection:
        assert connection == "connection"


def test_while_down_every_call_fails_at_once_and_recovery_needs_one_good_probe() -> None:
    server = FakeServer()
    guard = StoreGuard(server.probe, interval=0.05)
    connect = guard.wrap(server.get_connection)
    server.up = False
    with pytest.raises(StoreUnavailable), connect():
        pass
    probes = server.probes
    for _ in range(50):
        with pytest.raises(StoreUnavailable), connect():
            pass
    assert server.probes <= probes + 1  # not one probe per call
    server.up = True
    time.sleep(0.06)
    with connect() as connection:
        assert connection == "connection"
    assert guard.down_since is None
