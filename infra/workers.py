"""Background work that runs inside `escalations serve` (projections, relays), each startable alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from infra.bootstrap import Container


class Stoppable(Protocol):
    def stop(self) -> None: ...


def background_workers(container: Container) -> list[Callable[[], Any]]:
    """Start hooks for the API's lifespan; each returns a handle with .stop()."""
    from infra.privacy.cache_watch import ErasedFromCache

    return [lambda: ErasedFromCache(container.app).start()]
