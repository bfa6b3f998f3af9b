"""Rebuilding from event 1 gives the views that running incrementally gave, and a worker killed
half-way through catching up resumes with no duplicate and no gap."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from domain.escalation import Escalation
from infra.application import Escalations
from infra.bootstrap import build
from infra.settings import Settings
from infra.views.lifecycle import VIEWS, open_views, rebuild, start_projections
from tests.projections.support import Driver, assert_rebuild_gives, serving, varied_history

ROOT = Path(__file__).resolve().parents[2]


def test_full_rebuild_gives_views_identical_to_incremental_ones(database_url, clock):
    container = build(Settings(database_url=database_url), clock=clock)
    # Two runners per view at once, as when a worker and a server both run them: the position
    # check makes one of them stand aside for each batch instead of applying it twice.
    first, second = start_projections(container), start_projections(container)
    views = open_views(container)
    try:
        varied_history(Driver(container.app), clock.now - timedelta(days=2), count=9)
        head = container.app.recorder.max_notification_id()
        assert first.wait_for(head, 30) and second.wait_for(head, 30)
        first.stop()
        second.stop()
        incremental = {name: views[name].documents() for name in VIEWS}
        assert all(incremental.values())
        for name in VIEWS:
            processed = rebuild(container, name)
            assert processed == head
            assert views[name].documents() == incremental[name], name
    finally:
        first.stop()
        second.stop()
        views.close()
        container.close()


def many_events(app: Escalations, start: datetime, escalations: int, updates: int) -> None:
    """Long streams saved in one go each: quick to write, slow enough to project one by one."""
    for n in range(escalations):
        at = start + timedelta(minutes=n)
        escalation = Escalation.open(
            actor="load", at=at, title=f"Load {n}", scope="global", source="tools_outage",
            severity="SEV2", components=["Sync"],
        )  # fmt: skip
        for k in range(updates):
            at += timedelta(seconds=1)
            escalation.communicate(
                actor="load", at=at, audience="public", channel="status_page", body=f"update {k}"
            )
        app.save(escalation)


def spawn_worker(url: str) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "ESCALATIONS_DATABASE_URL": url,
        "ESCALATIONS_PROJECTIONS_BATCH_SIZE": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker", "--no-sla-watcher"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killing_the_worker_mid_catch_up_leaves_no_duplicate_and_no_gap(database_url, clock):
    container = build(Settings(database_url=database_url), clock=clock)
    many_events(container.app, clock.now - timedelta(days=1), escalations=30, updates=49)
    head = container.app.recorder.max_notification_id()
    views = open_views(container)
    worker = spawn_worker(database_url)
    try:
        deadline = time.monotonic() + 60
        while min(views.position(n) for n in VIEWS) == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        at_kill = {n: views.position(n) for n in VIEWS}
        assert all(0 < p < head for p in at_kill.values()), at_kill

        worker = spawn_worker(database_url)
        deadline = time.monotonic() + 120
        while any(views.position(n) < head for n in VIEWS) and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(20) == 0
        assert {n: views.position(n) for n in VIEWS} == dict.fromkeys(VIEWS, head)

        resumed = {n: views[n].documents() for n in VIEWS}
        updates = [len(doc["facts"]) for doc in resumed["status"]]
        assert updates == [50] * 30  # opened + 49 public updates each: none twice, none missing
        for name in VIEWS:
            rebuild(container, name)
            assert views[name].documents() == resumed[name], name
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
        views.close()
        container.close()


def test_a_rebuild_while_runners_are_going_ends_with_the_same_view(sqlite_url, clock):
    with serving(sqlite_url, clock) as (container, handle, views):
        driver = Driver(container.app)
        varied_history(driver, clock.now - timedelta(days=4), count=6)
        for name in VIEWS:  # the runners keep going while every view starts again from 0
            rebuild(container, name)
        varied_history(driver, clock.now - timedelta(days=2), count=3)
        head = container.app.recorder.max_notification_id()
        assert handle.wait_for(head, 30)
        handle.stop()
        during = {name: views[name].documents() for name in VIEWS}
        assert_rebuild_gives(container, views, during)
