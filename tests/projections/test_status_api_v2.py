"""The Statuspage API v2 routes, maintenance commands and the public post-mortem over HTTP, with
the views running in the app as in `serve`, on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support import api_client

V2 = [
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
]


@pytest.fixture
def client(database_url: str, clock) -> Iterator[TestClient]:
    with api_client(database_url, clock, views=True) as client:
        yield client


def post(client: TestClient, path: str, body: dict | None = None, status: int = 200) -> dict:
    response = client.post(path, json=body)
    assert response.status_code == status, response.text
    answer = response.json()
    answer["position"] = int(response.headers["Escalations-Position"])
    return answer


def z(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def opened(client: TestClient, **fields) -> str:
    body = {"title": "Tools downtime", "scope": "global", "source": "internal",
            "severity": "SEV4", "components": ["CRM", "Telephony"], **fields}  # fmt: skip
    return str(post(client, "/escalations", body, 201)["id"])


def test_every_v2_route_is_public_shaped_like_statuspage_and_open_to_any_origin(client, clock):
    eid = opened(client, title="Search slow", severity="SEV2", components=["Search"])
    post(client, f"/escalations/{eid}/impact",
         {"customers_affected": 3, "components": {"Search": "degraded_performance"}})  # fmt: skip
    done = post(client, f"/escalations/{eid}/communications",
                {"audience": "public", "channel": "status_page", "body": "Search is slow"})  # fmt: skip
    wait = {"wait_for": done["position"]}
    anonymous = TestClient(client.app)
    bodies = {}
    for path in V2:
        response = anonymous.get(f"/api/v2/{path}", params=wait)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["access-control-allow-origin"] == "*"
        bodies[path] = response.json()
        assert set(bodies[path]["page"]) == {"id", "name", "url", "time_zone", "updated_at"}
    summary = bodies["summary.json"]
    assert summary["status"] == {"indicator": "minor", "description": "Minor Service Outage"}
    assert bodies["status.json"]["status"] == summary["status"]
    (component,) = bodies["components.json"]["components"]
    assert {"id", "name", "status", "created_at", "updated_at", "position", "description",
            "showcase", "group_id", "page_id", "group", "only_show_if_degraded"} <= set(component)  # fmt: skip
    assert component["created_at"] == z(clock.now)
    (incident,) = bodies["incidents/unresolved.json"]["incidents"]
    assert {"incident_updates", "impact", "shortlink", "started_at", "resolved_at",
            "components"} <= set(incident)  # fmt: skip
    assert incident["impact"] == "minor" and incident["resolved_at"] is None
    assert [u["body"] for u in incident["incident_updates"]] == ["Search is slow"]
    assert client.get("/status.json").json() == anonymous.get("/api/v2/summary.json").json()

    preflight = anonymous.options(
        "/api/v2/summary.json",
        headers={"Origin": "https://intranet.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "x-requested-with"},
    )  # fmt: skip
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "x-requested-with"


def test_a_maintenance_is_scheduled_started_and_completed_over_http(client, clock):
    eid = opened(client)
    starts = clock.now + timedelta(days=1)
    window = {"starts_at": z(starts), "ends_at": z(starts + timedelta(hours=2))}
    scheduled = post(client, f"/escalations/{eid}/maintenances",
                     {"title": "CRM upgrade", "components": ["CRM"], **window})  # fmt: skip
    assert scheduled["created"] == {"maintenance_id": "m1"}
    upcoming = client.get("/api/v2/scheduled-maintenances/upcoming.json",
                          params={"wait_for": scheduled["position"]}).json()  # fmt: skip
    (maintenance,) = upcoming["scheduled_maintenances"]
    assert maintenance["status"] == "scheduled" and maintenance["scheduled_for"] == z(starts)
    assert "Upcoming maintenance" in client.get("/status").text

    clock.advance(days=1)
    started = post(client, f"/escalations/{eid}/maintenances/m1/start")
    active = client.get("/api/v2/scheduled-maintenances/active.json",
                        params={"wait_for": started["position"]}).json()  # fmt: skip
    assert [m["status"] for m in active["scheduled_maintenances"]] == ["in_progress"]
    summary = client.get("/api/v2/summary.json").json()
    assert summary["status"]["description"] == "Service Under Maintenance"
    assert {c["name"]: c["status"] for c in summary["components"]}["CRM"] == "under_maintenance"
    assert "Maintenance in progress" in client.get("/status").text

    clock.advance(hours=1)
    completed = post(client, f"/escalations/{eid}/maintenances/m1/complete", {"note": "done"})
    every = client.get("/api/v2/scheduled-maintenances.json",
                       params={"wait_for": completed["position"]}).json()  # fmt: skip
    assert [m["status"] for m in every["scheduled_maintenances"]] == ["completed"]
    feed = client.get("/status/feed.atom").text
    assert feed.count("urn:escalations:maintenance-update:") == 3
    # as of the start, the page still shows it in progress
    then = client.get("/api/v2/scheduled-maintenances/active.json",
                      params={"as_of": z(clock.now - timedelta(minutes=30))})  # fmt: skip
    assert [m["status"] for m in then.json()["scheduled_maintenances"]] == ["in_progress"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"ends_at": "2026-03-01T00:00:00Z", "starts_at": "2026-03-01T02:00:00Z"},
            "after starts_at",
        ),
        ({"starts_at": "2026-01-01T00:00:00Z", "ends_at": "2026-01-01T02:00:00Z"}, "has passed"),
        ({"starts_at": "2026-04-01T09:00:00"}, "timezone"),
        ({"components": ["Billing"]}, "not components of this escalation"),
        ({"components": []}, "components"),
    ],
)
def test_a_maintenance_with_a_bad_window_or_components_is_a_problem(client, change, words):
    eid = opened(client)
    body = {"title": "CRM upgrade", "components": ["CRM"],
            "starts_at": "2026-04-01T09:00:00Z", "ends_at": "2026-04-01T11:00:00Z", **change}  # fmt: skip
    response = client.post(f"/escalations/{eid}/maintenances", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert words in response.text


def test_maintenance_steps_out_of_order_or_on_a_customer_case_are_refused(client):
    case = opened(client, scope="customer")
    body = {"title": "x", "components": ["CRM"],
            "starts_at": "2026-04-01T09:00:00Z", "ends_at": "2026-04-01T11:00:00Z"}  # fmt: skip
    refused = client.post(f"/escalations/{case}/maintenances", json=body)
    assert refused.status_code == 409 and "global or group" in refused.json()["detail"]
    eid = opened(client)
    post(client, f"/escalations/{eid}/maintenances", body)
    early = client.post(f"/escalations/{eid}/maintenances/m1/complete")
    assert early.status_code == 409 and "start it first" in early.json()["detail"]
    unknown = client.post(f"/escalations/{eid}/maintenances/m9/start")
    assert unknown.status_code in (404, 422) and "m1" in unknown.json()["detail"]


def test_a_published_post_mortem_has_a_public_page_with_its_public_sections_only(client, clock):
    eid = opened(client, title="Checkout down", severity="SEV1", components=["Checkout"])
    post(client, f"/escalations/{eid}/communications",
         {"audience": "public", "channel": "status_page", "body": "Checkout is down"})  # fmt: skip
    post(client, f"/escalations/{eid}/action-items",
         {"description": "Canary every deploy", "owner": "OWNER-MARKER", "kind": "prevent",
          "phase": "postmortem"})  # fmt: skip
    post(client, f"/escalations/{eid}/action-items",
         {"description": "MITIGATION-MARKER", "owner": "x", "kind": "mitigate"})  # fmt: skip
    post(client, f"/escalations/{eid}/resolve", {"summary": "Rolled back",
                                                  "override_reason": "test"})  # fmt: skip
    written = post(client, f"/escalations/{eid}/postmortem",
         {"summary": "Checkout failed for 40 minutes", "impact": "All checkouts failed",
          "root_cause": "A config push", "five_whys": ["WHY-MARKER"],
          "went_wrong": ["WRONG-MARKER"], "response": "RESPONSE-MARKER"})  # fmt: skip
    path = f"/status/incidents/{eid}/postmortem"
    anonymous = TestClient(client.app)
    recorded = client.get("/api/v2/incidents.json", params={"wait_for": written["position"]}).json()
    assert anonymous.get(path).status_code == 404  # recorded, not published
    clock.advance(hours=1)
    published = post(client, f"/escalations/{eid}/postmortem/publish")
    incidents = anonymous.get("/api/v2/incidents.json",
                              params={"wait_for": published["position"]}).json()  # fmt: skip
    assert recorded["incidents"][0]["postmortem_url"] is None
    assert incidents["incidents"][0]["postmortem_url"].endswith(path)
    page = anonymous.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for public in ("Checkout failed for 40 minutes", "All checkouts failed", "A config push",
                   "Canary every deploy", "What we are doing"):  # fmt: skip
        assert public in page.text
    for internal in ("WHY-MARKER", "WRONG-MARKER", "RESPONSE-MARKER", "OWNER-MARKER",
                     "MITIGATION-MARKER"):  # fmt: skip
        assert internal not in page.text
    assert path in anonymous.get("/status").text
    assert "urn:escalations:postmortem:" in anonymous.get("/status/feed.atom").text
    before = anonymous.get(path, params={"as_of": z(clock.now - timedelta(minutes=30))})
    assert before.status_code == 404
    other = eid[:-1] + ("1" if eid.endswith("0") else "0")  # an id no incident has
    assert anonymous.get(f"/status/incidents/{other}/postmortem").status_code == 404
