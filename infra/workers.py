"""Background work that runs inside `escalations serve` (projections, relays), each startable alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from infra.bootstrap import Container


class Stoppable(Protocol):
    def stop(self) -> None: ...


def background_workers(container: Container) -> list[Callable[[], Any]]:
    """Start hooks for the API's lifespan; each returns a handle with .stop()."""
    from infra.projections import start_projections
    from infra.sla_watcher import start_deadline_watcher

    return [lambda: start_projections(container), lambda: start_deadline_watcher(container)]
