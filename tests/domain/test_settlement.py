"""What ending an escalation settles (promised updates, component levels), what a reopen restores,
and a linked case resolved with its global escalation; each checked live and on replay."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import IllegalTransition, RuleViolated
from domain.escalation import Escalation
from domain.snapshot import CompactSnapshot
from domain.values import Status
from tests.domain.support import Clock, open_escalation, refused, replay

ACTOR = "maya.okafor"


def _outage(clock: Clock) -> Escalation:
    """A SEV1 with a major outage of Sync, promising the public and executives an update."""
    e = open_escalation(
        clock, scope="global", source="tools_outage", severity="SEV1", components=["Sync", "Web"]
    )
    e.assess_impact(
        actor=ACTOR,
        at=clock.tick(),
        customers_affected=100,
        components={"Sync": "major_outage", "Web": "degraded_performance"},
    )
    for audience in ("public", "executive"):
        at = clock.tick()
        e.communicate(
            actor=ACTOR,
            at=at,
            audience=audience,
            channel="email",
            body="Investigating",
            next_update_due=at + timedelta(minutes=30),
        )
    assert e.next_update_due() is not None
    return e


def _both(e: Escalation) -> list[Escalation]:
    """The escalation as its commands left it, and as a replay of its events rebuilds it."""
    return [e, replay(list(e.pending_events))]


def _resolved_with_a_promised_rca(clock: Clock) -> tuple[Escalation, datetime]:
    """A resolved outage that has since promised the customer an RCA in two days."""
    e = _outage(clock)
    e.resolve(actor=ACTOR, at=clock.tick(), summary="Rolled back")
    at = clock.tick()
    rca = at + timedelta(days=2)
    e.communicate(
        actor=ACTOR, at=at, audience="customer", channel="email", body="RCA to follow",
        next_update_due=rca,
    )  # fmt: skip
    return e, rca


SETTLED = {"Sync": "operational", "Web": "operational"}


@pytest.mark.parametrize("ending", ["resolve", "close", "dismiss"])
def test_ending_releases_every_promised_update_and_settles_the_components(ending: str) -> None:
    clock = Clock()
    e = _outage(clock)
    if ending == "dismiss":
        e.dismiss(actor=ACTOR, at=clock.tick(), reason="not_actionable")
    else:
        e.resolve(actor=ACTOR, at=clock.tick(), summary="Rolled back")
        if ending == "close":
            e.close(actor=ACTOR, at=clock.tick())

    for state in _both(e):
        assert state.next_update_due() is None
        assert state.components == SETTLED


def test_a_promise_made_after_resolution_is_owed_and_closing_releases_it() -> None:
    clock = Clock()
    e, rca = _resolved_with_a_promised_rca(clock)
    assert [s.next_update_due() for s in _both(e)] == [rca, rca]

    e.close(actor=ACTOR, at=clock.tick())
    assert [s.next_update_due() for s in _both(e)] == [None, None]


def test_the_state_as_it_was_before_resolution_still_owes_and_is_out() -> None:
    clock = Clock()
    e = _outage(clock)
    before = len(e.pending_events)
    owed = e.next_update_due()
    e.resolve(actor=ACTOR, at=clock.tick(), summary="Rolled back")

    earlier = replay(list(e.pending_events)[:before])
    assert earlier.next_update_due() == owed
    assert earlier.components == {"Sync": "major_outage", "Web": "degraded_performance"}


def _reopened(clock: Clock, **reopen: object) -> tuple[Escalation, datetime]:
    e = _outage(clock)
    e.resolve(actor=ACTOR, at=clock.tick(), summary="Rolled back")
    at = clock.tick()
    e.reopen(actor=ACTOR, at=at, reason="Errors are back", **reopen)
    return e, at


def test_a_reopen_owes_an_update_by_the_cadence_it_is_given() -> None:
    cadence_calls = []

    def cadence(source: str, severity: str, after: datetime) -> datetime:
        cadence_calls.append((source, severity, after))
        return after + timedelta(minutes=30)

    e, at = _reopened(Clock(), update_cadence=cadence)

    assert cadence_calls == [("tools_outage", "SEV1", at)]
    assert e.pending_events[-1].next_update_due == at + timedelta(minutes=30)
    for state in _both(e):
        assert state.next_update_due() == at + timedelta(minutes=30)


def test_a_reopen_owes_an_update_by_the_moment_named_and_else_at_once() -> None:
    promised = datetime(2026, 3, 2, 11, tzinfo=UTC)
    named, _ = _reopened(Clock(), next_update_due=promised)
    assert [s.next_update_due() for s in _both(named)] == [promised, promised]

    at_once, at = _reopened(Clock())
    assert [s.next_update_due() for s in _both(at_once)] == [at, at]


def test_a_reopen_recorded_before_its_promise_was_a_field_owes_no_update_of_its_own() -> None:
    e, _ = _reopened(Clock(), next_update_due=datetime(2026, 3, 2, 11, tzinfo=UTC))
    events = list(e.pending_events)
    events[-1] = dataclasses.replace(events[-1], next_update_due=None)  # as release 0.1 stored it

    assert replay(events).next_update_due() is None  # and the earlier promises stay released


def test_the_first_communication_after_a_reopen_gives_the_update_it_owes() -> None:
    clock = Clock()
    e, _ = _reopened(clock)
    e.communicate(actor=ACTOR, at=clock.tick(), audience="internal", channel="slack", body="Back")

    for state in _both(e):
        assert state.next_update_due() is None  # the old promises stay released


def test_a_reopened_incident_has_its_components_as_last_assessed() -> None:
    e, _ = _reopened(Clock())
    for state in _both(e):
        assert state.components == {"Sync": "major_outage", "Web": "degraded_performance"}


def test_an_assessment_after_resolution_keeps_components_settled_and_counts_on_reopen() -> None:
    clock = Clock()
    e = _outage(clock)
    e.resolve(actor=ACTOR, at=clock.tick(), summary="Rolled back")
    e.assess_impact(
        actor=ACTOR, at=clock.tick(), customers_affected=250, components={"Web": "partial_outage"}
    )
    e.assess_impact(actor=ACTOR, at=clock.tick(), customers_affected=260)  # levels kept
    assert e.pending_events[-1].components == {"Web": "partial_outage"}
    for state in _both(e):
        assert state.components == {"Web": "operational"}

    e.reopen(actor=ACTOR, at=clock.tick(), reason="Errors are back")
    for state in _both(e):
        assert state.components == {"Web": "partial_outage"}


# -------------------------------------------------------------- linked cases follow their global


def _linked(clock: Clock) -> tuple[Escalation, Escalation]:
    parent = open_escalation(clock, title="Desktop sync failing", scope="global")
    case = open_escalation(clock, title="Northwind cannot sync", scope="customer")
    parent.link_case(case, actor=ACTOR, at=clock.tick())
    return parent, case


def test_a_linked_case_resolves_with_its_resolved_global_escalation() -> None:
    clock = Clock()
    parent, case = _linked(clock)
    case.define_exit_criteria(actor=ACTOR, at=clock.tick(), criteria=["Customer confirms"])
    parent.resolve(actor="dev.patel", at=clock.tick(), summary="Rolled back")

    case.resolve_with_global(parent, actor="dev.patel", at=clock.tick())

    event = case.pending_events[-1]
    reason = f"resolved with global escalation Desktop sync failing ({parent.id})"
    assert isinstance(event, Escalation.Resolved)
    assert (event.actor, event.resolved_with, event.summary) == (
        "dev.patel",
        str(parent.id),
        reason,
    )
    assert (event.overridden_criteria, event.override_reason) == (["ec1"], reason)
    for state in _both(case):
        assert state.current_status is Status.RESOLVED
        assert state.resolution is not None
        assert state.resolution["resolved_with"] == str(parent.id)


def test_a_plain_resolution_follows_nothing() -> None:
    clock = Clock()
    e = open_escalation(clock)
    e.resolve(actor=ACTOR, at=clock.tick(), summary="Fixed")
    assert e.pending_events[-1].resolved_with is None
    assert e.resolution is not None and e.resolution["resolved_with"] is None


def test_a_case_follows_only_its_own_resolved_global_escalation() -> None:
    clock = Clock()
    parent, case = _linked(clock)
    other, _ = _linked(clock)
    other.resolve(actor=ACTOR, at=clock.tick(), summary="Fixed")

    error = refused(
        case, lambda: case.resolve_with_global(other, actor=ACTOR, at=clock.tick()), RuleViolated
    )
    assert str(parent.id) in str(error)
    error = refused(
        case, lambda: case.resolve_with_global(parent, actor=ACTOR, at=clock.tick()), RuleViolated
    )
    assert "once it is resolved" in str(error)


@pytest.mark.parametrize("ending", ["resolve", "dismiss"])
def test_a_case_that_ended_on_its_own_is_not_resolved_again(ending: str) -> None:
    clock = Clock()
    parent, case = _linked(clock)
    if ending == "resolve":
        case.resolve(actor=ACTOR, at=clock.tick(), summary="Workaround given")
    else:
        case.dismiss(actor=ACTOR, at=clock.tick(), reason="not_actionable")
    parent.resolve(actor=ACTOR, at=clock.tick(), summary="Fixed")

    refused(
        case,
        lambda: case.resolve_with_global(parent, actor=ACTOR, at=clock.tick()),
        IllegalTransition,
    )


def test_a_snapshot_taken_before_ending_settled_anything_restores_settled() -> None:
    clock = Clock()
    e, rca = _resolved_with_a_promised_rca(clock)
    snapshot = CompactSnapshot.take(e)
    document = json.loads(snapshot.state["document"])
    for name in ("promises_released", "update_due_on_reopen", "components_before_settlement"):
        del document[name]  # as release 0.1 took it
    document["components"] = {"Sync": "major_outage", "Web": "degraded_performance"}
    old = dataclasses.replace(snapshot, state={**snapshot.state, "document": json.dumps(document)})

    restored = old.mutate(None)

    assert isinstance(restored, Escalation)
    assert (restored.next_update_due(), restored.components) == (rca, SETTLED)
    restored.reopen(actor=ACTOR, at=clock.tick(), reason="Back")
    assert restored.components == {"Sync": "major_outage", "Web": "degraded_performance"}
