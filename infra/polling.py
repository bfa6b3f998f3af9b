"""A background thread that polls the store every few seconds, for the small watchers that run
inside `serve` (infra/cache_watch.py, infra/shredding.py). A failing round is logged and the next
one tries again: the store may be down for a while, and nothing a user sent may stop a worker."""

from __future__ import annotations

import logging
import threading
from typing import Any


class Poller:
    name = "poller"

    def __init__(self, interval: float, log: logging.Logger) -> None:
        self.interval = interval
        self._log = log
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def start(self) -> Any:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)

    def poll(self) -> Any:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                self.poll()
            except Exception as error:
                self._log.warning("%s: %s", self.name, error)
