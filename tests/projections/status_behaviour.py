"""What the status page's view must do on every backend (run per backend by test_views.py)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from projections import render
from projections.status import statuspage
from projections.status.page import build_page
from projections.status.statuspage import summary as summary_json
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
        components_since=view.components_since(),
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
        assert during["status"] == {"indicator": "critical", "description": "Major System Outage"}
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

    def test_a_sev2_whose_only_component_is_degraded_is_a_minor_outage(self, env):
        views, d, clock = env
        t = clock.now - timedelta(hours=2)
        g = d.open(t, title="Slow search", scope="global", source="tools_outage",
                   severity="SEV2", components=["Search"])  # fmt: skip
        d.do(g, t, "assess_impact", customers_affected=10,
             components={"Search": "degraded_performance"})  # fmt: skip
        d.do(g, t, "communicate", audience="public", channel="status_page", body="slow")
        project(views)
        page = summary_json(page_at(views["status"], clock.now))
        assert page["status"] == {"indicator": "minor", "description": "Minor Service Outage"}
        assert page["incidents"][0]["impact"] == "minor"
        assert page["components"][0]["status"] == "degraded_performance"

        d.do(g, t + timedelta(minutes=5), "assess_impact", customers_affected=10,
             components={"Search": "partial_outage"})  # fmt: skip
        project(views)
        worse = summary_json(page_at(views["status"], clock.now))
        assert worse["status"] == {"indicator": "major", "description": "Partial System Outage"}
        # as of before the second assessment it still reads as it did then
        before = summary_json(page_at(views["status"], t + timedelta(minutes=1)))
        assert before["status"]["indicator"] == "minor"

    def test_a_maintenance_is_upcoming_then_in_progress_then_completed(self, env):
        views, d, clock = env
        t = clock.now - timedelta(hours=6)
        window = t + timedelta(hours=2)
        g = d.open(t, title="CRM upgrade", scope="group", source="internal",
                   severity="SEV4", components=["CRM", "Telephony"])  # fmt: skip
        d.do(g, t + timedelta(minutes=1), "schedule_maintenance", title="CRM database upgrade",
             description="The CRM is read-only.", components=["CRM"], starts_at=window,
             ends_at=window + timedelta(hours=2))  # fmt: skip
        d.do(g, window, "start_maintenance", maintenance_id="m1")
        d.do(g, window + timedelta(hours=1), "complete_maintenance", maintenance_id="m1")
        project(views)
        view = views["status"]

        scheduled = page_at(view, t + timedelta(minutes=30))
        upcoming = statuspage.maintenances(scheduled, "upcoming")["scheduled_maintenances"]
        assert [(m["name"], m["status"]) for m in upcoming] == [
            ("CRM database upgrade", "scheduled")
        ]
        assert upcoming[0]["scheduled_for"] == window.isoformat().replace("+00:00", "Z")
        assert upcoming[0]["components"][0]["status"] == "under_maintenance"
        summary = summary_json(scheduled)
        assert summary["status"]["indicator"] == "none" and summary["incidents"] == []
        assert {c["name"]: c["status"] for c in summary["components"]} == {"CRM": "operational"}

        during = page_at(view, window + timedelta(minutes=30))
        summary = summary_json(during)
        assert summary["status"] == {"indicator": "maintenance",
                                     "description": "Service Under Maintenance"}  # fmt: skip
        assert summary["components"][0]["status"] == "under_maintenance"
        assert [m["status"] for m in summary["scheduled_maintenances"]] == ["in_progress"]
        assert statuspage.maintenances(during, "active")["scheduled_maintenances"]
        html = everything_rendered(during)
        assert "Maintenance in progress" in html and "Upcoming maintenance" not in html
        assert "Upcoming maintenance" in everything_rendered(scheduled)

        done = page_at(view, clock.now)
        assert summary_json(done)["status"]["indicator"] == "none"
        assert summary_json(done)["scheduled_maintenances"] == []
        (past,) = statuspage.maintenances(done)["scheduled_maintenances"]
        assert past["status"] == "completed" and past["resolved_at"] is not None
        assert [u["status"] for u in past["incident_updates"]] == ["completed", "in_progress",
                                                                 "scheduled"]  # fmt: skip
        feed = render.status_feed(done, base="http://x")
        assert feed.count("maintenance-update:") == 3

    def test_a_published_post_mortem_is_linked_and_announced(self, env):
        views, d, clock = env
        t = clock.now - timedelta(days=1)
        g = d.open(t, title="Checkout errors", scope="global", source="tools_outage",
                   severity="SEV1", components=["Checkout"])  # fmt: skip
        d.do(g, t, "communicate", audience="public", channel="status_page", body="looking")
        d.do(g, t + timedelta(hours=1), "resolve", summary="fixed")
        d.do(g, t + timedelta(hours=2), "record_postmortem", summary="PM-SUMMARY",
             root_cause="A bad deploy", five_whys=["WHY-MARKER"])  # fmt: skip
        project(views)
        unpublished = page_at(views["status"], clock.now)
        assert unpublished.history[0].postmortem_at is None
        d.do(g, t + timedelta(hours=3), "publish_postmortem")
        project(views)
        page = page_at(views["status"], clock.now)
        (incident,) = statuspage.incidents(page)["incidents"]
        assert incident["postmortem_url"] == f"http://x/status/incidents/{g}/postmortem"
        rendered = everything_rendered(page)
        assert f"/status/incidents/{g}/postmortem" in rendered
        assert "urn:escalations:postmortem:" in render.status_feed(page, base="http://x")
        # nothing of the post-mortem's text is kept in the public view
        stored = json.dumps(views["status"].documents())
        assert "PM-SUMMARY" not in stored and "WHY-MARKER" not in stored
        before = page_at(views["status"], t + timedelta(hours=2, minutes=30))
        assert before.history[0].postmortem_at is None

    def test_every_component_has_the_time_it_first_appeared(self, env):
        views, d, clock = env
        t = clock.now - timedelta(days=200)  # beyond the page's windows
        g = d.open(t, title="Old", scope="global", source="tools_outage", components=["Sync"])
        d.do(g, t, "communicate", audience="public", channel="status_page", body="old")
        d.do(g, t + timedelta(hours=1), "resolve", summary="done")
        later = clock.now - timedelta(hours=1)
        h = d.open(later, title="New", scope="global", source="tools_outage")
        d.do(h, later, "assess_impact", customers_affected=1,
             components={"Sync": "degraded_performance", "Search": "partial_outage"})  # fmt: skip
        d.do(h, later, "communicate", audience="public", channel="status_page", body="new")
        project(views)
        page = summary_json(page_at(views["status"], clock.now, components=["Email"]))
        created = {c["name"]: c["created_at"] for c in page["components"]}
        assert created["Sync"] == t.isoformat().replace("+00:00", "Z")
        assert created["Search"] == later.isoformat().replace("+00:00", "Z")
        assert created["Email"] == created["Sync"]  # configured: from the page's first moment
