"""What the case ledger and the reports on it must do on every backend (run per backend by test_views.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra.settings.views import SlaSettings
from infra.views.sla_watcher import record_breaches
from projections.cases.reports import metrics, queue, sla_report, trends
from projections.sla import targets
from tests.projections.support import BackendSuite, project

POLICY = SlaSettings().policy()


class CasesBehaviour(BackendSuite):
    @pytest.fixture
    def env(self, running, clock):
        return (*running, clock)

    def triage(self, d, now):
        a = d.open(now - timedelta(hours=1), title="A email", source="email", severity="SEV3")
        b = d.open(now - timedelta(minutes=30), title="B outage", scope="global",
                   source="tools_outage", severity="SEV1")  # fmt: skip
        received = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
        c = d.open(received, title="C erasure", source="privacy_request", severity="SEV4",
                   privacy_regime="gdpr")  # fmt: skip
        d.do(c, received + timedelta(hours=1), "acknowledge")
        d.do(c, now - timedelta(hours=1), "communicate", audience="customer", channel="email",
             body="working on it", next_update_due=now + timedelta(days=10))  # fmt: skip
        ids = {"A": a, "B": b, "C": c}
        for name, revenue, next_due in [("D", 500_000, 0.5), ("E", 10_000, 3), ("F", 900_000, 3)]:
            eid = d.open(now - timedelta(hours=2), title=f"{name} key account",
                         source="priority_support", severity="SEV2", account=f"Acct {name}")  # fmt: skip
            d.do(eid, now - timedelta(hours=1, minutes=50), "acknowledge")
            d.do(eid, now - timedelta(hours=1, minutes=40), "assess_impact",
                 customers_affected=3, revenue_at_risk=revenue)  # fmt: skip
            d.do(eid, now - timedelta(hours=1), "communicate", audience="customer",
                 channel="email", body="on it", next_update_due=now + timedelta(hours=next_due))  # fmt: skip
            ids[name] = eid
        done = d.open(now - timedelta(hours=3), title="G done", severity="SEV1")
        d.do(done, now - timedelta(hours=2), "resolve", summary="ok")
        return ids

    def test_queue_puts_overdue_then_imminent_then_severity_then_money(self, env):
        _, views, d, clock = env
        ids = self.triage(d, clock.now)
        project(views)
        items = queue(views["cases"].open_cases(), POLICY, clock.now)
        order = {str(v): k for k, v in ids.items()}
        assert [order[i["id"]] for i in items] == ["B", "D", "C", "F", "E", "A"]
        reasons = {order[i["id"]]: i["reason"] for i in items}
        assert "first response overdue by 15 min" in reasons["B"]
        assert "legal deadline (GDPR) in 1 d" in reasons["C"]
        assert "next update to the customer due in 30 min (promised 09:30 UTC)" in reasons["D"]
        assert "900,000 USD at risk" in reasons["F"]
        # Beside the words, the codes: the target that places each escalation, and per reason.
        codes = {order[i["id"]]: i["target"] for i in items}
        assert codes["B"] == "first_response" and codes["D"] == "update:c1"
        (overdue,) = [r for r in items[0]["reasons"] if r["state"] == "overdue"]
        assert overdue == {"target": "first_response", "state": "overdue",
                           "due_at": "2026-03-02T08:45:00.000000Z",
                           "text": "first response overdue by 15 min"}  # fmt: skip
        # No internal target name is left in the words.
        assert not [r for r in reasons.values() if "update:" in r or "_" in r]

    def test_watcher_records_each_missed_target_once(self, env):
        container, views, d, clock = env
        ids = self.triage(d, clock.now)
        project(views)
        first = record_breaches(container.app, views["cases"], POLICY, clock.now)
        assert first == [(str(ids["B"]), "first_response")]
        # The view has not seen the breach yet: the domain refuses the duplicate, counted as done.
        assert record_breaches(container.app, views["cases"], POLICY, clock.now) == []
        project(views)
        assert record_breaches(container.app, views["cases"], POLICY, clock.now) == []
        breaches = [
            e for e in container.app.events.get(ids["B"]) if type(e).__name__ == "SlaBreached"
        ]
        assert [(e.target, e.actor) for e in breaches] == [("first_response", "sla-watcher")]

    def test_sla_report_gives_attainment_breaches_and_what_breaches_within_the_hour(self, env):
        container, views, d, clock = env
        ids = self.triage(d, clock.now)
        project(views)
        record_breaches(container.app, views["cases"], POLICY, clock.now)
        project(views)
        since = clock.now - timedelta(days=60)
        report = sla_report(views["cases"].cases_since(since), POLICY, clock.now, since)
        assert [(b["id"], b["target"]) for b in report["breaches"]] == [
            (str(ids["B"]), "first_response")
        ]
        assert report["breaches"][0]["reason"] == "first response overdue by 15 min"
        soon = [(r["id"], r["target"], r["reason"]) for r in report["breaching_within_hour"]]
        assert soon == [(str(ids["D"]), "update:c1",
                         "next update to the customer due in 30 min (promised 09:30 UTC)")]  # fmt: skip
        assert report["by_target"]["first_response"]["label"] == "first response"
        first = report["by_target"]["first_response"]
        assert (first["met"], first["missed"]) == (5, 1)  # C, D, E, F acknowledged, G resolved
        assert 0 < report["attainment"] < 1

    def test_metrics_count_and_average_from_the_events(self, env):
        _, views, d, clock = env
        t = clock.now - timedelta(days=1)
        x = d.open(t, title="x", source="email", severity="SEV2")
        d.do(x, t + timedelta(minutes=10), "acknowledge")
        d.do(x, t + timedelta(minutes=60), "resolve", summary="done")
        d.do(x, t + timedelta(minutes=70), "receive_feedback", csat=5, nps=10)
        d.do(x, t + timedelta(minutes=71), "receive_feedback", csat=3, nps=3)
        y = d.open(t, title="y", source="social", severity="SEV2")
        d.do(y, t + timedelta(minutes=20), "acknowledge")
        d.do(y, t + timedelta(minutes=90), "resolve", summary="done")
        d.do(y, t + timedelta(minutes=95), "receive_feedback", nps=9)
        d.open(t, title="z", source="social", severity="SEV4")
        project(views)
        report = metrics(views["cases"])
        assert report["cases"] == 3
        assert report["by_status"] == {"resolved": 2, "triage": 1}
        assert report["by_source"] == {"email": 1, "social": 2}
        assert report["by_severity"] == {"SEV2": 2, "SEV4": 1}
        assert report["mean_time_to_acknowledge_seconds"] == 900.0
        assert report["mean_time_to_resolve_seconds"] == 4500.0
        assert report["csat"] == {"responses": 2, "average": 4.0}
        assert report["nps"] == {"responses": 3, "score": 33.3}

    def test_trends_flag_a_spike_and_week_over_week_change(self, env):
        _, views, d, clock = env  # now: Monday 2026-03-02, ISO week 10
        for weeks_back in (4, 3, 2, 1):
            d.open(clock.now - timedelta(weeks=weeks_back), title="old", tags=["billing"])
        for hour in range(1, 6):
            d.open(clock.now - timedelta(hours=hour), title="new", tags=["billing"])
        last_week = clock.now - timedelta(days=5)
        pm = d.open(last_week, title="pm", tags=["sync"], components=["Sync"])
        d.do(pm, last_week + timedelta(hours=1), "resolve", summary="ok")
        d.do(pm, last_week + timedelta(hours=2), "record_postmortem", summary="s",
             root_cause="r", root_cause_category="deploy")  # fmt: skip
        project(views)
        report = trends(views["cases"], clock.now, weeks=8)
        assert report["weeks"][0] == "2026-W03" and report["weeks"][-1] == "2026-W10"
        billing = next(r for r in report["categories"] if r["value"] == "billing")
        assert billing["counts"] == [0, 0, 0, 1, 1, 1, 1, 5]
        assert billing["spikes"] == ["2026-W10"] and billing["week_over_week"] == 4
        assert billing["recurring"] is True
        assert report["root_causes"] == [
            {
                "value": "deploy",
                "counts": [0] * 6 + [1, 0],
                "total": 1,
                "recurring": False,
                "week_over_week": -1,
                "spikes": [],
            }
        ]
        assert report["total"] == [0, 0, 0, 1, 1, 1, 2, 5]

    def test_a_promised_update_is_kept_only_by_a_message_to_the_same_audience(self, env):
        _, views, d, clock = env
        t = clock.now - timedelta(hours=3)
        eid = d.open(t, title="promise", source="priority_support", severity="SEV2")
        d.do(eid, t, "acknowledge")
        d.do(eid, t + timedelta(minutes=5), "communicate", audience="customer", channel="email",
             body="next update in an hour", next_update_due=t + timedelta(hours=1, minutes=5))  # fmt: skip
        d.do(eid, t + timedelta(minutes=30), "communicate", audience="executive",
             channel="email", body="exec summary")  # fmt: skip
        d.do(eid, t + timedelta(minutes=50), "communicate", audience="public",
             channel="status_page", body="public note")  # fmt: skip
        project(views)
        (doc,) = views["cases"].open_cases()
        states = {s.target: s.state for s in targets(doc, POLICY, clock.now)}
        assert states["update:c1"] == "missed"
        d.do(eid, clock.now, "communicate", audience="customer", channel="email", body="late")
        project(views)
        (doc,) = views["cases"].open_cases()
        late = next(s for s in targets(doc, POLICY, clock.now) if s.target == "update:c1")
        assert (late.state, late.met_at) == ("missed", clock.now)
