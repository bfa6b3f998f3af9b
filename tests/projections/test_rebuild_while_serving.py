"""Rebuilding a view while the serving process's own runners apply the writers' events: no
deadlock, the runners follow the rebuilt position, and every view ends equal to a fresh rebuild."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from infra.bootstrap import build
from infra.settings import Settings
from infra.views.lifecycle import VIEWS, open_views, rebuild, start_projections
from tests.projections.support import Driver, assert_rebuild_gives

WRITERS = 4
REBUILDS = 8


def write_until(driver: Driver, stop: threading.Event, failures: list[BaseException]) -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    try:
        while not stop.is_set():
            at += timedelta(seconds=1)
            escalation = driver.open(at, title="Under load", tags=["load"], components=["Sync"])
            driver.do(escalation, at, "acknowledge")
    except BaseException as error:  # reported by the test, not lost in a thread
        failures.append(error)


def test_eight_rebuilds_under_four_writers_leave_every_view_at_the_head(database_url, clock):
    container = build(Settings(database_url=database_url), clock=clock)
    serving = start_projections(container)
    views = open_views(container)
    stop, failures = threading.Event(), []
    writers = [
        threading.Thread(target=write_until, args=(Driver(container.app), stop, failures))
        for _ in range(WRITERS)
    ]
    rebuild_errors: list[BaseException] = []
    try:
        for writer in writers:
            writer.start()
        for n in range(REBUILDS):
            try:
                rebuild(container, list(VIEWS)[n % len(VIEWS)])
            except Exception as error:  # counted: the proof is that there are none
                rebuild_errors.append(error)
        stop.set()
        for writer in writers:
            writer.join(timeout=30)
        assert not failures, failures
        assert not rebuild_errors, rebuild_errors
        head = container.app.recorder.max_notification_id() or 0
        assert head > 0
        assert serving.wait_for(head, 30), serving.positions()
        assert not serving.errors()
        assert all(views.position(name) == head for name in VIEWS)
        served = {name: views[name].documents() for name in VIEWS}
        serving.stop()
        assert_rebuild_gives(container, views, served)
    finally:
        stop.set()
        serving.stop()
        views.close()
        container.close()
