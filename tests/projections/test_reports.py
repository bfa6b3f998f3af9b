"""The queue and the reports on every backend: in the library (ReportsBehaviour) and over HTTP,
with the views and the deadline watcher running as `serve` runs them."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from infra.views.sla_watcher import start_deadline_watcher
from projections.cases.tables import cell, to_csv
from tests.backends import OnPostgreSQL, OnSQLite
from tests.projections.reports_behaviour import ReportsBehaviour
from tests.support import api_client


class TestReportsOnSQLite(OnSQLite, ReportsBehaviour):
    pass


class TestReportsOnPostgreSQL(OnPostgreSQL, ReportsBehaviour):
    pass


def rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def wait_until(read, done, seconds: float = 20.0):
    """Polls `read()` until `done(value)`; the value read, or the last one when time runs out."""
    ends = time.monotonic() + seconds
    value = read()
    while not done(value) and time.monotonic() < ends:
        time.sleep(0.05)
        value = read()
    return value


class ReportRoutes:
    @pytest.fixture
    def client(self, url, clock) -> Iterator[TestClient]:
        with api_client(url, clock, views=True, projections_sla_watch_interval=0.05) as client:
            yield client

    def open(self, client: TestClient, **fields) -> tuple[str, int]:
        body = {"title": "Uploads delayed", "scope": "global", "source": "tools_outage",
                "severity": "SEV1", "components": ["Sync"], **fields}  # fmt: skip
        response = client.post("/escalations", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"]), int(response.headers["Escalations-Position"])

    def test_the_watcher_started_after_the_due_time_dates_the_breach_at_it(self, client, clock):
        opened = clock.now
        eid, position = self.open(client)
        due = "2026-03-02T09:15:00Z"  # SEV1 first response: 15 min
        client.get(f"/queue?wait_for={position}")
        clock.advance(hours=2)  # the server ran no watcher across the due time
        watcher = start_deadline_watcher(client.app.state.container)
        try:
            state = wait_until(lambda: client.get(f"/escalations/{eid}").json(),
                               lambda s: s["sla_breaches"])  # fmt: skip
        finally:
            watcher.stop()
        (breach,) = state["sla_breaches"]
        assert breach["target"] == "first_response"
        assert breach["breached_at"] == breach["due_at"] == due
        assert breach["recorded_at"] == "2026-03-02T11:00:00Z"
        between = (opened + timedelta(hours=1)).isoformat()
        past = client.get(f"/escalations/{eid}", params={"as_of": between}).json()
        assert [(b["target"], b["breached_at"]) for b in past["sla_breaches"]] == [
            ("first_response", due)
        ]
        head = client.get(f"/escalations/{eid}/events").json()["items"][-1]["position"]
        sla = client.get("/reports/sla", params={"as_of": between, "wait_for": head}).json()
        assert [(b["target"], b["breached_at"][:19]) for b in sla["breaches"]] == [
            ("first_response", due[:19])
        ]
        queue = client.get("/queue", params={"as_of": between}).json()
        assert queue["items"][0]["target"] == "first_response"
        assert "first response overdue by 45 min" in queue["items"][0]["reason"]
        now = client.get("/reports/sla").json()["breaches"]
        assert [(b["breached_at"][:19], b["recorded_at"][:19]) for b in now] == [
            (due[:19], "2026-03-02T11:00:00")
        ]

    def test_every_event_names_its_global_position_page_by_page(self, client, clock):
        eid, opened_at = self.open(client)
        positions = [opened_at]
        for path, body in [("acknowledge", {}), ("owner", {"owner": "maria", "team": "cx"})]:
            response = client.post(f"/escalations/{eid}/{path}", json=body)
            assert response.status_code == 200, response.text
            positions.append(int(response.headers["Escalations-Position"]))
        first = client.get(f"/escalations/{eid}/events?limit=2").json()
        rest = client.get(f"/escalations/{eid}/events?after={first['next_after']}").json()
        items = first["items"] + rest["items"]
        assert [i["position"] for i in items] == positions
        assert [i["version"] for i in items] == [1, 2, 3]

    def test_every_report_answers_csv_equal_to_its_json(self, client, clock):
        self.open(client, title='=HYPERLINK("http://x")', tags=["billing"])
        other, _ = self.open(client, title="@SUM(A1)", severity="SEV3", source="email",
                             scope="customer")  # fmt: skip
        client.post(f"/escalations/{other}/acknowledge", json={})
        clock.advance(minutes=20)
        response = client.post(f"/escalations/{other}/resolve", json={"summary": "fixed"})
        head = int(response.headers["Escalations-Position"])
        queue_json = client.get(f"/queue?wait_for={head}").json()
        queue_csv = client.get("/queue", headers={"Accept": "text/csv"})
        assert queue_csv.headers["content-disposition"].startswith('attachment; filename="queue-')
        table = rows(queue_csv)
        assert [r["id"] for r in table] == [i["id"] for i in queue_json["items"]]
        assert [r["reason"] for r in table] == [i["reason"] for i in queue_json["items"]]
        assert [r["target"] for r in table] == [i["target"] for i in queue_json["items"]]
        assert table[0]["title"] == '\'=HYPERLINK("http://x")'  # a formula no more
        assert int(table[0]["rank"]) == 1

        sla = client.get("/reports/sla").json()
        sla_table = rows(client.get("/reports/sla?format=csv"))
        breaches = [r for r in sla_table if r["section"] == "breach"]
        assert [(r["id"], r["target"], r["breached_at"], r["reason"]) for r in breaches] == [
            (b["id"], b["target"], b["breached_at"], b["reason"]) for b in sla["breaches"]
        ]
        attainment = {r["target"]: r for r in sla_table if r["section"] == "attainment"}
        assert float(attainment["all"]["attainment"]) == sla["attainment"]
        for kind, entry in sla["by_target"].items():
            assert int(attainment[kind]["met"]) == entry["met"]
            assert int(attainment[kind]["missed"]) == entry["missed"]

        metrics = client.get("/reports/metrics").json()
        metrics_table = rows(client.get("/reports/metrics", headers={"Accept": "text/csv"}))
        summary = {r["name"]: r["value"] for r in metrics_table if r["section"] == "summary"}
        assert int(summary["cases"]) == metrics["cases"] == 2
        handle = {r["name"]: r for r in metrics_table if r["section"] == "handle_time"}
        assert float(handle["all"]["mean_seconds"]) == metrics["handle_time"]["mean_seconds"]
        assert int(handle["source:email"]["cases"]) == 1
        by_status = {r["name"]: int(r["value"]) for r in metrics_table
                     if r["section"] == "by_status"}  # fmt: skip
        assert by_status == metrics["by_status"]
        defined = {r["name"] for r in metrics_table if r["section"] == "definition"}
        assert defined == set(metrics["definitions"])
        page = client.get("/reports/metrics", headers={"Accept": "text/html"})
        assert page.headers["content-type"].startswith("text/html")
        assert "<h2>Definitions</h2>" in page.text and "first acknowledgement" in page.text

        trends = client.get("/reports/trends").json()
        trends_table = rows(client.get("/reports/trends?format=csv"))
        (billing,) = [r for r in trends_table if r["section"] == "categories"]
        assert billing["value"] == "billing"
        assert [int(billing[w]) for w in trends["weeks"]] == trends["categories"][0]["counts"]
        (total,) = [r for r in trends_table if r["section"] == "total"]
        assert [int(total[w]) for w in trends["weeks"]] == trends["total"]

        refused = client.get("/queue?format=xml")
        assert refused.status_code == 406
        assert refused.headers["content-type"] == "application/problem+json"
        assert "json, csv" in refused.json()["detail"]


class TestReportRoutesOnSQLite(OnSQLite, ReportRoutes):
    pass


class TestReportRoutesOnPostgreSQL(OnPostgreSQL, ReportRoutes):
    pass


@pytest.mark.parametrize(
    ("typed", "written"),
    [("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"),
     ("plain", "plain"), ("a=b", "a=b")],
)  # fmt: skip
def test_text_a_spreadsheet_would_run_is_written_inert(typed, written):
    assert cell(typed) == written
    (row,) = csv.DictReader(io.StringIO(to_csv(["title"], [{"title": typed}])))
    assert row["title"] == written


def test_numbers_stay_numbers_even_negative():
    (row,) = csv.DictReader(io.StringIO(to_csv(["n", "x"], [{"n": -3, "x": None}])))
    assert row == {"n": "-3", "x": ""}


def test_the_reference_shows_json_and_csv_examples_with_the_columns_served(sqlite_url, clock):
    with api_client(sqlite_url, clock, views=True) as client:
        paths = client.get("/openapi.json").json()["paths"]
        for path in ("/queue", "/reports/sla", "/reports/metrics", "/reports/trends"):
            content = paths[path]["get"]["responses"]["200"]["content"]
            assert content["application/json"]["example"], path
            example = csv.DictReader(io.StringIO(content["text/csv"]["example"]))
            served = csv.DictReader(io.StringIO(client.get(path, params={"format": "csv"}).text))
            if path != "/reports/trends":  # its week columns move with the clock
                assert example.fieldnames == served.fieldnames, path
        reason = paths["/queue"]["get"]["responses"]["200"]["content"]["application/json"]
        assert "first response overdue by 2 h" in reason["example"]["items"][0]["reason"]
