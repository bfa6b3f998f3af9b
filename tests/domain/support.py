"""Builders for pure domain tests: a clock that only moves forward and escalations driven to a status.

Nothing here touches a database; aggregates are built with `Escalation.open` and inspected through
their pending events.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.escalation import Escalation
from domain.values import Status

# A Monday morning, so business-day arithmetic in tests is easy to follow.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAIVE = datetime(2026, 3, 2, 12, 0)  # no timezone: every command must refuse it


class Clock:
    """Hands out strictly increasing, timezone-aware times, one minute apart by default."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def tick(self, **delta: float) -> datetime:
        self.now += timedelta(**delta) if delta else timedelta(minutes=1)
        return self.now


def open_escalation(clock: Clock | None = None, **overrides: Any) -> Escalation:
    clock = clock or Clock()
    fields: dict[str, Any] = {
        "actor": "maya.okafor",
        "at": clock.now,
        "title": "Sync stalls for EU customers",
        "scope": "customer",
        "source": "email",
        "severity": "SEV2",
    }
    fields.update(overrides)
    return Escalation.open(**fields)


def drive_to(status: Status | str, clock: Clock | None = None, **open_fields: Any) -> Escalation:
    """An escalation in `status`, reached by the shortest legal path of commands."""
    clock = clock or Clock()
    target = Status(status)
    escalation = open_escalation(clock, **open_fields)
    actor = "maya.okafor"
    if target in (Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING):
        escalation.change_status(actor=actor, at=clock.tick(), status=target)
    elif target in (Status.RESOLVED, Status.CLOSED):
        escalation.resolve(actor=actor, at=clock.tick(), summary="Fixed by a config rollback")
        if target is Status.CLOSED:
            escalation.close(actor=actor, at=clock.tick())
    elif target is Status.DISMISSED:
        escalation.dismiss(actor=actor, at=clock.tick(), reason="spam")
    assert escalation.current_status is target
    return escalation


def replay(events: list[Any]) -> Escalation:
    """Rebuild an aggregate from its events the way a repository does: mutate from nothing."""
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    assert isinstance(aggregate, Escalation)
    return aggregate


def state_of(escalation: Escalation) -> dict[str, Any]:
    """Everything an escalation knows, without the queue of events not yet saved."""
    return {k: v for k, v in vars(escalation).items() if k != "_pending_events"}


def snapshot(escalation: Escalation) -> dict[str, Any]:
    """A deep copy of the whole aggregate, pending events included, to compare after a refusal."""
    return copy.deepcopy(vars(escalation))


def new_events(escalation: Escalation, before: int) -> list[Any]:
    return list(escalation.pending_events[before:])


def refused(
    escalation: Escalation, command: Callable[[], object], error: type[Exception]
) -> Exception:
    """Run a command that must be refused with `error` and must leave the aggregate untouched."""
    before = snapshot(escalation)
    try:
        command()
    except error as caught:
        assert snapshot(escalation) == before, "a refused command changed the aggregate"
        return caught
    raise AssertionError(f"expected {error.__name__}, the command succeeded")


Step = Callable[[Escalation, datetime], object]
"""A command on an escalation at a given time, as a table of cases writes it."""


def command(method: Callable[..., object], **fields: Any) -> Step:
    """The step that calls `method` (e.g. `Escalation.add_note`) with `fields`, by the usual actor
    at the step's time."""
    return lambda escalation, at: method(escalation, actor="maya.okafor", at=at, **fields)


@dataclass(frozen=True)
class Refusal:
    """One row of a table of refused commands: on an escalation in `start` (opened with
    `open_fields`, then taken through the `setup` steps), `command` is refused with `error`, whose
    text says each of `says`, and leaves the aggregate untouched."""

    name: str
    command: Step
    error: type[Exception]
    setup: tuple[Step, ...] = ()
    start: str = "triage"
    says: tuple[str, ...] = ()
    open_fields: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name

    def check(self) -> None:
        clock = Clock()
        escalation = drive_to(self.start, clock, **self.open_fields)
        for step in self.setup:
            step(escalation, clock.tick())
        error = refused(escalation, lambda: self.command(escalation, clock.tick()), self.error)
        for words in self.says:
            assert words in str(error)
