"""A stored event whose text a backend cannot hold (NUL, which PostgreSQL text refuses) is handled
by the view: U+0000 is stored as U+FFFD on both backends, the views stay at the head and a rebuild
succeeds. The events are recorded through the application with the domain's text guard switched
off, as a store written by an earlier release (which had no such guard) holds them."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings
from infra.views.lifecycle import VIEWS, open_views, rebuild, start_projections
from tests.projections.support import Driver
from tests.support import bearer, issue_key

NUL = "\x00"


def test_nul_in_stored_text_reaches_every_view_as_the_replacement_character(
    database_url, clock, monkeypatch
):
    monkeypatch.setattr("domain.validation.problem_in", lambda value, *, one_line: None)
    container = build(Settings(database_url=database_url), clock=clock)
    app = create_app(container, lifespan_hooks=[lambda: start_projections(container)])
    driver = Driver(container.app)
    at = clock.now - timedelta(hours=2)
    eid = driver.open(
        at, title=f"Sync{NUL}down", description=f"desc{NUL}ription", scope="global",
        source="tools_outage", severity="SEV2", tags=[f"bill{NUL}ing"], components=[f"Sy{NUL}nc"],
    )  # fmt: skip
    driver.do(eid, at + timedelta(minutes=1), "acknowledge")
    driver.do(eid, at + timedelta(minutes=2), "add_note", text=f"note{NUL}text")
    driver.do(
        eid, at + timedelta(minutes=3), "communicate", audience="public", channel="status_page",
        body=f"We are{NUL} on it", subject="Update",
    )  # fmt: skip
    later = driver.open(at + timedelta(minutes=4), title="Opened after it")
    head = container.app.recorder.max_notification_id() or 0
    wait = {"wait_for": str(head)}
    with TestClient(app) as client:
        client.headers.update(bearer(issue_key(container, "admin", name="tester")))
        listed = client.get("/escalations", params=wait)
        assert listed.status_code == 200, listed.text
        assert "Escalations-View-Stale" not in listed.headers
        titles = {item["id"]: item["title"] for item in listed.json()["items"]}
        assert titles[str(eid)] == "Sync\ufffddown"
        assert str(later) in titles
        found = client.get("/escalations", params={**wait, "q": "down"}).json()["items"]
        assert [item["id"] for item in found] == [str(eid)]
        tagged = client.get("/escalations", params={**wait, "tag": "bill\ufffding"})
        assert [item["id"] for item in tagged.json()["items"]] == [str(eid)]
        for path in ["/status.json", "/status", "/queue", "/reports/sla", "/reports/metrics",
                     "/reports/trends"]:  # fmt: skip
            answer = client.get(path, params=wait)
            assert answer.status_code == 200, (path, answer.text)
            assert "Escalations-View-Stale" not in answer.headers, path
            assert NUL not in answer.text, path
        page = client.get("/status.json", params=wait).json()
        bodies = [u["body"] for i in page["incidents"] for u in i["incident_updates"]]
        assert bodies == ["We are\ufffd on it"]
        health = client.get("/healthz")
        assert health.status_code == 200
    views = open_views(container)
    head = container.app.recorder.max_notification_id() or 0  # the key issued is an event too
    try:
        served = {name: views[name].documents() for name in VIEWS}
        for name in VIEWS:
            assert rebuild(container, name) == head
            assert views[name].documents() == served[name], name
            assert NUL not in repr(served[name]), name
    finally:
        views.close()
        container.close()
