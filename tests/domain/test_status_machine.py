"""The status machine: every (from, to, command) allowed by TRANSITIONS succeeds, every other is
refused with IllegalTransition and records nothing."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime

import pytest

from domain.errors import IllegalTransition
from domain.escalation import Escalation
from domain.policies import TRANSITIONS, allowed
from domain.values import Status
from tests.domain.support import Clock, Refusal, drive_to, refused

ACTOR = "maya.okafor"

# How each transition command is issued, aiming at a target status. Only `status` can aim at any
# status; the others always lead to the same one.
COMMANDS: dict[str, Callable[[Escalation, datetime, Status], None]] = {
    "status": lambda e, at, to: e.change_status(actor=ACTOR, at=at, status=to),
    "resolve": lambda e, at, _: e.resolve(actor=ACTOR, at=at, summary="Done"),
    "reopen": lambda e, at, _: e.reopen(actor=ACTOR, at=at, reason="It came back"),
    "close": lambda e, at, _: e.close(actor=ACTOR, at=at),
    "dismiss": lambda e, at, _: e.dismiss(actor=ACTOR, at=at, reason="not_actionable"),
}
FIXED_TARGET = {
    "resolve": Status.RESOLVED,
    "reopen": Status.INVESTIGATING,
    "close": Status.CLOSED,
    "dismiss": Status.DISMISSED,
}


def attempts() -> list[tuple[Status, Status, str]]:
    """Every status paired with every status through `status`, and every status with each other
    command's own target."""
    pairs = [(f, t, "status") for f, t in itertools.product(Status, Status)]
    pairs += [(f, FIXED_TARGET[c], c) for f in Status for c in FIXED_TARGET]
    return pairs


ALLOWED = [a for a in attempts() if allowed(*a)]
REFUSED = [a for a in attempts() if not allowed(*a)]


def _id(attempt: tuple[Status, Status, str]) -> str:
    return f"{attempt[0].value}-{attempt[2]}-{attempt[1].value}"


def test_the_table_names_only_known_commands_and_every_status() -> None:
    assert set(TRANSITIONS) == set(Status)
    commands = {c for targets in TRANSITIONS.values() for c in targets.values()}
    assert commands == set(COMMANDS)
    for command, target in FIXED_TARGET.items():
        assert all(
            t is target
            for targets in TRANSITIONS.values()
            for t, c in targets.items()
            if c == command
        )


def test_every_transition_in_the_table_is_attempted() -> None:
    table = {(f, t, c) for f, targets in TRANSITIONS.items() for t, c in targets.items()}
    assert set(ALLOWED) == table


@pytest.mark.parametrize("attempt", ALLOWED, ids=_id)
def test_a_transition_in_the_table_succeeds(attempt: tuple[Status, Status, str]) -> None:
    current, target, command = attempt
    clock = Clock()
    escalation = drive_to(current, clock)
    before = len(escalation.pending_events)

    COMMANDS[command](escalation, clock.tick(), target)

    assert escalation.current_status is target
    assert len(escalation.pending_events) == before + 1


@pytest.mark.parametrize("attempt", REFUSED, ids=_id)
def test_a_transition_not_in_the_table_is_refused(attempt: tuple[Status, Status, str]) -> None:
    current, target, command = attempt
    clock = Clock()
    escalation = drive_to(current, clock)

    error = refused(
        escalation, lambda: COMMANDS[command](escalation, clock.tick(), target), IllegalTransition
    )

    assert isinstance(error, IllegalTransition)
    assert error.current == current.value
    assert escalation.current_status is current


def test_closed_and_dismissed_are_final() -> None:
    assert TRANSITIONS[Status.CLOSED] == {}
    assert TRANSITIONS[Status.DISMISSED] == {}
    assert not any(Status.TRIAGE in targets for targets in TRANSITIONS.values())


@pytest.mark.parametrize("target", ["triage", "resolved", "closed", "dismissed"])
def test_change_status_refuses_targets_that_have_their_own_command(target: str) -> None:
    clock = Clock()
    escalation = drive_to("investigating", clock)

    error = refused(
        escalation,
        lambda: escalation.change_status(actor=ACTOR, at=clock.tick(), status=target),
        IllegalTransition,
    )

    assert isinstance(error, IllegalTransition)
    assert error.attempted == target


def test_a_refused_status_change_names_the_move_in_plain_words() -> None:
    clock = Clock()
    escalation = drive_to("closed", clock)

    error = refused(
        escalation,
        lambda: escalation.change_status(actor=ACTOR, at=clock.tick(), status="investigating"),
        IllegalTransition,
    )

    assert str(error).startswith("cannot change status from closed to investigating")
    assert "nothing, it is final" in str(error)


def test_a_refused_transition_says_where_the_escalation_can_go() -> None:
    Refusal(
        "dismissing an identified escalation",
        lambda e, at: e.dismiss(actor=ACTOR, at=at, reason="spam"),
        IllegalTransition,
        start="identified",
        says=("investigating (by status)", "resolved (by resolve)"),
    ).check()


def test_reopening_clears_the_resolution_and_counts() -> None:
    clock = Clock()
    escalation = drive_to("resolved", clock)

    escalation.reopen(actor=ACTOR, at=clock.tick(), reason="Customers report it again")

    assert escalation.status == "investigating"
    assert escalation.resolved_at is None
    assert escalation.resolution is None
    assert escalation.reopen_count == 1
