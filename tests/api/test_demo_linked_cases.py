"""The demo's customer cases are resolved with the global escalation they are linked to, so a
fresh demo's queue is not opened by cases left in triage under a closed outage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from infra.bootstrap import build
from infra.demo.ids import SYNC_OUTAGE, demo_id
from infra.demo.scenarios import load_demo
from infra.settings import Settings
from tests.support import api_client

LINKED = ("case-northwind", "case-contoso")


def test_the_demo_resolves_its_linked_cases_with_their_global_escalation(
    sqlite_url: str, clock: Any
) -> None:
    container = build(Settings(database_url=sqlite_url), clock=clock)
    try:
        assert load_demo(container.app, datetime.now(UTC))
        outage = container.app.get(SYNC_OUTAGE)
        cases = [container.app.get(demo_id(name)) for name in LINKED]
        position = container.app.recorder.max_notification_id()
    finally:
        container.close()

    assert outage.status == "closed"
    for case in cases:
        assert case.status == "resolved"
        assert case.resolution is not None
        assert case.resolution["resolved_with"] == str(SYNC_OUTAGE)
        assert case.resolution["by"] == outage.resolution["by"]  # type: ignore[index]
    with api_client(sqlite_url, lambda: datetime.now(UTC), views=True) as client:
        queue = client.get("/queue", params={"wait_for": position})
    assert queue.status_code == 200, queue.text
    queued = {item["id"] for item in queue.json()["items"]}
    assert queued and queued.isdisjoint({str(case.id) for case in cases})
