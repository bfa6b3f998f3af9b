"""Guards of scheduled maintenance: where it may be scheduled, its window and components, and the
order of its steps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.errors import InvalidCommand, RuleViolated, UnknownItem
from domain.escalation import Escalation
from tests.domain.support import NAIVE, Clock, open_escalation, refused

ACTOR = "noor.haddad"


def _public(clock: Clock, **overrides: Any) -> Escalation:
    fields: dict[str, Any] = {"scope": "group", "components": ["CRM", "Telephony"], **overrides}
    return open_escalation(clock, **fields)


def _schedule(e: Escalation, clock: Clock, **overrides: Any) -> str:
    starts = clock.now + timedelta(hours=4)
    fields: dict[str, Any] = {"title": "CRM upgrade", "components": ["CRM"],
                              "starts_at": starts, "ends_at": starts + timedelta(hours=2)}  # fmt: skip
    fields.update(overrides)
    return e.schedule_maintenance(actor=ACTOR, at=clock.tick(), **fields)


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"ends_at": NAIVE}, "timezone"),
        ({"starts_at": NAIVE}, "timezone"),
        ({"components": []}, "at least one component"),
        ({"components": ["Billing"]}, "not components of this escalation"),
        ({"components": "CRM"}, "list of text"),
        ({"title": " "}, "title"),
    ],
)
def test_a_maintenance_with_bad_parts_is_refused(overrides: dict[str, Any], says: str) -> None:
    clock = Clock()
    e = _public(clock)
    error = refused(e, lambda: _schedule(e, clock, **overrides), InvalidCommand)
    assert says in str(error)


def test_a_window_must_end_after_it_starts_and_not_have_passed() -> None:
    clock = Clock()
    e = _public(clock)
    start = clock.now + timedelta(hours=1)
    backwards = refused(e, lambda: _schedule(e, clock, starts_at=start, ends_at=start),
                        InvalidCommand)  # fmt: skip
    assert "ends_at must be after starts_at" in str(backwards)
    past = clock.now - timedelta(days=1)
    gone = refused(e, lambda: _schedule(e, clock, starts_at=past,
                                        ends_at=past + timedelta(hours=1)), InvalidCommand)  # fmt: skip
    assert "has passed" in str(gone)
    # a window that has begun and not ended yet may still be announced
    assert _schedule(e, clock, starts_at=past, ends_at=clock.now + timedelta(hours=1)) == "m1"


def test_a_customer_case_takes_no_maintenance() -> None:
    clock = Clock()
    e = open_escalation(clock, components=["CRM"])  # scope customer
    error = refused(e, lambda: _schedule(e, clock), RuleViolated)
    assert "global or group" in str(error)


def test_a_maintenance_starts_once_then_completes_once_in_that_order() -> None:
    clock = Clock()
    e = _public(clock)
    mid = _schedule(e, clock)
    early = refused(e, lambda: e.complete_maintenance(actor=ACTOR, at=clock.tick(),
                                                      maintenance_id=mid), RuleViolated)  # fmt: skip
    assert "start it first" in str(early)
    e.start_maintenance(actor=ACTOR, at=clock.tick(), maintenance_id=mid)
    twice = refused(e, lambda: e.start_maintenance(actor=ACTOR, at=clock.tick(),
                                                   maintenance_id=mid), RuleViolated)  # fmt: skip
    assert "in progress" in str(twice)
    e.complete_maintenance(actor=ACTOR, at=clock.tick(), maintenance_id=mid, note="done")
    assert e.maintenances[mid]["status"] == "completed"
    assert e.maintenances[mid]["completed_at"] == clock.now
    unknown = refused(e, lambda: e.start_maintenance(actor=ACTOR, at=clock.tick(),
                                                     maintenance_id="m7"), UnknownItem)  # fmt: skip
    assert "known: m1" in str(unknown)
    assert _schedule(e, clock) == "m2"


def test_a_snapshot_taken_before_maintenances_existed_restores_with_none() -> None:
    import dataclasses
    import json

    from domain.snapshot import CompactSnapshot

    clock = Clock()
    e = _public(clock)
    e.collect_events()
    taken = CompactSnapshot.take(e)
    state = json.loads(taken.state["document"])
    del state["maintenances"]  # as a release without maintenances wrote it
    older = dataclasses.replace(taken, state={**taken.state, "document": json.dumps(state)})
    restored = older.mutate(None)
    assert isinstance(restored, Escalation)
    assert restored.maintenances == {}
    assert _schedule(restored, clock) == "m1"
