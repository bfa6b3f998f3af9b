"""What the queue and the reports must say on every backend (run per backend by test_reports.py):
breaches dated at their due time, reasons in people's words, handle time."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from infra.settings.views import SlaSettings
from infra.views.sla_watcher import record_breaches
from projections.base import instant
from projections.cases.history import cases_as_of, open_as_of
from projections.cases.reports import metrics, queue, sla_report
from tests.projections.support import BackendSuite, project

POLICY = SlaSettings().policy()


class ReportsBehaviour(BackendSuite):
    @pytest.fixture
    def env(self, running, clock):
        return (*running, clock)

    def test_a_breach_is_dated_at_its_due_time_though_the_watcher_was_down_across_it(self, env):
        container, views, d, clock = env
        opened = clock.now
        eid = d.open(opened, title="Sign-in down", scope="global", source="tools_outage",
                     severity="SEV1")  # fmt: skip
        due = opened + timedelta(minutes=15)  # the SEV1 first response
        clock.advance(hours=3)  # no watcher ran across the due time
        project(views)

        def report(now):
            return sla_report(views["cases"].cases_since(now - timedelta(days=30)), POLICY, now,
                              now - timedelta(days=30))  # fmt: skip

        (unrecorded,) = report(clock.now)["breaches"]
        assert (unrecorded["breached_at"], unrecorded["recorded_at"]) == (instant(due), None)

        # The watcher starts now: its first pass records the breach once, dated at the due time.
        assert record_breaches(container.app, views["cases"], POLICY, clock.now) == [
            (str(eid), "first_response")
        ]
        project(views)
        assert record_breaches(container.app, views["cases"], POLICY, clock.now) == []
        (event,) = [e for e in container.app.events.get(eid) if type(e).__name__ == "SlaBreached"]
        assert (event.due_at, event.timestamp) == (due, clock.now)
        (recorded,) = report(clock.now)["breaches"]
        assert recorded["breached_at"] == instant(due)
        assert recorded["recorded_at"] == instant(clock.now)
        assert recorded["reason"] == "first response overdue by 2 h 45 min"

        # As of a moment between the due time and the record, the breach had happened.
        def events_of(case_id):
            return container.app.events.get(UUID(case_id))

        between = opened + timedelta(hours=1)
        then = cases_as_of(views["cases"], events_of, between)
        (past,) = sla_report(then, POLICY, between, between - timedelta(days=30))["breaches"]
        assert (past["breached_at"], past["recorded_at"]) == (instant(due), instant(clock.now))
        assert past["reason"] == "first response overdue by 45 min"
        (item,) = queue(open_as_of(then), POLICY, between)
        assert (item["tier"], item["target"]) == (1, "first_response")
        assert "first response overdue by 45 min" in item["reason"]
        # Before the due time there was none, and the queue said how long was left.
        before = opened + timedelta(minutes=10)
        earlier = cases_as_of(views["cases"], events_of, before)
        assert sla_report(earlier, POLICY, before, before - timedelta(days=30))["breaches"] == []
        (waiting,) = queue(open_as_of(earlier), POLICY, before)
        assert "first response due in 5 min" in waiting["reason"] and waiting["tier"] == 2
        # Acknowledged later: as of then the case is still unanswered; now it is answered late.
        d.do(eid, clock.advance(minutes=5), "acknowledge")
        project(views)
        assert "overdue" in queue(open_as_of(cases_as_of(views["cases"], events_of, between)),
                                  POLICY, between)[0]["reason"]  # fmt: skip
        (late,) = report(clock.now)["breaches"]
        assert late["breached_at"] == instant(due)
        assert late["reason"] == "first response missed by 2 h 50 min"

    def test_bbb_and_account_dates_are_named_for_what_they_are(self, env):
        _, views, d, clock = env
        now = clock.now
        bbb = d.open(now - timedelta(hours=1), title="BBB file 1", source="bbb_complaint",
                     severity="SEV3", deadline=now + timedelta(days=3))  # fmt: skip
        account = d.open(now - timedelta(minutes=10), title="Key account", severity="SEV2",
                         source="priority_support", account="Acme",
                         deadline=now + timedelta(days=2, hours=4))  # fmt: skip
        project(views)
        items = {UUID(i["id"]): i for i in queue(views["cases"].open_cases(), POLICY, now)}
        assert "BBB response deadline in 3 d" in items[bbb]["reason"]
        assert "legal" not in items[bbb]["reason"]
        assert "account commitment in 2 d 4 h" in items[account]["reason"]
        codes = {r["target"] for r in items[bbb]["reasons"]}
        assert "bbb_deadline" in codes and "legal_deadline" not in codes
        assert {r["target"] for r in items[account]["reasons"]} >= {"account_commitment"}

    def test_a_deadline_breach_stored_under_its_old_name_is_not_recorded_again(self, env):
        container, views, d, clock = env
        received = clock.now - timedelta(days=5)
        bbb = d.open(received, title="BBB file 2", source="bbb_complaint", severity="SEV3",
                     deadline=received + timedelta(days=2))  # fmt: skip
        d.do(bbb, received + timedelta(hours=2), "acknowledge")
        d.do(bbb, received + timedelta(days=3), "record_sla_breach", target="legal_deadline",
             due_at=received + timedelta(days=2))  # fmt: skip
        project(views)
        recorded = record_breaches(container.app, views["cases"], POLICY, clock.now)
        assert "bbb_deadline" not in [target for _, target in recorded]
        project(views)
        report = sla_report(views["cases"].cases_since(received), POLICY, clock.now, received)
        deadline = [b for b in report["breaches"] if b["target"] == "bbb_deadline"]
        assert [(b["breached_at"], b["label"]) for b in deadline] == [
            (instant(received + timedelta(days=2)), "BBB response deadline")
        ]
        assert not [b for b in report["breaches"] if b["target"] == "legal_deadline"]

    def test_handle_time_leaves_out_monitoring_and_unacknowledged_cases(self, env):
        _, views, d, clock = env
        t = clock.now - timedelta(days=1)
        x = d.open(t, title="x", source="email", severity="SEV2")
        d.do(x, t + timedelta(minutes=10), "acknowledge")
        d.do(x, t + timedelta(minutes=30), "change_status", status="monitoring")
        d.do(x, t + timedelta(minutes=40), "change_status", status="investigating")
        d.do(x, t + timedelta(minutes=60), "resolve", summary="done")  # 50 min - 10 parked
        w = d.open(t, title="w", source="email", severity="SEV3")
        d.do(w, t, "acknowledge")
        d.do(w, t + timedelta(minutes=30), "change_status", status="monitoring")
        d.do(w, t + timedelta(minutes=100), "resolve", summary="held")  # 100 min - 70 parked
        y = d.open(t, title="y", source="social", severity="SEV2")
        d.do(y, t + timedelta(minutes=20), "acknowledge")
        d.do(y, t + timedelta(minutes=90), "resolve", summary="done")  # 70 min
        z = d.open(t, title="z", source="social", severity="SEV2")
        d.do(z, t + timedelta(minutes=30), "resolve", summary="never acknowledged")
        d.open(t, title="v", source="social", severity="SEV4")  # open: no handle time yet
        project(views)
        handle = metrics(views["cases"], None, POLICY, clock.now)["handle_time"]
        # 2400, 1800 and 4200 s: mean 2800; nearest rank p50 = 2nd of 3, p90 = 3rd of 3.
        assert (handle["cases"], handle["mean_seconds"]) == (3, 2800.0)
        assert (handle["p50_seconds"], handle["p90_seconds"]) == (2400.0, 4200.0)
        assert handle["by_source"] == {
            "email": {"cases": 2, "mean_seconds": 2100.0, "p50_seconds": 1800.0,
                      "p90_seconds": 2400.0},
            "social": {"cases": 1, "mean_seconds": 4200.0, "p50_seconds": 4200.0,
                       "p90_seconds": 4200.0},
        }  # fmt: skip
        assert handle["by_severity"]["SEV2"] == {
            "cases": 2, "mean_seconds": 3300.0, "p50_seconds": 2400.0, "p90_seconds": 4200.0
        }  # fmt: skip
        assert handle["by_severity"]["SEV3"]["mean_seconds"] == 1800.0
        definitions = metrics(views["cases"])["definitions"]
        assert "first acknowledgement to its first resolution" in definitions["handle_time"]
        assert "monitoring" in definitions["handle_time"]
