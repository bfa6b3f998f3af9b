"""The tracked views of a store: open them, run them (`start_projections`), rebuild them.

Each view lives in its own tables with its own tracking row; on SQLite each view also has its own
file next to the event store (`escalations.search.db`...), so that a view's writer never waits on
the commands' writer or on another view.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory
from eventsourcing.utils import Environment

from infra.application import Escalations
from infra.bootstrap import Container
from infra.readers import TRACKED_VIEWS
from infra.settings.views import ProjectionSettings
from infra.views.runner import PageCache, ViewRunner, catch_up
from projections.base import Fault, TrackedView

VIEWS = TRACKED_VIEWS
"""The tracked views, as the registry (`infra/readers.py`) lists them."""


def view_names(names: Iterable[str] | None = None) -> list[str]:
    chosen = list(names) if names is not None else list(VIEWS)
    unknown = [n for n in chosen if n not in VIEWS]
    if unknown:
        raise ValueError(f"unknown view(s) {unknown}; known: {', '.join(VIEWS)}")
    return chosen


def open_view(container: Container, name: str) -> TrackedView:
    """A view's recorder on the configured database (SQLite: one file per view)."""
    env = container.settings.eventsourcing_env()
    sqlite_class, postgres_class = VIEWS[name]
    if container.settings.is_postgres:
        # A view needs a connection or two, not the store's pool of ten per view.
        env.update(POSTGRES_POOL_SIZE="1", POSTGRES_MAX_OVERFLOW="4")
        factory = PostgresFactory(Environment(name="", env=env))
        view: TrackedView = postgres_class(datastore=factory.datastore)
    else:
        env["SQLITE_DBNAME"] = _sqlite_view_file(container, env["SQLITE_DBNAME"], name)
        factory_sqlite = SQLiteFactory(Environment(name="", env=env))
        view = sqlite_class(datastore=factory_sqlite.datastore)
    view.create_table()  # type: ignore[attr-defined]
    return view


def _sqlite_view_file(container: Container, events_file: str, name: str) -> str:
    if "memory" in events_file:
        return f"file:escalations-{name}-{id(container.app)}?mode=memory&cache=shared"
    configured = container.settings.views.sqlite_views_dir
    events = Path(events_file)
    folder = Path(configured) if configured else events.parent
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{events.stem}.{name}{events.suffix or '.db'}")


class ViewSet:
    """The views of one store, for reading; waits for a position by polling the tracking rows."""

    def __init__(self, container: Container, names: Iterable[str] | None = None) -> None:
        self.container = container
        self.app: Escalations = container.app
        self.views: dict[str, TrackedView] = {n: open_view(container, n) for n in view_names(names)}

    def __getitem__(self, name: str) -> Any:
        return self.views[name]

    def position(self, name: str) -> int:
        return self.views[name].max_tracking_id(self.app.name) or 0

    def wait_for(self, position: int, timeout: float, names: Sequence[str] | None = None) -> bool:
        """True once every named view has processed `position`; False after `timeout` seconds."""
        if position > (self.app.recorder.max_notification_id() or 0):
            return False  # nothing was stored there: waiting could only hold a thread in vain
        # Not `TrackingRecorder.wait`: its first pause is 100 ms (then up to 800 ms), which puts a
        # tenth of a second on every read-your-writes request. Command then read with ?wait_for,
        # median of 40 (SQLite; PostgreSQL): this loop 19 ms (19-24 ms), the library 101 ms
        # (106-109 ms).
        deadline = time.monotonic() + timeout
        pause = 0.001
        for name in names or list(self.views):
            while self.position(name) < position:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                time.sleep(min(pause, remaining))
                pause = min(pause * 2, 0.02)
        return True

    def status(self) -> list[dict[str, Any]]:
        """Each view's position, the head, the lag, the fault it is stopped on (None when it
        is not) and the events an operator skipped, with their reasons."""
        head = self.app.recorder.max_notification_id() or 0
        rows = []
        for name, view in self.views.items():
            position = self.position(name)
            fault = view.fault(self.app.name)
            rows.append({
                "view": name, "position": position, "head": head, "lag": max(head - position, 0),
                "fault": None if fault is None else asdict(fault),
                "skipped": view.skips(self.app.name),
            })  # fmt: skip
        return rows

    def close(self) -> None:
        for view in self.views.values():
            view.close()


def open_views(container: Container, names: Iterable[str] | None = None) -> ViewSet:
    return ViewSet(container, names)


class Projections:
    """The handle `start_projections` returns: running views, stop(), wait_for()."""

    def __init__(self, container: Container, runners: dict[str, ViewRunner]) -> None:
        self.container = container
        self.runners = runners

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        return all(
            runner.wait_for(position, max(deadline - time.monotonic(), 0))
            for runner in self.runners.values()
        )

    def positions(self) -> dict[str, int]:
        return {name: runner.position for name, runner in self.runners.items()}

    def faults(self) -> dict[str, Fault]:
        """The views failing right now (retrying), by name."""
        return {n: r.fault for n, r in self.runners.items() if r.fault is not None}

    def errors(self) -> dict[str, BaseException]:
        return {n: r.error for n, r in self.runners.items() if r.error is not None}

    def stop(self) -> None:
        for runner in self.runners.values():
            runner.stop()
        for runner in self.runners.values():
            runner.join(timeout=10)
            runner.view.close()


def start_projections(
    container: Container,
    names: Iterable[str] | None = None,
    settings: ProjectionSettings | None = None,
) -> Projections:
    """Start one runner thread per view; returns the handle to stop them and to wait on them."""
    settings = settings or container.settings.views
    chosen = view_names(names if names is not None else settings.enabled)
    pages = PageCache(container.app, settings.batch_size)
    runners = {
        name: ViewRunner(container.app, open_view(container, name), settings, pages)
        for name in chosen
    }
    for runner in runners.values():
        runner.start()
    return Projections(container, runners)


def rebuild(
    container: Container,
    name: str,
    settings: ProjectionSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Forget the view and apply every event again from event 1. Runners of the same view in other
    processes notice that the position moved and follow; stop them first for a clean timing."""
    settings = settings or container.settings.views
    view = open_view(container, name)
    try:
        view.reset(container.app.name)
        return catch_up(container.app, view, settings, progress=progress)
    finally:
        view.close()


class SkipRefused(ValueError):
    """The skip names another event than the one the view would apply next."""


def skip(container: Container, name: str, position: int, reason: str) -> int:
    """Move view `name` past the one event at `position` without applying it, the reason recorded
    with the fault's error (`<view>_skips`). Only the next event of the view may be skipped, so
    that no other event is lost; returns the view's position before."""
    if not reason.strip():
        raise SkipRefused("give the reason the event is skipped (--reason)")
    app = container.app
    view = open_view(container, name)
    try:
        current = view.max_tracking_id(app.name) or 0
        following = app.recorder.select_notifications(current, 1, inclusive_of_start=False)
        if not following or following[0].id != position:
            nxt = following[0].id if following else "none (it is at the head)"
            raise SkipRefused(
                f"view {name} is at {current}; the event it applies next is {nxt}, not {position}"
            )
        view.skip(app.name, position, expected=current, reason=reason,
                  at=datetime.now(UTC).isoformat())  # fmt: skip
        return current
    finally:
        view.close()
