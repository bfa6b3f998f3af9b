"""The views are eventsourcing projections: on PostgreSQL the library's own ProjectionRunner (one
event per transaction, following the LISTEN/NOTIFY subscription) builds the same view as our
batching runner. (On SQLite the library runner cannot run: its recorder has no subscriptions.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from eventsourcing.projection import ProjectionRunner

from infra.application import Escalations, Idempotency
from infra.bootstrap import build
from infra.privacy.master_key import master_keys
from infra.settings import Settings
from infra.views.lifecycle import open_views, rebuild
from projections.search.base import SearchProjection
from projections.search.postgres import PostgresSearchView
from tests.projections.support import Driver, varied_history

pytestmark = pytest.mark.postgres


def test_the_library_runner_builds_the_view_our_runner_builds(postgres_url, clock):
    settings = Settings(database_url=postgres_url)
    container = build(settings, clock=clock)
    varied_history(Driver(container.app), clock.now - timedelta(days=1), count=4)
    # An idempotency record shares the store: skipped by the view, its position still tracked.
    container.app.open(actor="t", title="keyed", scope="customer", source="email", severity="SEV3",
                       idempotency=Idempotency.for_request("k1", "open", {}, caller="t"))  # fmt: skip
    head = container.app.recorder.max_notification_id()
    views = open_views(container, ["search"])
    master_key, previous = master_keys(settings)

    class FollowedEscalations(Escalations):
        """What the library's runner constructs from the environment alone."""

        name = "escalations"  # the name positions are tracked under

        def __init__(self, env=None):
            super().__init__(env, master_key=master_key, previous_master_keys=previous)

    try:
        with ProjectionRunner(
            application_class=FollowedEscalations,
            projection_class=SearchProjection,
            view_class=PostgresSearchView,
            env=settings.eventsourcing_env(),
        ) as runner:
            runner.wait(head, timeout=20)
            by_library = views["search"].documents()
        assert views.position("search") == head
        assert len(by_library) == 5
        rebuild(container, "search")
        assert views["search"].documents() == by_library
    finally:
        views.close()
        container.close()
