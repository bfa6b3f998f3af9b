"""Answer fast while PostgreSQL is down, and notice by itself when it is back.

The `eventsourcing` PostgreSQL recorder retries every statement ten times, and each attempt waits
for the pool's connect timeout, so while the server is down one request took about 50 seconds to
fail. The guard wraps the datastore's `get_connection`: when a connection-level error happens it
probes the server once with a fresh connection (one-second timeout); if the probe fails too, the
store is marked down and every statement fails at once with `StoreUnavailable` (not retried by
the library: the API answers 503 with Retry-After). While it is down, one request at most every
quarter second probes again, and the first successful probe lets traffic through.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError

PROBE_INTERVAL = 0.25


class StoreUnavailable(Exception):
    """The event store cannot be reached. `attempted` is False when nothing was sent to it, True
    when a statement was cut off (a commit in flight may or may not have happened)."""

    def __init__(self, detail: str, *, attempted: bool) -> None:
        super().__init__(detail)
        self.attempted = attempted


class StoreGuard:
    def __init__(self, probe: Callable[[], None], interval: float = PROBE_INTERVAL) -> None:
        self._probe = probe
        self.interval = interval
        self.down_since: float | None = None
        self._last_probe = 0.0
        self._lock = threading.Lock()

    def _reachable(self) -> bool:
        self._last_probe = time.monotonic()
        try:
            self._probe()
        except Exception:
            return False
        return True

    def before(self) -> None:
        if self.down_since is None:
            return
        due = time.monotonic() - self._last_probe >= self.interval
        if due and self._lock.acquire(blocking=False):
            try:
                if self.down_since is not None and self._reachable():
                    self.down_since = None
                    return
            finally:
                self._lock.release()
        if self.down_since is not None:
            raise StoreUnavailable("the event store is unreachable", attempted=False)

    def failed(self) -> bool:
        """After a connection-level error: is the server really gone? Then mark it down."""
        if self.down_since is not None:
            return True
        with self._lock:
            if self.down_since is None and not self._reachable():
                self.down_since = time.monotonic()
        return self.down_since is not None

    def wrap(
        self, get_connection: Callable[..., AbstractContextManager[Any]]
    ) -> Callable[..., AbstractContextManager[Any]]:
        @contextmanager
        def guarded(*args: Any, **kwargs: Any) -> Iterator[Any]:
            self.before()
            try:
                with get_connection(*args, **kwargs) as connection:
                    yield connection
            except (OperationalError, InterfaceError) as error:
                if self.failed():
                    raise StoreUnavailable(str(error), attempted=True) from error
                raise

        return guarded


def connect_postgres(env: dict[str, str], *, timeout: int, autocommit: bool = False) -> Any:
    """A connection of our own (outside the library's pool) to the store's PostgreSQL server."""
    import psycopg

    return psycopg.connect(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        connect_timeout=timeout,
        autocommit=autocommit,
    )


def guard_postgres(app: Any, env: dict[str, str]) -> StoreGuard:
    """Install a guard on the application's PostgreSQL datastore."""
    datastore = app.recorder.datastore

    def probe() -> None:
        with connect_postgres(env, timeout=1) as connection:
            connection.execute("SELECT 1")

    guard = StoreGuard(probe)
    datastore.get_connection = guard.wrap(datastore.get_connection)
    return guard
