"""Every guard of the aggregate: a refused command raises the named DomainError and records nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.errors import DomainError, IllegalTransition, InvalidCommand, RuleViolated, UnknownItem
from domain.escalation import Escalation
from tests.domain.ready import READY, Ready
from tests.domain.support import Clock, drive_to, open_escalation, refused, snapshot

ACTOR = "maya.okafor"
NAIVE = datetime(2026, 3, 2, 12, 0)  # no timezone: must always be refused


# ------------------------------------------------------------------ common to every command


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


@pytest.mark.parametrize("event", sorted(READY))
def test_a_command_earlier_than_the_last_event_is_refused(event: str) -> None:
    clock = Clock()
    command = READY[event](clock)
    last = max(e.modified_on for e in command.touched)

    error = _refused_everywhere(command, ACTOR, last - timedelta(seconds=1))

    assert "earlier than the escalation's last event" in str(error)


@pytest.mark.parametrize("event", sorted(READY))
def test_a_command_is_accepted_at_the_same_instant_as_the_last_event(event: str) -> None:
    clock = Clock()
    command = READY[event](clock)
    last = max(e.modified_on for e in command.touched)

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


FINAL_CASES = [(event, "closed") for event in sorted(READY)] + [
    (event, "dismissed") for event in sorted(READY) if _can_be_dismissed(event)
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


# ------------------------------------------------------------------------------ opening


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("scope", "planet"),
        ("source", "carrier_pigeon"),
        ("severity", "SEV5"),
        ("severity", "sev1"),
        ("title", "  "),
        ("actor", ""),
        ("at", NAIVE),
        ("components", "Sync"),
        ("description", 42),
    ],
)
def test_opening_with_a_bad_value_is_refused(field: str, value: Any) -> None:
    with pytest.raises(InvalidCommand, match=field):
        open_escalation(**{field: value})


def test_opening_with_received_at_after_opening_is_refused() -> None:
    clock = Clock()
    with pytest.raises(InvalidCommand, match="received_at"):
        open_escalation(clock, received_at=clock.now + timedelta(minutes=1))


def test_opening_with_a_deadline_not_after_receipt_is_refused() -> None:
    clock = Clock()
    with pytest.raises(InvalidCommand, match="deadline"):
        open_escalation(clock, deadline=clock.now)


def test_opening_with_a_naive_deadline_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="deadline"):
        open_escalation(deadline=NAIVE)


def test_a_privacy_regime_on_another_source_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="privacy_regime only applies"):
        open_escalation(source="email", privacy_regime="gdpr")


def test_a_privacy_request_type_on_another_source_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="privacy_request_type only applies"):
        open_escalation(source="email", privacy_request_type="erasure")


def test_an_unknown_privacy_regime_or_request_type_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="privacy_regime"):
        open_escalation(source="privacy_request", privacy_regime="pipeda")
    with pytest.raises(InvalidCommand, match="privacy_request_type"):
        open_escalation(
            source="privacy_request", privacy_regime="gdpr", privacy_request_type="forget_me"
        )


@pytest.mark.parametrize(
    ("customer", "message"),
    [
        ({"subject_id": "s-1", "address": "1 Main St"}, "unknown fields"),
        ({"name": "Jo"}, "subject_id"),
        ({"subject_id": "  "}, "subject_id"),
        ({"subject_id": "s-1", "email": "jo.example.com"}, "not an e-mail address"),
        ({"subject_id": "s-1", "email": "jo@localhost"}, "not an e-mail address"),
        ({"subject_id": "s-1", "phone": 5551234}, "customer.phone"),
    ],
)
def test_customer_data_outside_its_fields_or_malformed_is_refused(
    customer: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidCommand, match=message):
        open_escalation(customer=customer)


def test_customer_data_is_kept_only_in_the_customer_field() -> None:
    e = open_escalation(
        customer={"subject_id": "s-1", "name": " Jo Bloggs ", "email": "jo@example.com"}
    )

    assert e.customer == {
        "subject_id": "s-1",
        "name": "Jo Bloggs",
        "email": "jo@example.com",
        "phone": None,
        "account_id": None,
    }
    assert "Jo Bloggs" not in e.title + e.description


# ------------------------------------------------------------------------- updated family


def test_acknowledging_twice_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)
    e.acknowledge(actor=ACTOR, at=clock.tick())

    refused(e, lambda: e.acknowledge(actor=ACTOR, at=clock.tick()), RuleViolated)


def test_changing_to_the_same_severity_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock, severity="SEV2")

    refused(
        e,
        lambda: e.change_severity(actor=ACTOR, at=clock.tick(), severity="SEV2", reason="Same"),
        RuleViolated,
    )


def test_changing_severity_needs_a_known_severity_and_a_reason() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(
        e,
        lambda: e.change_severity(actor=ACTOR, at=clock.tick(), severity="SEV0", reason="x"),
        InvalidCommand,
    )
    refused(
        e,
        lambda: e.change_severity(actor=ACTOR, at=clock.tick(), severity="SEV1", reason=" "),
        InvalidCommand,
    )


def test_an_unknown_status_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(
        e, lambda: e.change_status(actor=ACTOR, at=clock.tick(), status="fixed"), InvalidCommand
    )


def test_changing_to_the_current_status_is_refused() -> None:
    clock = Clock()
    e = drive_to("monitoring", clock)

    error = refused(
        e,
        lambda: e.change_status(actor=ACTOR, at=clock.tick(), status="monitoring"),
        IllegalTransition,
    )

    assert "already monitoring" in str(error)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"customers_affected": -1}, "negative"),
        ({"customers_affected": 2.5}, "whole number"),
        ({"customers_affected": True}, "whole number"),
        ({"customers_affected": 1, "revenue_at_risk": -10}, "revenue_at_risk"),
        ({"customers_affected": 1, "revenue_at_risk": float("nan")}, "revenue_at_risk"),
        ({"customers_affected": 1, "revenue_at_risk": float("inf")}, "revenue_at_risk"),
        ({"customers_affected": 1, "revenue_at_risk": "lots"}, "revenue_at_risk"),
        ({"customers_affected": 1, "currency": "US"}, "currency"),
        ({"customers_affected": 1, "currency": "U$D"}, "currency"),
        ({"customers_affected": 1, "components": {"Sync": "on fire"}}, "component"),
        ({"customers_affected": 1, "components": {" ": "major_outage"}}, "component name"),
        ({"customers_affected": 1, "accounts": "Acme"}, "accounts"),
    ],
)
def test_assessing_impact_with_bad_figures_is_refused(kwargs: dict[str, Any], message: str) -> None:
    clock = Clock()
    e = open_escalation(clock)

    with pytest.raises(InvalidCommand, match=message):
        e.assess_impact(actor=ACTOR, at=clock.tick(), **kwargs)
    assert e.version == 1


def test_assessing_impact_without_components_keeps_the_known_ones() -> None:
    clock = Clock()
    e = open_escalation(clock, components=["Sync"])
    e.assess_impact(
        actor=ACTOR, at=clock.tick(), customers_affected=1, components={"Sync": "partial_outage"}
    )

    e.assess_impact(actor=ACTOR, at=clock.tick(), customers_affected=900, currency="eur")

    assert e.components == {"Sync": "partial_outage"}
    assert e.impact is not None
    assert e.impact["customers_affected"] == 900
    assert e.impact["currency"] == "EUR"


def test_assigning_the_current_owner_again_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)
    e.assign_owner(actor=ACTOR, at=clock.tick(), owner="ana", team="cx")

    refused(
        e,
        lambda: e.assign_owner(actor=ACTOR, at=clock.tick(), owner="ana", team="legal"),
        RuleViolated,
    )


def test_assigning_an_owner_needs_a_name_and_a_known_team() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(
        e, lambda: e.assign_owner(actor=ACTOR, at=clock.tick(), owner="", team="cx"), InvalidCommand
    )
    refused(
        e,
        lambda: e.assign_owner(actor=ACTOR, at=clock.tick(), owner="ana", team="marketing"),
        InvalidCommand,
    )


def test_a_new_owner_demotes_the_previous_one_to_participant() -> None:
    clock = Clock()
    e = open_escalation(clock)
    e.assign_owner(actor=ACTOR, at=clock.tick(), owner="ana", team="cx")

    e.assign_owner(actor=ACTOR, at=clock.tick(), owner="raj", team="engineering")

    assert e.owner == {"name": "raj", "team": "engineering"}
    assert e.participants["ana"]["role"] == "participant"
    assert e.participants["raj"]["role"] == "owner"


def test_adding_a_participant_as_owner_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)

    error = refused(
        e,
        lambda: e.add_participant(
            actor=ACTOR, at=clock.tick(), name="raj", role="owner", team="cx"
        ),
        InvalidCommand,
    )

    assert "owner command" in str(error)


def test_adding_someone_who_already_takes_part_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)
    e.assign_owner(actor=ACTOR, at=clock.tick(), owner="ana", team="cx")

    refused(
        e,
        lambda: e.add_participant(
            actor=ACTOR, at=clock.tick(), name="ana", role="scribe", team="cx"
        ),
        RuleViolated,
    )


@pytest.mark.parametrize(("role", "team"), [("boss", "cx"), ("scribe", "hr"), ("", "cx")])
def test_a_participant_with_an_unknown_role_or_team_is_refused(role: str, team: str) -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(
        e,
        lambda: e.add_participant(actor=ACTOR, at=clock.tick(), name="raj", role=role, team=team),
        InvalidCommand,
    )


def test_removing_someone_who_does_not_take_part_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(
        e, lambda: e.remove_participant(actor=ACTOR, at=clock.tick(), name="ghost"), UnknownItem
    )


def test_removing_a_participant_needs_a_name() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(e, lambda: e.remove_participant(actor=ACTOR, at=clock.tick(), name=" "), InvalidCommand)


def test_removing_the_owner_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)
    e.assign_owner(actor=ACTOR, at=clock.tick(), owner="ana", team="cx")

    error = refused(
        e, lambda: e.remove_participant(actor=ACTOR, at=clock.tick(), name="ana"), RuleViolated
    )

    assert "assign another owner first" in str(error)


def test_a_blank_note_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(e, lambda: e.add_note(actor=ACTOR, at=clock.tick(), text="\n"), InvalidCommand)


def test_defining_no_exit_criteria_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(
        e, lambda: e.define_exit_criteria(actor=ACTOR, at=clock.tick(), criteria=[]), InvalidCommand
    )


def test_defining_an_exit_criterion_twice_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)
    e.define_exit_criteria(actor=ACTOR, at=clock.tick(), criteria=["Lag normal"])

    refused(
        e,
        lambda: e.define_exit_criteria(
            actor=ACTOR, at=clock.tick(), criteria=["No 5xx", "Lag normal"]
        ),
        RuleViolated,
    )


def test_exit_criteria_get_ids_in_order_and_repeats_are_merged() -> None:
    clock = Clock()
    e = open_escalation(clock)

    first = e.define_exit_criteria(actor=ACTOR, at=clock.tick(), criteria=["A", " A ", "B"])
    second = e.define_exit_criteria(actor=ACTOR, at=clock.tick(), criteria=["C"])

    assert first == ["ec1", "ec2"]
    assert second == ["ec3"]
    assert [c["description"] for c in e.exit_criteria.values()] == ["A", "B", "C"]


def test_meeting_an_unknown_exit_criterion_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)
    e.define_exit_criteria(actor=ACTOR, at=clock.tick(), criteria=["Lag normal"])

    error = refused(
        e,
        lambda: e.meet_exit_criterion(actor=ACTOR, at=clock.tick(), criterion_id="ec9"),
        UnknownItem,
    )

    assert "ec1" in str(error)


def test_meeting_an_exit_criterion_twice_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)
    e.define_exit_criteria(actor=ACTOR, at=clock.tick(), criteria=["Lag normal"])
    e.meet_exit_criterion(actor=ACTOR, at=clock.tick(), criterion_id="ec1")

    refused(
        e,
        lambda: e.meet_exit_criterion(actor=ACTOR, at=clock.tick(), criterion_id="ec1"),
        RuleViolated,
    )


def test_a_deescalation_plan_needs_a_strategy() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(
        e, lambda: e.plan_deescalation(actor=ACTOR, at=clock.tick(), strategy=""), InvalidCommand
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "pray"}, "kind"),
        ({"phase": "someday"}, "phase"),
        ({"description": ""}, "description"),
        ({"owner": " "}, "owner"),
        ({"due_at": NAIVE}, "due_at"),
    ],
)
def test_an_action_item_with_bad_values_is_refused(kwargs: dict[str, Any], message: str) -> None:
    clock = Clock()
    e = open_escalation(clock)
    fields: dict[str, Any] = {"description": "Fix", "owner": "raj", "kind": "mitigate"}
    fields.update(kwargs)

    error = refused(
        e, lambda: e.add_action_item(actor=ACTOR, at=clock.tick(), **fields), InvalidCommand
    )

    assert message in str(error)


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(minutes=-5)])
def test_an_action_item_due_now_or_earlier_is_refused(offset: timedelta) -> None:
    clock = Clock()
    e = open_escalation(clock)
    at = clock.tick()

    refused(
        e,
        lambda: e.add_action_item(
            actor=ACTOR, at=at, description="Fix", owner="raj", kind="mitigate", due_at=at + offset
        ),
        InvalidCommand,
    )


def test_completing_an_unknown_action_item_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(
        e,
        lambda: e.complete_action_item(actor=ACTOR, at=clock.tick(), action_id="a1"),
        UnknownItem,
    )


def test_completing_an_action_item_twice_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)
    e.add_action_item(actor=ACTOR, at=clock.tick(), description="Fix", owner="raj", kind="mitigate")
    e.complete_action_item(actor=ACTOR, at=clock.tick(), action_id="a1")

    refused(
        e,
        lambda: e.complete_action_item(actor=ACTOR, at=clock.tick(), action_id="a1"),
        RuleViolated,
    )


# ---------------------------------------------------------------------------------- links


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


# --------------------------------------------------------------------------------- SLA


def test_recording_the_same_sla_breach_twice_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)
    e.record_sla_breach(actor="sla", at=clock.tick(), target="first_response", due_at=e.created_on)

    refused(
        e,
        lambda: e.record_sla_breach(
            actor="sla", at=clock.tick(), target="first_response", due_at=e.created_on
        ),
        RuleViolated,
    )


def test_recording_a_breach_before_the_target_is_due_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)
    at = clock.tick()

    refused(
        e,
        lambda: e.record_sla_breach(actor="sla", at=at, target="resolution", due_at=at),
        InvalidCommand,
    )
    refused(
        e,
        lambda: e.record_sla_breach(actor="sla", at=at, target=" ", due_at=e.created_on),
        InvalidCommand,
    )


# ---------------------------------------------------------------------------- deadlines


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


def test_extending_without_a_deadline_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(e, lambda: _extend(e, clock.tick(), clock.now + timedelta(days=9)), RuleViolated)


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


# ------------------------------------------------------------------------------- dismissal


def test_dismissing_a_duplicate_without_duplicate_of_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)

    error = refused(
        e, lambda: e.dismiss(actor=ACTOR, at=clock.tick(), reason="duplicate"), InvalidCommand
    )

    assert "duplicate_of" in str(error)


def test_dismissing_as_a_duplicate_of_itself_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(
        e,
        lambda: e.dismiss(actor=ACTOR, at=clock.tick(), reason="duplicate", duplicate_of=str(e.id)),
        InvalidCommand,
    )


def test_dismissing_with_a_blank_duplicate_of_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(
        e,
        lambda: e.dismiss(actor=ACTOR, at=clock.tick(), reason="duplicate", duplicate_of="  "),
        InvalidCommand,
    )


def test_duplicate_of_with_another_reason_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)
    other = open_escalation(clock)

    refused(
        e,
        lambda: e.dismiss(actor=ACTOR, at=clock.tick(), reason="spam", duplicate_of=str(other.id)),
        InvalidCommand,
    )


def test_an_unknown_dismissal_reason_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock)

    refused(e, lambda: e.dismiss(actor=ACTOR, at=clock.tick(), reason="boring"), InvalidCommand)


def test_dismissing_a_duplicate_records_what_it_repeats() -> None:
    clock = Clock()
    e = open_escalation(clock)
    original = open_escalation(clock)

    e.dismiss(actor=ACTOR, at=clock.tick(), reason="duplicate", duplicate_of=str(original.id))

    assert e.status == "dismissed"
    assert e.dismissal is not None
    assert e.dismissal["duplicate_of"] == str(original.id)


# --------------------------------------------------------------------------- communicated


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


def test_resolving_needs_a_summary() -> None:
    clock = Clock()
    e = drive_to("investigating", clock)

    refused(e, lambda: e.resolve(actor=ACTOR, at=clock.tick(), summary=" "), InvalidCommand)


def test_reopening_needs_a_reason() -> None:
    clock = Clock()
    e = drive_to("resolved", clock)

    refused(e, lambda: e.reopen(actor=ACTOR, at=clock.tick(), reason=""), InvalidCommand)


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


def test_publishing_before_recording_is_refused() -> None:
    clock = Clock()
    e = drive_to("resolved", clock)

    error = refused(e, lambda: e.publish_postmortem(actor=ACTOR, at=clock.tick()), RuleViolated)

    assert "record the post-mortem" in str(error)


def test_revising_or_republishing_after_publication_is_refused() -> None:
    clock = Clock()
    e = drive_to("resolved", clock)
    _record(e, clock.tick())
    e.publish_postmortem(actor=ACTOR, at=clock.tick())

    refused(e, lambda: _record(e, clock.tick(), summary="Edited"), RuleViolated)
    refused(e, lambda: e.publish_postmortem(actor=ACTOR, at=clock.tick()), RuleViolated)


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


def test_publishing_after_closing_is_refused() -> None:
    clock = Clock()
    e = drive_to("resolved", clock)
    _record(e, clock.tick())
    e.close(actor=ACTOR, at=clock.tick())

    refused(e, lambda: e.publish_postmortem(actor=ACTOR, at=clock.tick()), IllegalTransition)
