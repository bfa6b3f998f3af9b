"""Running the tracked views: open them for a configuration, keep them up to date, rebuild them.

The library's `ProjectionRunner` commits one transaction per event; catching up at 20,000 events/s
needs batches, so `ViewRunner` reads notifications in pages and hands each page to the view, which
writes its rows and its tracking position in one transaction. On SQLite (no subscriptions in
eventsourcing 9.5) the runner polls `select_notifications`; on PostgreSQL it follows the recorder's
LISTEN/NOTIFY subscription. Every notification advances the position, including those of other
aggregates (idempotency records), so that a command's position is always reached.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError, Notification, Tracking
from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory
from eventsourcing.utils import Environment

from infra.application import ESCALATION_TOPIC_PREFIX, Escalations
from infra.bootstrap import Container
from infra.view_settings import ProjectionSettings
from projections.base import PositionMoved, TrackedView
from projections.cases.postgres import PostgresCasesView
from projections.cases.sqlite import SQLiteCasesView
from projections.search.postgres import PostgresSearchView
from projections.search.sqlite import SQLiteSearchView
from projections.status.postgres import PostgresStatusView
from projections.status.sqlite import SQLiteStatusView

log = logging.getLogger("escalations.projections")

VIEWS: dict[str, tuple[type[Any], type[Any]]] = {
    "search": (SQLiteSearchView, PostgresSearchView),
    "status": (SQLiteStatusView, PostgresStatusView),
    "cases": (SQLiteCasesView, PostgresCasesView),
}


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
    configured = ProjectionSettings().sqlite_views_dir
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
        head = self.app.recorder.max_notification_id() or 0
        return [
            {"view": name, "position": pos, "head": head, "lag": max(head - pos, 0)}
            for name in self.views
            for pos in [self.position(name)]
        ]

    def close(self) -> None:
        for view in self.views.values():
            view.close()


def open_views(container: Container, names: Iterable[str] | None = None) -> ViewSet:
    return ViewSet(container, names)


@dataclass
class Batch:
    events: list[Any]
    last: int


class NotificationSource:
    """Pages of notifications after a position: polled on SQLite, followed on PostgreSQL."""

    def __init__(self, app: Escalations, after: int, settings: ProjectionSettings) -> None:
        self.app = app
        self.after = after
        self.settings = settings
        self._subscription: Any = None
        self._queue: queue.Queue[Notification | BaseException] = queue.Queue(maxsize=20_000)
        self._feeder: threading.Thread | None = None
        self._closed = threading.Event()
        if container_is_postgres(app):
            self._subscription = app.recorder.subscribe(gt=after)
            self._feeder = threading.Thread(target=self._feed, daemon=True, name="view-feed")
            self._feeder.start()

    def _feed(self) -> None:
        try:
            for notification in self._subscription:
                self._put(notification)
        except BaseException as error:  # surfaced to the runner by next_page
            self._put(error)

    def _put(self, item: Notification | BaseException) -> None:
        # A bounded put that gives up once the source is closed, so the feeder never hangs.
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def next_page(self, stopping: threading.Event) -> Sequence[Notification]:
        limit = self.settings.batch_size
        if self._subscription is None:
            return self.app.recorder.select_notifications(
                self.after, limit, inclusive_of_start=False
            )
        page: list[Notification] = []
        try:
            item = self._queue.get(timeout=self.settings.poll_interval * 5)
            while True:
                if isinstance(item, BaseException):
                    raise item
                page.append(item)
                if len(page) >= limit:
                    break
                item = self._queue.get_nowait()
        except queue.Empty:
            pass
        return page

    def close(self) -> None:
        self._closed.set()
        if self._subscription is not None:
            self._subscription.stop()
            if self._feeder is not None:
                self._feeder.join(timeout=5)


def container_is_postgres(app: Escalations) -> bool:
    return type(app.recorder).__module__.startswith("eventsourcing.postgres")


def to_batch(app: Escalations, page: Sequence[Notification]) -> Batch:
    events = [
        app.mapper.to_domain_event(n) for n in page if n.topic.startswith(ESCALATION_TOPIC_PREFIX)
    ]
    return Batch(events, page[-1].id)


def catch_up(
    app: Escalations,
    view: TrackedView,
    settings: ProjectionSettings,
    *,
    until: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Apply everything after the view's position up to `until` (default: the head); returns the
    number of notifications processed. Used by rebuilds and benchmarks."""
    head = until if until is not None else (app.recorder.max_notification_id() or 0)
    position = view.max_tracking_id(app.name) or 0
    done = 0
    while position < head:
        page = app.recorder.select_notifications(
            position, settings.batch_size, stop=head, inclusive_of_start=False
        )
        if not page:
            break
        batch = to_batch(app, page)
        view.process_batch(batch.events, Tracking(app.name, batch.last), expected=position)
        done += len(page)
        position = batch.last
        if progress is not None:
            progress(position, head)
    return done


class ViewRunner(threading.Thread):
    """Keeps one view up to date until stopped; wakes waiters after every committed batch."""

    def __init__(self, app: Escalations, view: TrackedView, settings: ProjectionSettings) -> None:
        super().__init__(name=f"view-{view.name}", daemon=True)
        self.app = app
        self.view = view
        self.settings = settings
        self.position = view.max_tracking_id(app.name) or 0
        self.error: BaseException | None = None
        self.advanced = threading.Condition()
        self._stopping = threading.Event()

    def run(self) -> None:
        source = NotificationSource(self.app, self.position, self.settings)
        try:
            while not self._stopping.is_set():
                source.after = self.position
                page = source.next_page(self._stopping)
                if not page:
                    if source._subscription is None:
                        self._stopping.wait(self.settings.poll_interval)
                    continue
                batch = to_batch(self.app, page)
                try:
                    self.view.process_batch(
                        batch.events, Tracking(self.app.name, batch.last), expected=self.position
                    )
                except (PositionMoved, IntegrityError) as error:
                    # Another runner of this view (or a rebuild) moved it: follow from there.
                    actual = self.view.max_tracking_id(self.app.name) or 0
                    if actual == self.position and not isinstance(error, PositionMoved):
                        raise
                    log.info("view %s moved to %s elsewhere; following", self.view.name, actual)
                    source.close()
                    with self.advanced:
                        self.position = actual
                        self.advanced.notify_all()
                    source = NotificationSource(self.app, self.position, self.settings)
                    continue
                with self.advanced:
                    self.position = batch.last
                    self.advanced.notify_all()
        except BaseException as error:
            self.error = error
            log.exception("view %s stopped on an error", self.view.name)
            with self.advanced:
                self.advanced.notify_all()
        finally:
            source.close()

    def wait_for(self, position: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.advanced:
            while self.position < position and self.error is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.is_alive():
                    return False
                self.advanced.wait(remaining)
        return self.position >= position

    def stop(self) -> None:
        self._stopping.set()


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
    settings = settings or ProjectionSettings()
    chosen = view_names(names if names is not None else settings.enabled)
    runners = {
        name: ViewRunner(container.app, open_view(container, name), settings) for name in chosen
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
    settings = settings or ProjectionSettings()
    view = open_view(container, name)
    try:
        view.reset(container.app.name)
        return catch_up(container.app, view, settings, progress=progress)
    finally:
        view.close()
