"""Guards of links between cases and global escalations, SLA breaches, deadline extensions (legal
limits included) and dismissal."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.errors import DomainError, IllegalTransition, InvalidCommand, RuleViolated
from domain.escalation import Escalation
from tests.domain.support import (
    Clock,
    Refusal,
    command,
    drive_to,
    open_escalation,
    refused,
    snapshot,
)

ACTOR = "maya.okafor"


def _link_refused(
    incident: Escalation, case: Escalation, at: datetime, error: type[DomainError]
) -> DomainError:
    """Both streams must be left untouched, not just the one the command was called on."""
    before = (snapshot(incident), snapshot(case))
    with pytest.raises(error) as caught:
        incident.link_case(case, actor=ACTOR, at=at)
    assert (snapshot(incident), snapshot(case)) == before
    return caught.value


def test_linking_a_case_to_a_non_global_escalation_is_refused() -> None:
    clock = Clock()
    group = open_escalation(clock, scope="group")
    case = open_escalation(clock)

    error = _link_refused(group, case, clock.tick(), RuleViolated)

    assert "global" in str(error)


def test_linking_a_global_escalation_as_a_case_is_refused() -> None:
    clock = Clock()
    incident = open_escalation(clock, scope="global")
    other = open_escalation(clock, scope="global")

    _link_refused(incident, other, clock.tick(), RuleViolated)


def test_linking_an_escalation_to_itself_is_refused() -> None:
    clock = Clock()
    incident = open_escalation(clock, scope="global")

    _link_refused(incident, incident, clock.tick(), InvalidCommand)


def test_linking_a_case_twice_is_refused() -> None:
    clock = Clock()
    incident = open_escalation(clock, scope="global")
    case = open_escalation(clock)
    incident.link_case(case, actor=ACTOR, at=clock.tick())

    error = _link_refused(incident, case, clock.tick(), RuleViolated)

    assert "already linked to this escalation" in str(error)


def test_linking_a_case_already_linked_elsewhere_is_refused() -> None:
    clock = Clock()
    first = open_escalation(clock, scope="global")
    second = open_escalation(clock, scope="global")
    case = open_escalation(clock)
    first.link_case(case, actor=ACTOR, at=clock.tick())

    error = _link_refused(second, case, clock.tick(), RuleViolated)

    assert str(first.id) in str(error)


@pytest.mark.parametrize("final", ["closed", "dismissed"])
def test_linking_when_either_side_is_final_is_refused(final: str) -> None:
    clock = Clock()
    incident = open_escalation(clock, scope="global")
    case = drive_to(final, clock)
    _link_refused(incident, case, clock.tick(), IllegalTransition)

    closed_incident = drive_to("closed", clock, scope="global")
    live_case = open_escalation(clock)
    _link_refused(closed_incident, live_case, clock.tick(), IllegalTransition)


def test_linking_earlier_than_the_case_s_last_event_is_refused() -> None:
    clock = Clock()
    incident = open_escalation(clock, scope="global")
    case = open_escalation(clock)
    case.add_note(actor=ACTOR, at=clock.tick(hours=2), text="Later")

    _link_refused(incident, case, clock.now - timedelta(hours=1), InvalidCommand)


# ------------------------------------------------------ SLA breaches, deadlines, dismissal


def _gdpr(clock: Clock) -> Escalation:
    return open_escalation(
        clock, source="privacy_request", privacy_regime="gdpr", title="Erase my data"
    )


def _ccpa(clock: Clock) -> Escalation:
    return open_escalation(
        clock, source="privacy_request", privacy_regime="ccpa", title="Delete my data"
    )


def _extend(e: Escalation, at: datetime, to: datetime) -> None:
    e.extend_deadline(
        actor=ACTOR, at=at, new_deadline=to, reason="Complex request", notice="E-mail sent"
    )


def _breach_first_response(e: Escalation, at: datetime) -> None:
    e.record_sla_breach(actor="sla", at=at, target="first_response", due_at=e.created_on)


REFUSALS = [
    Refusal(
        "recording the same SLA breach twice",
        _breach_first_response,
        RuleViolated,
        setup=(_breach_first_response,),
    ),
    Refusal(
        "recording a breach before the target is due",
        lambda e, at: e.record_sla_breach(actor="sla", at=at, target="resolution", due_at=at),
        InvalidCommand,
    ),
    Refusal(
        "recording a breach of a blank target",
        lambda e, at: e.record_sla_breach(actor="sla", at=at, target=" ", due_at=e.created_on),
        InvalidCommand,
    ),
    Refusal(
        "extending without a deadline",
        lambda e, at: _extend(e, at, at + timedelta(days=9)),
        RuleViolated,
    ),
    Refusal(
        "dismissing a duplicate without duplicate_of",
        command(Escalation.dismiss, reason="duplicate"),
        InvalidCommand,
        says=("duplicate_of",),
    ),
    Refusal(
        "dismissing as a duplicate of itself",
        lambda e, at: e.dismiss(actor=ACTOR, at=at, reason="duplicate", duplicate_of=str(e.id)),
        InvalidCommand,
    ),
    Refusal(
        "dismissing with a blank duplicate_of",
        command(Escalation.dismiss, reason="duplicate", duplicate_of="  "),
        InvalidCommand,
    ),
    Refusal(
        "duplicate_of with another reason",
        command(Escalation.dismiss, reason="spam", duplicate_of=str(open_escalation().id)),
        InvalidCommand,
    ),
    Refusal(
        "an unknown dismissal reason",
        command(Escalation.dismiss, reason="boring"),
        InvalidCommand,
    ),
]


@pytest.mark.parametrize("case", REFUSALS, ids=str)
def test_a_breach_extension_or_dismissal_against_the_rules_is_refused(case: Refusal) -> None:
    case.check()


def test_extending_to_a_deadline_not_later_than_the_current_one_is_refused() -> None:
    clock = Clock()
    e = _gdpr(clock)
    assert e.deadline is not None

    refused(e, lambda: _extend(e, clock.tick(), e.deadline), InvalidCommand)


def test_extending_after_the_deadline_has_passed_is_refused() -> None:
    clock = Clock()
    e = _gdpr(clock)
    assert e.deadline is not None
    late = e.deadline + timedelta(seconds=1)

    refused(e, lambda: _extend(e, late, e.deadline + timedelta(days=20)), RuleViolated)


def test_extending_on_the_deadline_itself_is_accepted() -> None:
    clock = Clock()
    e = _gdpr(clock)
    assert e.deadline is not None
    old = e.deadline

    _extend(e, old, old + timedelta(days=20))

    assert e.deadline == old + timedelta(days=20)
    assert e.extensions[0]["from"] == old


def test_gdpr_allows_two_extensions_and_no_third() -> None:
    clock = Clock()  # received 2 March: respond by 2 April, extendable up to 2 June
    e = _gdpr(clock)
    _extend(e, clock.tick(), datetime(2026, 5, 2, 9, tzinfo=e.created_on.tzinfo))
    _extend(e, clock.tick(), datetime(2026, 5, 20, 9, tzinfo=e.created_on.tzinfo))

    error = refused(
        e,
        lambda: _extend(e, clock.tick(), datetime(2026, 6, 1, 9, tzinfo=e.created_on.tzinfo)),
        RuleViolated,
    )

    assert "GDPR allows 2 extension(s)" in str(error)


def test_gdpr_refuses_an_extension_beyond_three_months_from_receipt() -> None:
    clock = Clock()
    e = _gdpr(clock)
    limit = datetime(2026, 6, 2, 9, tzinfo=e.created_on.tzinfo)

    refused(e, lambda: _extend(e, clock.tick(), limit + timedelta(seconds=1)), RuleViolated)
    _extend(e, clock.tick(), limit)

    assert e.deadline == limit


def test_ccpa_allows_one_extension_of_up_to_45_days() -> None:
    clock = Clock()
    e = _ccpa(clock)
    assert e.deadline is not None
    limit = e.created_on + timedelta(days=90)

    refused(e, lambda: _extend(e, clock.tick(), limit + timedelta(seconds=1)), RuleViolated)
    _extend(e, clock.tick(), limit - timedelta(days=10))
    refused(e, lambda: _extend(e, clock.tick(), limit), RuleViolated)

    assert e.deadline == limit - timedelta(days=10)


def test_an_extension_needs_a_reason_and_a_notice() -> None:
    clock = Clock()
    e = _gdpr(clock)
    assert e.deadline is not None
    later = e.deadline + timedelta(days=5)

    refused(
        e,
        lambda: e.extend_deadline(
            actor=ACTOR, at=clock.tick(), new_deadline=later, reason="", notice="Sent"
        ),
        InvalidCommand,
    )
    refused(
        e,
        lambda: e.extend_deadline(
            actor=ACTOR, at=clock.tick(), new_deadline=later, reason="Complex", notice=" "
        ),
        InvalidCommand,
    )


def test_an_ordinary_deadline_can_be_extended_more_than_once() -> None:
    clock = Clock()
    e = open_escalation(clock, deadline=clock.now + timedelta(days=3))
    for days in (5, 8, 13):
        _extend(e, clock.tick(), clock.now + timedelta(days=days))

    assert len(e.extensions) == 3


def test_dismissing_a_duplicate_records_what_it_repeats() -> None:
    clock = Clock()
    e = open_escalation(clock)
    original = open_escalation(clock)

    e.dismiss(actor=ACTOR, at=clock.tick(), reason="duplicate", duplicate_of=str(original.id))

    assert e.status == "dismissed"
    assert e.dismissal is not None
    assert e.dismissal["duplicate_of"] == str(original.id)
