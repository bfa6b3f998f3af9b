"""Keeping a view up to date: pages of notifications in, one transaction per page out.

The library's `ProjectionRunner` commits one transaction per event; catching up at 20,000 events/s
needs batches, so `ViewRunner` reads notifications in pages and hands each page to the view, which
writes its rows and its tracking position in one transaction. On SQLite (no subscriptions in
eventsourcing 9.5) the runner polls `select_notifications`; on PostgreSQL it follows the recorder's
LISTEN/NOTIFY subscription. Every notification advances the position, including those of other
aggregates (idempotency records), so that a command's position is always reached.

Runners of several views in one process share a `PageCache`: while they move in step (the usual
case) each page is read and decoded once instead of once per view.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import IntegrityError, Notification, Tracking
from tenacity import RetryCallState, Retrying, stop_when_event_set, wait_exponential_jitter

from infra.application import ESCALATION_TOPIC_PREFIX, Escalations
from infra.settings.views import ProjectionSettings
from projections.base import Fault, PositionMoved, TrackedView

log = logging.getLogger("escalations.projections")


@dataclass
class Batch:
    events: list[Any]
    last: int


class PageCache:
    """Decoded pages of notifications shared by the runners of one process.

    A full page is the same for every runner that asks from the same position, so the first one
    reads and decodes it and the others take it from here. Short pages (the tail of the log) are
    never kept: a runner asking later must see what was written since.
    """

    def __init__(self, app: Escalations, limit: int, keep: int = 6) -> None:
        self.app = app
        self.limit = limit
        self.keep = keep
        self._lock = threading.Lock()
        self._pages: OrderedDict[int, _Page] = OrderedDict()

    def after(self, position: int) -> tuple[Sequence[Notification], Batch | None]:
        with self._lock:
            page = self._pages.get(position)
            mine = page is None
            if page is None:
                page = self._pages[position] = _Page()
                while len(self._pages) > self.keep:
                    self._pages.popitem(last=False)
        if not mine:
            page.ready.wait()
            if page.error is None:
                return page.notifications, page.batch
            return self._read(position)
        try:
            page.notifications, page.batch = self._read(position)
        except BaseException as error:
            page.error = error
            raise
        finally:
            if page.error is not None or len(page.notifications) < self.limit:
                with self._lock:
                    self._pages.pop(position, None)
            page.ready.set()
        return page.notifications, page.batch

    def _read(self, position: int) -> tuple[Sequence[Notification], Batch | None]:
        notifications = self.app.recorder.select_notifications(
            position, self.limit, inclusive_of_start=False
        )
        return notifications, (to_batch(self.app, notifications) if notifications else None)


class _Page:
    def __init__(self) -> None:
        self.ready = threading.Event()
        self.notifications: Sequence[Notification] = ()
        self.batch: Batch | None = None
        self.error: BaseException | None = None


class NotificationSource:
    """Pages of notifications after a position.

    SQLite: polled. PostgreSQL: paged while behind (pages are shared and decoded once), then the
    recorder's LISTEN/NOTIFY subscription is followed from the position reached.
    """

    def __init__(
        self,
        app: Escalations,
        after: int,
        settings: ProjectionSettings,
        pages: PageCache | None = None,
    ) -> None:
        self.app = app
        self.pages = pages
        self.after = after
        self.settings = settings
        self.follows = container_is_postgres(app)
        self._subscription: Any = None
        self._queue: queue.Queue[Notification | BaseException] = queue.Queue(maxsize=20_000)
        self._feeder: threading.Thread | None = None
        self._closed = threading.Event()

    @property
    def polls(self) -> bool:
        return self._subscription is None

    def _follow(self) -> None:
        self._subscription = self.app.recorder.subscribe(gt=self.after)
        self._feeder = threading.Thread(target=self._feed, daemon=True, name="view-feed")
        self._feeder.start()

    def _feed(self) -> None:
        try:
            for notification in self._subscription:
                self._put(notification)
        except BaseException as error:  # surfaced to the runner by next_batch
            self._put(error)

    def _put(self, item: Notification | BaseException) -> None:
        # A bounded put that gives up once the source is closed, so the feeder never hangs.
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def next_batch(self) -> Batch | None:
        """The next decoded page after `self.after`; None when nothing new came in."""
        if self._subscription is None:
            if self.pages is not None:
                notifications, batch = self.pages.after(self.after)
            else:
                notifications = self.app.recorder.select_notifications(
                    self.after, self.settings.batch_size, inclusive_of_start=False
                )
                batch = to_batch(self.app, notifications) if notifications else None
            if self.follows and len(notifications) < self.settings.batch_size:
                if batch is not None:
                    self.after = batch.last
                self._follow()  # caught up: from now on, be notified
            return batch
        followed: list[Notification] = []
        try:
            item = self._queue.get(timeout=self.settings.poll_interval * 5)
            while True:
                if isinstance(item, BaseException):
                    raise item
                followed.append(item)
                if len(followed) >= self.settings.batch_size:
                    break
                item = self._queue.get_nowait()
        except queue.Empty:
            pass
        return to_batch(self.app, followed) if followed else None

    def close(self) -> None:
        self._closed.set()
        if self._subscription is not None:
            self._subscription.stop()
            if self._feeder is not None:
                self._feeder.join(timeout=5)


def container_is_postgres(app: Escalations) -> bool:
    return type(app.recorder).__module__.startswith("eventsourcing.postgres")


def to_batch(app: Escalations, page: Sequence[Notification]) -> Batch:
    # Views never hold customer personal data, so they decode without opening it: the
    # pseudonymous mapper gives customers as subject ids and looks up no key.
    mapper = getattr(app, "pseudonymous_mapper", app.mapper)
    events = [
        mapper.to_domain_event(n) for n in page if n.topic.startswith(ESCALATION_TOPIC_PREFIX)
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
    number of notifications this call processed (a runner elsewhere may take some of the pages).
    Used by rebuilds and benchmarks."""
    head = until if until is not None else (app.recorder.max_notification_id() or 0)
    position = view.max_tracking_id(app.name) or 0
    skipped = skipped_positions(view, app.name)  # an operator's skips hold for a rebuild too
    done = 0
    while position < head:
        page = app.recorder.select_notifications(
            position, settings.batch_size, stop=head, inclusive_of_start=False
        )
        if not page:
            break
        kept = [n for n in page if n.id not in skipped] if skipped else page
        batch = Batch(to_batch(app, kept).events if kept else [], page[-1].id)
        try:
            view.process_batch(batch.events, Tracking(app.name, batch.last), expected=position)
        except PositionMoved as moved:  # a running runner applied pages meanwhile: go on after them
            position = moved.actual
            continue
        done += len(page)
        position = batch.last
        if progress is not None:
            progress(position, head)
    return done


FAULT_AFTER = 3
"""Consecutive failed attempts on one page before the view records a fault (a deadlock or a
restarting database usually passes on the first or second retry)."""


class ViewRunner(threading.Thread):
    """Keeps one view up to date until stopped; wakes waiters after every committed batch.

    A page that fails to apply is retried with growing pauses (tenacity), never given up on: a
    view does not die silently. From the second failure on, the runner reads one notification per
    page until it is past the failing page, so the events before the bad one are applied and the
    fault names the exact event (`Fault.failing`), which an operator may skip
    (`escalations projections skip`); the next attempt then finds the position moved and follows.
    """

    def __init__(
        self,
        app: Escalations,
        view: TrackedView,
        settings: ProjectionSettings,
        pages: PageCache | None = None,
    ) -> None:
        super().__init__(name=f"view-{view.name}", daemon=True)
        self.pages = pages
        self.app = app
        self.view = view
        self.settings = settings
        self.position = view.max_tracking_id(app.name) or 0
        self.error: BaseException | None = None
        self.fault: Fault | None = None
        self.advanced = threading.Condition()
        self._stopping = threading.Event()
        self._narrow_until: int | None = None
        self._batch: Batch | None = None
        self._skipped = skipped_positions(view, app.name)
        self._source = self._open_source()
        self._retrying = Retrying(
            wait=wait_exponential_jitter(multiplier=0.05, max=settings.retry_max_wait, jitter=0.05),
            stop=stop_when_event_set(self._stopping),
            sleep=self._pause,
            before_sleep=self._failed,
            reraise=True,
        )

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._retrying(self._step)
        except Exception:
            if not self._stopping.is_set():  # not reached: only a stop ends the retries
                raise
        except BaseException as error:
            self.error = error
            log.exception("view %s stopped on an error", self.view.name)
            with self.advanced:
                self.advanced.notify_all()
        finally:
            self._source.close()

    def _pause(self, seconds: float) -> None:
        self._stopping.wait(seconds)  # a stop ends the pause at once

    def _step(self) -> None:
        self._batch = None
        if self._narrow_until is not None and self.position >= self._narrow_until:
            self._narrow_until = None  # past the failing page: whole pages again
            self._reopen()
        self._source.after = self.position
        batch = self._source.next_batch()
        if batch is None:
            if self._source.polls:
                self._stopping.wait(self.settings.poll_interval)
            return
        if any(self.position < p <= batch.last for p in self._skipped):
            batch = self._without_skipped(batch.last)
        self._batch = batch
        try:
            self.view.process_batch(
                batch.events, Tracking(self.app.name, batch.last), expected=self.position
            )
        except (PositionMoved, IntegrityError) as error:
            # Another runner of this view, a rebuild or a skip moved it: follow from there.
            actual = self.view.max_tracking_id(self.app.name) or 0
            if actual == self.position and not isinstance(error, PositionMoved):
                raise
            log.info("view %s moved to %s elsewhere; following", self.view.name, actual)
            self._skipped = skipped_positions(self.view, self.app.name)
            self._advance(actual)
            self._reopen()
            return
        self._advance(batch.last)

    def _advance(self, position: int) -> None:
        with self.advanced:
            self.position = position
            self.advanced.notify_all()
        if self.fault is not None:
            self.fault = None
            try:
                self.view.clear_fault(self.app.name)
            except Exception:  # the fault row is a report; the next fault overwrites it
                log.warning("view %s could not clear its fault", self.view.name, exc_info=True)

    def _failed(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        batch = self._batch
        if self._narrow_until is None and state.attempt_number >= 2:
            # Not on the first failure: a deadlock or a database restart passes on a retry,
            # and catching up one event per transaction after it would be slow for nothing.
            self._narrow_until = batch.last if batch else self.position + self.settings.batch_size
        failing = batch.last if batch is not None else self.position + 1
        since = self.fault.since if self.fault else datetime.now(UTC).isoformat()
        if self.fault is not None and self.fault.failing != failing:
            since = datetime.now(UTC).isoformat()
        self.fault = Fault(self.position, failing, repr(error), state.attempt_number, since)
        log.warning(
            "view %s failed at %s (attempt %s), retrying: %r",
            self.view.name, failing, state.attempt_number, error,
        )  # fmt: skip
        if state.attempt_number >= FAULT_AFTER:
            try:
                self.view.record_fault(self.app.name, self.fault)
            except Exception:  # the database itself may be what fails; the log has it
                log.warning("view %s could not record its fault", self.view.name, exc_info=True)
        self._reopen()

    def _without_skipped(self, last: int) -> Batch:
        page = self.app.recorder.select_notifications(
            self.position, last - self.position, stop=last, inclusive_of_start=False
        )
        kept = [n for n in page if n.id not in self._skipped]
        return Batch(to_batch(self.app, kept).events if kept else [], last)

    def _reopen(self) -> None:
        self._source.close()
        self._source = self._open_source()

    def _open_source(self) -> NotificationSource:
        if self._narrow_until is not None:
            narrow = self.settings.model_copy(update={"batch_size": 1})
            return NotificationSource(self.app, self.position, narrow, None)
        return NotificationSource(self.app, self.position, self.settings, self.pages)

    def wait_for(self, position: int, timeout: float) -> bool:
        # Woken by the runner's own commit, so it returns as soon as the batch is in; the
        # library's `TrackingRecorder.wait` polls the tracking table from a 100 ms first pause.
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


def skipped_positions(view: TrackedView, application_name: str) -> frozenset[int]:
    return frozenset(int(row["position"]) for row in view.skips(application_name))
