"""Property: whatever commands arrive, in whatever order and at whatever times, each one either is
refused with a DomainError and changes nothing, or records exactly one event (two for a link, one
on each stream); the status is always a known Status and the stream replays to the same state."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.escalation import Escalation
from domain.values import Audience, Channel, DismissalReason, Role, Scope, Severity, Status, Team
from tests.domain.support import T0, replay, state_of

ACTOR = "hypo.thesis"


def _case(title: str) -> Escalation:
    return Escalation.open(
        actor=ACTOR, at=T0, title=title, scope="customer", source="email", severity="SEV3"
    )


@dataclass
class World:
    subject: Escalation
    incident: Escalation  # a global escalation the subject can be linked to as a case
    cases: list[Escalation]  # customer cases a global subject can link
    now: datetime = T0

    def streams(self) -> list[Escalation]:
        return [self.subject, self.incident, *self.cases]


def _with_bad(values: list[Any], *bad: Any) -> st.SearchStrategy[Any]:
    """Mostly good values, sometimes a bad one: sequences must get far enough to reach every rule."""
    return st.one_of(
        st.sampled_from(values), st.sampled_from(values), st.sampled_from(bad or values)
    )


def _enum(enum: Any, *bad: Any) -> st.SearchStrategy[Any]:
    return _with_bad([m.value for m in enum], *bad)


TEXT = _with_bad(["Something useful"], "", "  ")
MINUTES = _with_bad([None, 30, 60 * 24 * 50], -60, 0)


def _known(items: dict[str, Any], choice: int | str) -> str:
    """An id or name the escalation knows (by position) when there is one, else `choice` as given."""
    if isinstance(choice, int):
        return list(items)[choice % len(items)] if items else "nobody"
    return choice


def _later(at: datetime, minutes: int | None) -> datetime | None:
    return None if minutes is None else at + timedelta(minutes=minutes)


def _link(w: World, at: datetime, target: str) -> None:
    if w.subject.scope == Scope.GLOBAL:
        unlinked = [c for c in w.cases if c.linked_to is None]
        case = {"new": unlinked[0] if unlinked else w.cases[0], "same": w.cases[0]}.get(target)
        w.subject.link_case(case or w.subject, actor=ACTOR, at=at)
    else:
        (w.subject if target == "self" else w.incident).link_case(w.subject, actor=ACTOR, at=at)


Command = Callable[[World, datetime], object]


def _on_known(
    items: Callable[[Escalation], dict[str, Any]],
    command: Callable[[Escalation, datetime, str], object],
    unknown: str,
) -> st.SearchStrategy[Command]:
    """A command on one of the subject's items (exit criteria, action items): mostly a known
    one, picked by position, sometimes `unknown`."""
    return st.builds(
        lambda choice: lambda w, at: command(w.subject, at, _known(items(w.subject), choice)),
        _with_bad([0, 1], unknown),
    )


COMMANDS: dict[str, st.SearchStrategy[Command]] = {
    "acknowledge": st.just(lambda w, at: w.subject.acknowledge(actor=ACTOR, at=at)),
    "severity": st.builds(
        lambda sev, reason: (
            lambda w, at: w.subject.change_severity(actor=ACTOR, at=at, severity=sev, reason=reason)
        ),
        _enum(Severity, "SEV0"),
        TEXT,
    ),
    "status": st.builds(
        lambda status: lambda w, at: w.subject.change_status(actor=ACTOR, at=at, status=status),
        _enum(Status, "fixed"),
    ),
    "impact": st.builds(
        lambda n, revenue: (
            lambda w, at: w.subject.assess_impact(
                actor=ACTOR, at=at, customers_affected=n, revenue_at_risk=revenue
            )
        ),
        _with_bad([0, 12_000], -1, 2.5),
        _with_bad([0, 1500.5], -1, float("nan"), float("inf")),
    ),
    "owner": st.builds(
        lambda name, team: (
            lambda w, at: w.subject.assign_owner(actor=ACTOR, at=at, owner=name, team=team)
        ),
        _with_bad(["ana", "raj"], ""),
        _enum(Team, "marketing"),
    ),
    "join": st.builds(
        lambda name, role, team: (
            lambda w, at: w.subject.add_participant(
                actor=ACTOR, at=at, name=name, role=role, team=team
            )
        ),
        _with_bad(["ana", "raj", "lee"], ""),
        _enum(Role, "boss"),
        _enum(Team),
    ),
    "leave": st.builds(
        lambda name: (
            lambda w, at: w.subject.remove_participant(
                actor=ACTOR, at=at, name=_known(w.subject.participants, name)
            )
        ),
        _with_bad([0, 1], "", "ghost"),
    ),
    "note": st.builds(
        lambda text: lambda w, at: w.subject.add_note(actor=ACTOR, at=at, text=text), TEXT
    ),
    "criteria": st.builds(
        lambda criteria: (
            lambda w, at: w.subject.define_exit_criteria(actor=ACTOR, at=at, criteria=criteria)
        ),
        st.lists(_with_bad(["Lag normal", "No 5xx"], ""), max_size=2),
    ),
    "criterion_met": _on_known(
        lambda e: e.exit_criteria,
        lambda e, at, cid: e.meet_exit_criterion(actor=ACTOR, at=at, criterion_id=cid),
        "ec9",
    ),
    "deescalation": st.builds(
        lambda strategy: (
            lambda w, at: w.subject.plan_deescalation(actor=ACTOR, at=at, strategy=strategy)
        ),
        TEXT,
    ),
    "action": st.builds(
        lambda kind, due: (
            lambda w, at: w.subject.add_action_item(
                actor=ACTOR,
                at=at,
                description="Fix",
                owner="raj",
                kind=kind,
                due_at=_later(at, due),
            )
        ),
        _with_bad(["mitigate", "prevent"], "hope"),
        MINUTES,
    ),
    "action_done": _on_known(
        lambda e: e.action_items,
        lambda e, at, aid: e.complete_action_item(actor=ACTOR, at=at, action_id=aid),
        "a9",
    ),
    "link": st.builds(
        lambda target: lambda w, at: _link(w, at, target), st.sampled_from(["new", "same", "self"])
    ),
    "sla": st.builds(
        lambda target, due: (
            lambda w, at: w.subject.record_sla_breach(
                actor=ACTOR, at=at, target=target, due_at=at + timedelta(minutes=due)
            )
        ),
        _with_bad(["first_response", "resolution"], ""),
        _with_bad([-30], 0, 30),
    ),
    "extend": st.builds(
        lambda days, reason: (
            lambda w, at: w.subject.extend_deadline(
                actor=ACTOR,
                at=at,
                new_deadline=(w.subject.deadline or at) + timedelta(days=days),
                reason=reason,
                notice="Letter",
            )
        ),
        _with_bad([10, 30, 60], -1, 0),
        TEXT,
    ),
    "dismiss": st.builds(
        lambda reason, dup: (
            lambda w, at: w.subject.dismiss(
                actor=ACTOR,
                at=at,
                reason=reason,
                duplicate_of=str(w.subject.id) if dup == "self" else dup,
            )
        ),
        _enum(DismissalReason, "boring"),
        st.sampled_from([None, "", "self", "3f1c0e4e-0000-4000-8000-000000000001"]),
    ),
    "communicate": st.builds(
        lambda audience, channel, body, due: (
            lambda w, at: w.subject.communicate(
                actor=ACTOR,
                at=at,
                audience=audience,
                channel=channel,
                body=body,
                next_update_due=_later(at, due),
            )
        ),
        _enum(Audience, "", None, "everyone"),
        _enum(Channel, "", None, "pigeon"),
        TEXT,
        MINUTES,
    ),
    "resolve": st.builds(
        lambda summary, override: (
            lambda w, at: w.subject.resolve(
                actor=ACTOR, at=at, summary=summary, override_reason=override
            )
        ),
        TEXT,
        TEXT,
    ),
    "reopen": st.builds(
        lambda reason: lambda w, at: w.subject.reopen(actor=ACTOR, at=at, reason=reason), TEXT
    ),
    "feedback": st.builds(
        lambda csat, nps: (
            lambda w, at: w.subject.receive_feedback(actor=ACTOR, at=at, csat=csat, nps=nps)
        ),
        _with_bad([None, 1, 5], 0, 6, 4.5),
        _with_bad([None, 0, 10], -1, 11),
    ),
    "close": st.just(lambda w, at: w.subject.close(actor=ACTOR, at=at)),
    "postmortem": st.builds(
        lambda summary: (
            lambda w, at: w.subject.record_postmortem(
                actor=ACTOR, at=at, summary=summary, root_cause="Config push"
            )
        ),
        TEXT,
    ),
    "publish": st.just(lambda w, at: w.subject.publish_postmortem(actor=ACTOR, at=at)),
}

# Steps mostly move time on; some stand still or go back to exercise the time-order guard.
STEPS = _with_bad(
    [timedelta(minutes=7), timedelta(hours=5)],
    timedelta(minutes=-5),
    timedelta(0),
    timedelta(days=20),
)
# Commands that end the escalation come up rarely, so that most sequences live long enough to
# reach resolution, post-mortems and feedback.
FINAL = ("dismiss", "close")
NAMES = st.sampled_from([n for n in sorted(COMMANDS) if n not in FINAL] * 6 + list(FINAL) * 2)
STEP = st.tuples(NAMES, STEPS).flatmap(
    lambda pair: st.tuples(st.just(pair[0]), st.just(pair[1]), COMMANDS[pair[0]])
)


def _open_subject(scope: str, regime: str | None) -> Escalation:
    return Escalation.open(
        actor=ACTOR,
        at=T0,
        title="Subject",
        scope=scope,
        source="privacy_request" if regime else "email",
        privacy_regime=regime,
        severity="SEV2",
    )


def _fingerprint(w: World) -> list[tuple[dict[str, Any], int]]:
    return [(copy.deepcopy(state_of(e)), len(e.pending_events)) for e in w.streams()]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scope=st.sampled_from([s.value for s in Scope]),
    regime=st.sampled_from([None, "gdpr", "ccpa"]),
    steps=st.lists(STEP, min_size=10, max_size=60),
)
def test_a_command_is_refused_without_a_trace_or_records_exactly_its_events(
    scope: str, regime: str | None, steps: list[tuple[str, timedelta, Command]]
) -> None:
    world = World(
        subject=_open_subject(scope, regime),
        incident=Escalation.open(
            actor=ACTOR, at=T0, title="Outage", scope="global", source="internal", severity="SEV1"
        ),
        cases=[_case("First case"), _case("Second case")],
    )
    for name, step, command in steps:
        world.now += step
        before = _fingerprint(world)
        counts = [len(e.pending_events) for e in world.streams()]
        version = world.subject.version
        try:
            command(world, world.now)
        except DomainError:
            assert _fingerprint(world) == before, f"refused {name} left a trace"
        else:
            added = [
                len(e.pending_events) - n for e, n in zip(world.streams(), counts, strict=True)
            ]
            if name == "link":
                # One event on each side: the subject and exactly one other stream.
                assert added[0] == 1 and sorted(added[1:]) == [0] * (len(added) - 2) + [1], added
            else:
                assert added == [1] + [0] * (len(added) - 1), f"{name} recorded {added}"
            assert world.subject.version == version + 1
        assert Status(world.subject.status) in Status

    for stream in world.streams():
        assert state_of(replay(list(stream.pending_events))) == state_of(stream)
    timestamps = [e.timestamp for e in world.subject.pending_events]
    assert timestamps == sorted(timestamps)
