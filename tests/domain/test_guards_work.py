"""Guards of the work on an escalation: acknowledging, severity, status, impact, people, notes, exit
criteria, de-escalation and action items."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.errors import IllegalTransition, InvalidCommand, RuleViolated, UnknownItem
from tests.domain.support import NAIVE, Clock, drive_to, open_escalation, refused

ACTOR = "maya.okafor"


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
