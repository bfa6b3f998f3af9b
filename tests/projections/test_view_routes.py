"""The view routes through HTTP, with the projections running inside the app as in `serve`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support import api_client

PUBLIC_UPDATE = "Uploads are delayed; we are on it."


@pytest.fixture
def client(sqlite_url: str, clock) -> Iterator[TestClient]:
    with api_client(sqlite_url, clock, views=True) as client:
        yield client


def open_escalation(client: TestClient, **fields) -> str:
    body = {"title": "Uploads delayed", "scope": "global", "source": "tools_outage",
            "severity": "SEV2", "components": ["Sync"], **fields}  # fmt: skip
    response = client.post("/escalations", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def command(client: TestClient, eid: str, path: str, body: dict) -> int:
    response = client.post(f"/escalations/{eid}/{path}", json=body)
    assert response.status_code == 200, response.text
    return int(response.headers["Escalations-Position"])


def test_a_read_that_names_the_commands_position_sees_the_write(client):
    eid = open_escalation(client)
    position = command(client, eid, "communications",
                       {"audience": "public", "channel": "status_page", "body": PUBLIC_UPDATE})  # fmt: skip
    page = client.get(f"/status.json?wait_for={position}")
    assert int(page.headers["Escalations-View-Position"]) >= position
    assert "Escalations-View-Stale" not in page.headers
    updates = page.json()["incidents"][0]["incident_updates"]
    assert [u["body"] for u in updates] == [PUBLIC_UPDATE]
    listed = client.get("/escalations", headers={"Escalations-Position": str(position)})
    assert [item["id"] for item in listed.json()["items"]] == [eid]


def test_status_page_over_http_shows_public_updates_only(client):
    eid = open_escalation(client, description="DESCRIPTION-MARKER")
    command(client, eid, "notes", {"text": "NOTE-MARKER"})
    command(client, eid, "communications",
            {"audience": "internal", "channel": "slack", "body": "INTERNAL-MARKER"})  # fmt: skip
    case = open_escalation(client, scope="customer", title="CASE-MARKER",
                           customer={"subject_id": "s", "name": "NAME-MARKER"})  # fmt: skip
    command(client, case, "communications",
            {"audience": "public", "channel": "email", "body": "CUSTOMER-PUBLIC-MARKER"})  # fmt: skip
    position = command(client, eid, "communications",
                       {"audience": "public", "channel": "status_page", "body": PUBLIC_UPDATE})  # fmt: skip
    html = client.get(f"/status?wait_for={position}")
    feed = client.get("/status/feed.atom")
    assert html.headers["content-type"].startswith("text/html")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert PUBLIC_UPDATE in html.text and PUBLIC_UPDATE in feed.text
    assert 'new EventSource("/status/stream")' in html.text
    for marker in ["DESCRIPTION", "NOTE", "INTERNAL", "CASE", "NAME", "CUSTOMER-PUBLIC"]:
        assert f"{marker}-MARKER" not in html.text + feed.text


def test_status_as_of_a_moment_before_the_first_update_shows_no_incident(client, clock):
    before = clock.now.isoformat()
    clock.advance(minutes=5)
    eid = open_escalation(client)
    position = command(client, eid, "communications",
                       {"audience": "public", "channel": "status_page", "body": PUBLIC_UPDATE})  # fmt: skip
    now = client.get(f"/status.json?wait_for={position}").json()
    then = client.get("/status.json", params={"as_of": before}).json()
    assert len(now["incidents"]) == 1 and then["incidents"] == []
    html_then = client.get("/status", params={"as_of": before}).text
    assert PUBLIC_UPDATE not in html_then and "EventSource" not in html_then
    assert client.get("/status?as_of=2026-03-02T09:00:00").status_code == 422  # no timezone


def test_queue_and_reports_answer_from_the_case_ledger(client, clock):
    eid = open_escalation(client, severity="SEV1")
    clock.advance(minutes=20)  # the SEV1 first response (15 min) is now overdue
    position = command(client, eid, "owner", {"owner": "maria", "team": "cx"})
    queue = client.get(f"/queue?wait_for={position}").json()
    assert queue["items"][0]["id"] == eid
    assert "first response overdue by 5 min" in queue["items"][0]["reason"]
    sla = client.get("/reports/sla").json()
    assert sla["by_target"]["first_response"] == {
        "label": "first response",
        "met": 0,
        "missed": 1,
        "attainment": 0.0,
    }
    metrics = client.get("/reports/metrics").json()
    assert metrics["by_severity"] == {"SEV1": 1} and metrics["by_status"] == {"triage": 1}


def test_trends_are_json_by_default_and_html_with_an_svg_chart_on_request(client):
    position = command(client, open_escalation(client, tags=["billing"]), "acknowledge", {})
    data = client.get(f"/reports/trends?wait_for={position}")
    assert data.headers["content-type"] == "application/json"
    assert data.json()["categories"][0]["value"] == "billing"
    html = client.get("/reports/trends", headers={"Accept": "text/html"})
    assert "<svg" in html.text and "billing" in html.text
    assert client.get("/reports/trends?format=xml").status_code == 406


def test_list_refuses_a_cursor_it_did_not_issue(client):
    response = client.get("/escalations?cursor=bogus")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    ["/escalations", "/status", "/status.json", "/status/feed.atom", "/queue", "/reports/sla",
     "/reports/metrics", "/reports/trends", "/reports/trends?format=html"],
)  # fmt: skip
def test_every_view_answers_on_an_empty_store(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.text
    if path == "/status.json":
        assert response.json()["status"] == {
            "indicator": "none",
            "description": "All Systems Operational",
        }


@pytest.fixture
def status_template(tmp_path, monkeypatch):
    """Set before the `client` fixture builds its container: settings are read then."""
    (tmp_path / "status").mkdir()
    (tmp_path / "status" / "page.html.j2").write_text("<h1>{{ page.page_name }} (ours)</h1>")
    monkeypatch.setenv("ESCALATIONS_TEMPLATES_DIR", str(tmp_path))


def test_a_deployment_can_replace_the_status_page_template(status_template, client):
    assert client.get("/status").text == "<h1>Service status (ours)</h1>"
