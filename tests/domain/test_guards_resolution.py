"""Guards of communications, resolution, reopening, feedback and post-mortems."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.errors import IllegalTransition, InvalidCommand, RuleViolated
from domain.escalation import Escalation
from tests.domain.support import NAIVE, Clock, Refusal, command, drive_to, open_escalation, refused

ACTOR = "maya.okafor"


def _communicate(e: Escalation, at: datetime, **overrides: Any) -> None:
    fields: dict[str, Any] = {"audience": "public", "channel": "status_page", "body": "Update"}
    fields.update(overrides)
    e.communicate(actor=ACTOR, at=at, **fields)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"audience": None}, "needs an audience"),
        ({"audience": ""}, "needs an audience"),
        ({"channel": None}, "needs a channel"),
        ({"channel": ""}, "needs a channel"),
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"audience": "everyone"}, "audience"),
        ({"channel": "pigeon"}, "channel"),
        ({"recipient_count": -1}, "recipient_count"),
        ({"recipient_count": 2.5}, "recipient_count"),
        ({"recipient_count": True}, "recipient_count"),
        ({"next_update_due": NAIVE}, "next_update_due"),
    ],
)
def test_a_communication_missing_or_with_bad_parts_is_refused(
    overrides: dict[str, Any], message: str
) -> None:
    clock = Clock()
    e = open_escalation(clock)

    error = refused(e, lambda: _communicate(e, clock.tick(), **overrides), InvalidCommand)

    assert message in str(error)


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(minutes=-1)])
def test_a_communication_whose_next_update_is_not_in_the_future_is_refused(
    offset: timedelta,
) -> None:
    clock = Clock()
    e = open_escalation(clock)
    at = clock.tick()

    error = refused(e, lambda: _communicate(e, at, next_update_due=at + offset), InvalidCommand)

    assert "in the future" in str(error)


def test_the_next_update_owed_is_the_latest_promise_to_each_audience() -> None:
    clock = Clock()
    e = open_escalation(clock)
    start = clock.now
    _communicate(e, clock.tick(), next_update_due=start + timedelta(hours=4))
    # A newer public post promising sooner replaces the older, later promise.
    _communicate(e, clock.tick(), next_update_due=start + timedelta(minutes=30))
    assert e.next_update_due() == start + timedelta(minutes=30)

    # Executives were promised something else; the earliest promise still open is the one owed.
    _communicate(
        e,
        clock.tick(),
        audience="executive",
        channel="email",
        next_update_due=start + timedelta(hours=1),
    )
    assert e.next_update_due() == start + timedelta(minutes=30)

    # A final public post with no promise releases the public one; the executive one remains.
    _communicate(e, clock.tick())
    assert e.next_update_due() == start + timedelta(hours=1)


def test_nothing_is_owed_before_any_promise() -> None:
    clock = Clock()
    e = open_escalation(clock)
    _communicate(e, clock.tick())

    assert e.next_update_due() is None


def test_a_communication_remembers_the_status_it_was_sent_in() -> None:
    clock = Clock()
    e = drive_to("identified", clock)

    _communicate(e, clock.tick(), next_update_due=clock.now + timedelta(minutes=30))

    assert e.communications[-1]["status"] == "identified"
    assert e.next_update_due() == clock.now + timedelta(minutes=30)


# ------------------------------------------------------------------------------- resolved


def _with_criteria(clock: Clock) -> Escalation:
    e = drive_to("monitoring", clock)
    e.define_exit_criteria(actor=ACTOR, at=clock.tick(), criteria=["Lag normal", "No 5xx"])
    e.meet_exit_criterion(actor=ACTOR, at=clock.tick(), criterion_id="ec1")
    return e


def test_resolving_with_unmet_exit_criteria_is_refused() -> None:
    clock = Clock()
    e = _with_criteria(clock)

    error = refused(
        e, lambda: e.resolve(actor=ACTOR, at=clock.tick(), summary="Fixed"), RuleViolated
    )

    assert "ec2: No 5xx" in str(error)
    assert "ec1" not in str(error)


def test_resolving_with_unmet_criteria_and_an_override_reason_records_the_override() -> None:
    clock = Clock()
    e = _with_criteria(clock)

    e.resolve(
        actor=ACTOR, at=clock.tick(), summary="Fixed", override_reason="5xx come from the CDN"
    )

    assert e.status == "resolved"
    event = e.pending_events[-1]
    assert event.overridden_criteria == ["ec2"]
    assert event.override_reason == "5xx come from the CDN"
    assert e.resolution is not None
    assert e.resolution["overridden_criteria"] == ["ec2"]


def test_resolving_with_every_criterion_met_needs_no_override() -> None:
    clock = Clock()
    e = _with_criteria(clock)
    e.meet_exit_criterion(actor=ACTOR, at=clock.tick(), criterion_id="ec2")

    e.resolve(actor=ACTOR, at=clock.tick(), summary="Fixed", override_reason="ignored")

    assert e.pending_events[-1].overridden_criteria == []
    assert e.pending_events[-1].override_reason == ""


@pytest.mark.parametrize(
    "status", ["triage", "investigating", "identified", "monitoring", "closed", "dismissed"]
)
def test_feedback_outside_resolved_is_refused(status: str) -> None:
    clock = Clock()
    e = drive_to(status, clock)

    refused(e, lambda: e.receive_feedback(actor=ACTOR, at=clock.tick(), csat=5), IllegalTransition)


@pytest.mark.parametrize(
    "scores",
    [
        {},
        {"csat": 0},
        {"csat": 6},
        {"csat": True},
        {"csat": 4.5},
        {"csat": "5"},
        {"nps": -1},
        {"nps": 11},
        {"nps": False},
        {"nps": 7.5},
        {"csat": 5, "nps": 11},
    ],
)
def test_feedback_with_scores_out_of_range_is_refused(scores: dict[str, Any]) -> None:
    clock = Clock()
    e = drive_to("resolved", clock)

    refused(e, lambda: e.receive_feedback(actor=ACTOR, at=clock.tick(), **scores), InvalidCommand)


@pytest.mark.parametrize(
    "scores", [{"csat": 1}, {"csat": 5}, {"nps": 0}, {"nps": 10}, {"csat": 3, "nps": 7}]
)
def test_feedback_at_the_ends_of_the_scales_is_accepted(scores: dict[str, Any]) -> None:
    clock = Clock()
    e = drive_to("resolved", clock)

    e.receive_feedback(actor=ACTOR, at=clock.tick(), **scores)

    assert e.feedback[-1]["csat"] == scores.get("csat")
    assert e.feedback[-1]["nps"] == scores.get("nps")


# ---------------------------------------------------------------------------- post-mortem


def _record(e: Escalation, at: datetime, **overrides: Any) -> None:
    fields: dict[str, Any] = {"summary": "Sync stalled", "root_cause": "Config push"}
    fields.update(overrides)
    e.record_postmortem(actor=ACTOR, at=at, **fields)


_publish = command(Escalation.publish_postmortem)

REFUSALS = [
    Refusal(
        "resolving without a summary",
        command(Escalation.resolve, summary=" "),
        InvalidCommand,
        start="investigating",
    ),
    Refusal(
        "reopening without a reason",
        command(Escalation.reopen, reason=""),
        InvalidCommand,
        start="resolved",
    ),
    Refusal(
        "publishing before recording",
        _publish,
        RuleViolated,
        start="resolved",
        says=("record the post-mortem",),
    ),
    Refusal(
        "revising after publication",
        lambda e, at: _record(e, at, summary="Edited"),
        RuleViolated,
        start="resolved",
        setup=(_record, _publish),
    ),
    Refusal("republishing", _publish, RuleViolated, start="resolved", setup=(_record, _publish)),
    Refusal(
        "publishing after closing",
        _publish,
        IllegalTransition,
        start="resolved",
        setup=(_record, command(Escalation.close)),
    ),
]


@pytest.mark.parametrize("case", REFUSALS, ids=str)
def test_a_resolution_or_postmortem_command_against_the_rules_is_refused(case: Refusal) -> None:
    case.check()


@pytest.mark.parametrize(
    "status", ["triage", "investigating", "identified", "monitoring", "closed", "dismissed"]
)
def test_a_postmortem_before_resolution_is_refused(status: str) -> None:
    clock = Clock()
    e = drive_to(status, clock)

    refused(e, lambda: _record(e, clock.tick()), IllegalTransition)
    refused(e, lambda: e.publish_postmortem(actor=ACTOR, at=clock.tick()), IllegalTransition)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"summary": ""}, "summary"),
        ({"root_cause": " "}, "root_cause"),
        ({"five_whys": [f"why {n}" for n in range(8)]}, "at most 7"),
        ({"went_well": "everything"}, "went_well"),
    ],
)
def test_a_postmortem_with_missing_or_bad_parts_is_refused(
    overrides: dict[str, Any], message: str
) -> None:
    clock = Clock()
    e = drive_to("resolved", clock)

    error = refused(e, lambda: _record(e, clock.tick(), **overrides), InvalidCommand)

    assert message in str(error)


def test_revising_before_publication_counts_revisions_and_publishes_the_latest() -> None:
    clock = Clock()
    e = drive_to("resolved", clock)
    _record(e, clock.tick())
    _record(e, clock.tick(), summary="Sync stalled for 2 hours")

    e.publish_postmortem(actor=ACTOR, at=clock.tick())

    assert e.postmortem is not None
    assert e.postmortem["revision"] == 2
    assert e.postmortem["summary"] == "Sync stalled for 2 hours"
    assert e.pending_events[-1].revision == 2
