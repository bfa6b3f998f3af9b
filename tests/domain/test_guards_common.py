"""Guards every command shares: an actor, a timezone-aware time in stream order, nothing once final,
no active work once resolved. A refused command records nothing on any stream it touches."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.errors import DomainError, IllegalTransition, InvalidCommand
from domain.escalation import Escalation
from tests.domain.ready import ALLOWED_WHEN_FINAL, READY, Ready
from tests.domain.support import NAIVE, Clock, refused, snapshot

ACTOR = "maya.okafor"


def _refused_everywhere(command: Ready, actor: Any, at: Any) -> DomainError:
    """Run a ready command with a bad actor or time: refused, and no stream it touches changed."""
    before = [snapshot(e) for e in command.touched]
    with pytest.raises(InvalidCommand) as caught:
        command.run(actor, at)
    assert [snapshot(e) for e in command.touched] == before
    return caught.value


@pytest.mark.parametrize("event", sorted(READY))
@pytest.mark.parametrize("actor", ["", "   ", None])
def test_a_command_without_an_actor_is_refused(event: str, actor: Any) -> None:
    clock = Clock()
    command = READY[event](clock)

    error = _refused_everywhere(command, actor, clock.tick())

    assert "actor" in str(error)


@pytest.mark.parametrize("event", sorted(READY))
def test_a_command_at_a_naive_time_is_refused(event: str) -> None:
    clock = Clock()
    command = READY[event](clock)

    error = _refused_everywhere(command, ACTOR, NAIVE)

    assert "timezone" in str(error)


def _ready_with_its_last_event(event: str) -> tuple[Ready, datetime]:
    """A ready command and the time of the last event on any stream it touches."""
    command = READY[event](Clock())
    return command, max(e.modified_on for e in command.touched)


@pytest.mark.parametrize("event", sorted(READY))
def test_a_command_earlier_than_the_last_event_is_refused(event: str) -> None:
    command, last = _ready_with_its_last_event(event)

    error = _refused_everywhere(command, ACTOR, last - timedelta(seconds=1))

    assert "earlier than the escalation's last event" in str(error)


@pytest.mark.parametrize("event", sorted(READY))
def test_a_command_is_accepted_at_the_same_instant_as_the_last_event(event: str) -> None:
    command, last = _ready_with_its_last_event(event)

    command.run(ACTOR, last)

    assert type(command.stream.pending_events[-1]).__name__ == event


def _make_final(e: Escalation, final: str, clock: Clock) -> None:
    if final == "dismissed":
        e.dismiss(actor=ACTOR, at=clock.tick(), reason="not_actionable")
        return
    if e.current_status.is_open:
        e.resolve(actor=ACTOR, at=clock.tick(), summary="Done", override_reason="Test setup")
    e.close(actor=ACTOR, at=clock.tick())


def _can_be_dismissed(event: str) -> bool:
    return READY[event](Clock()).stream.status in ("triage", "investigating")


REFUSED_WHEN_FINAL = sorted(set(READY) - ALLOWED_WHEN_FINAL)
FINAL_CASES = [(event, "closed") for event in REFUSED_WHEN_FINAL] + [
    (event, "dismissed") for event in REFUSED_WHEN_FINAL if _can_be_dismissed(event)
]


@pytest.mark.parametrize(("event", "final"), FINAL_CASES)
def test_no_command_is_accepted_once_the_escalation_is_final(event: str, final: str) -> None:
    clock = Clock()
    command = READY[event](clock)
    _make_final(command.stream, final, clock)
    before = [snapshot(e) for e in command.touched]

    with pytest.raises(IllegalTransition) as caught:
        command.run(ACTOR, clock.tick())

    assert caught.value.current == final
    assert [snapshot(e) for e in command.touched] == before


@pytest.mark.parametrize(
    ("event", "final"),
    [(e, f) for e in sorted(ALLOWED_WHEN_FINAL) for f in ("closed", "dismissed")],
)
def test_erasure_is_accepted_even_once_the_escalation_is_final(event: str, final: str) -> None:
    clock = Clock()
    command = READY[event](clock)
    _make_final(command.stream, final, clock)

    command.run(ACTOR, clock.tick())

    assert type(command.stream.pending_events[-1]).__name__ == event
    assert command.stream.status == final


@pytest.mark.parametrize(
    "event",
    [
        "Acknowledged",
        "SeverityChanged",
        "ExitCriteriaDefined",
        "ExitCriterionMet",
        "DeescalationPlanned",
        "DeadlineExtended",
    ],
)
def test_commands_for_active_work_are_refused_once_resolved(event: str) -> None:
    clock = Clock()
    command = READY[event](clock)
    e = command.stream
    e.resolve(actor=ACTOR, at=clock.tick(), summary="Done", override_reason="Test setup")

    error = refused(e, lambda: command.run(ACTOR, clock.tick()), IllegalTransition)

    assert "reopen it first" in str(error)
