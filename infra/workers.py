"""Background work that runs inside `escalations serve`; each also runs alone as its own command
(`escalations relay`, `escalations ingest`, `escalations deliver`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.bootstrap import Container


def background_workers(container: Container) -> list[Callable[[], Any]]:
    """Start hooks for the API's lifespan; each returns a handle with .stop()."""
    from infra.cache_watch import ErasedFromCache
    from infra.delivery.wiring import start_delivery
    from infra.identifier_index import IdentifierBackfill
    from infra.kafka.wiring import start_kafka_workers
    from infra.shredding import ShreddingWatch
    from infra.views.lifecycle import start_projections
    from infra.views.sla_watcher import start_deadline_watcher

    # The watcher opens (creates) the cases view's tables before the runners start: opened while
    # the cases runner catches up on a store that has events, PostgreSQL can deadlock the
    # watcher's CREATE INDEX IF NOT EXISTS against the runner's inserts, and `serve` fails to
    # start.
    return [
        lambda: ErasedFromCache(container.app).start(),
        lambda: ShreddingWatch(container.app).start(),
        lambda: IdentifierBackfill(container.app).start(),
        lambda: start_kafka_workers(container.app, container.settings.kafka),
        lambda: start_deadline_watcher(container),
        lambda: start_delivery(container),
        lambda: start_projections(container),
    ]
