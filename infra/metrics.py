"""What a process counts about its own commands, for `GET /metrics`.

Counts live in the process that ran the commands (the API's, with its SLA watcher and Kafka
ingest): a scrape of each API process gives its own, as Prometheus expects of a counter."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from domain.errors import DomainError


class CommandTally:
    """Commands by use case and outcome: `applied`, `replayed` (an Idempotency-Key answered as
    the first time) or `refused` (a rule said no; nothing was recorded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()

    def record(self, command: str, outcome: str) -> None:
        with self._lock:
            self._counts[(command, outcome)] += 1

    def counts(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._counts)

    @contextmanager
    def counting(self, command: str) -> Iterator[Callable[[bool], None]]:
        """Counts the command refused if it raises a DomainError; the caller says through the
        yielded function whether its result was a replay."""
        try:
            yield lambda replayed: self.record(command, "replayed" if replayed else "applied")
        except DomainError:
            self.record(command, "refused")
            raise
