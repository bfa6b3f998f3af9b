"""What the status page's view must do on every backend (run per backend by test_views.py)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from projections import render
from projections.status.page import build_page, summary_json
from tests.projections.support import BackendSuite, project

MARKERS = [
    "DESC-MARKER",
    "NOTE-MARKER",
    "INTERNAL-COMM-MARKER",
    "EXEC-MARKER",
    "RESOLUTION-MARKER",
    "PII-NAME-MARKER",
    "pii.marker@example.com",
    "CUSTOMER-TITLE-MARKER",
    "CUSTOMER-PUBLIC-MARKER",
    "UNPUBLISHED-MARKER",
]


def page_at(view, at, components=()):
    docs = view.documents_for(at, timedelta(days=90))
    return build_page(
        docs,
        at,
        page_id="p",
        page_name="Status",
        url="http://x",
        configured_components=list(components),
    )


def everything_rendered(page) -> str:
    html = render.status_html(page, base="", position=1)
    feed = render.status_feed(page, base="http://x")
    return html + feed + json.dumps(summary_json(page))


class StatusBehaviour(BackendSuite):
    @pytest.fixture
    def env(self, running, clock):
        _container, views, driver = running
        return views, driver, clock

    def test_nothing_internal_personal_or_non_public_reaches_the_page(self, env):
        views, d, clock = env
        t = clock.now - timedelta(hours=5)
        g = d.open(t, title="Sync delays", scope="global", source="tools_outage", severity="SEV2",
                   description="DESC-MARKER", components=["Sync"])  # fmt: skip
        d.do(g, t + timedelta(minutes=1), "add_note", text="NOTE-MARKER")
        for minutes, audience, body in [
            (2, "internal", "INTERNAL-COMM-MARKER"),
            (3, "executive", "EXEC-MARKER"),
            (4, "public", "We are investigating sync delays."),
        ]:
            d.do(g, t + timedelta(minutes=minutes), "communicate", audience=audience,
                 channel="status_page", body=body)  # fmt: skip
        c = d.open(t, title="CUSTOMER-TITLE-MARKER", scope="customer", source="email",
                   customer={"subject_id": "s1", "name": "PII-NAME-MARKER",
                             "email": "pii.marker@example.com"})  # fmt: skip
        d.do(c, t + timedelta(minutes=5), "communicate", audience="public", channel="email",
             body="CUSTOMER-PUBLIC-MARKER")  # fmt: skip
        d.open(t, title="UNPUBLISHED-MARKER", scope="group", source="tools_outage")
        project(views)

        live = everything_rendered(page_at(views["status"], clock.now))
        assert "We are investigating sync delays." in live and "Sync delays" in live
        d.do(g, t + timedelta(minutes=30), "resolve", summary="RESOLUTION-MARKER")
        project(views)
        stored = json.dumps(views["status"].documents())
        resolved = everything_rendered(page_at(views["status"], clock.now))
        for marker in MARKERS:
            assert marker not in live, marker
            assert marker not in resolved, marker
        for marker in MARKERS[:-1]:  # the unpublished title is kept, but only shown once published
            assert marker not in stored, marker

    def test_status_page_as_of_shows_the_update_that_was_live_then(self, env):
        views, d, clock = env
        t = clock.now - timedelta(days=2)
        g = d.open(t, title="Checkout errors", scope="global", source="tools_outage",
                   severity="SEV1", components=["Checkout"])  # fmt: skip
        d.do(g, t + timedelta(hours=1), "communicate", audience="public", channel="status_page",
             subject="Checkout errors", body="first update")  # fmt: skip
        d.do(g, t + timedelta(hours=2), "change_status", status="identified")
        d.do(g, t + timedelta(hours=3), "communicate", audience="public", channel="status_page",
             body="second update")  # fmt: skip
        d.do(g, t + timedelta(hours=4), "resolve", summary="done")
        project(views)
        view = views["status"]

        before = summary_json(page_at(view, t + timedelta(minutes=30)))
        assert before["incidents"] == [] and before["status"]["indicator"] == "none"

        during = summary_json(page_at(view, t + timedelta(hours=2, minutes=30)))
        (incident,) = during["incidents"]
        assert incident["status"] == "identified"
        assert [u["body"] for u in incident["incident_updates"]] == ["first update"]
        assert during["status"] == {"indicator": "critical", "description": "Major Service Outage"}
        assert during["components"][0]["status"] == "major_outage"

        after = page_at(view, t + timedelta(hours=5))
        assert summary_json(after)["incidents"] == []
        assert [u["body"] for u in after.history[0].updates] == [
            "This incident has been resolved.",
            "second update",
            "first update",
        ]
        assert summary_json(after)["components"][0]["status"] == "operational"

    def test_uptime_counts_major_outage_fully_and_partial_outage_at_thirty_percent(self, env):
        views, d, clock = env
        t = clock.now - timedelta(days=3)
        g = d.open(t, title="Outage", scope="global", source="tools_outage", severity="SEV1")
        d.do(g, t, "assess_impact", customers_affected=5,
             components={"Sync": "major_outage", "Checkout": "partial_outage"})  # fmt: skip
        d.do(g, t, "communicate", audience="public", channel="status_page", body="down")
        d.do(g, t + timedelta(hours=21.6), "resolve", summary="up")  # 1% of 90 days
        project(views)
        page = page_at(views["status"], clock.now, components=["Email support"])
        uptime = {c.name: c.uptime for c in page.components}
        assert uptime == {"Email support": 100.0, "Sync": 99.0, "Checkout": 99.7}
        days = {c.name: c.days for c in page.components}
        assert days["Sync"][-4:] == ["operational", "major_outage", "operational", "operational"]

    def test_dismissed_and_customer_scope_escalations_are_not_incidents(self, env):
        views, d, clock = env
        t = clock.now - timedelta(hours=3)
        g = d.open(t, title="Spam", scope="global", source="social")
        d.do(g, t, "communicate", audience="public", channel="social", body="looking")
        d.do(g, t + timedelta(minutes=5), "dismiss", reason="spam")
        d.open(t, title="One customer", scope="customer")
        project(views)
        assert summary_json(page_at(views["status"], clock.now))["incidents"] == []
        shown = page_at(views["status"], t + timedelta(minutes=1)).incidents
        assert [i.name for i in shown] == ["Spam"]  # as it was before the dismissal
        assert [doc["id"] for doc in views["status"].documents()] == [str(g)]
