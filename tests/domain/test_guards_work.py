"""Guards of the work on an escalation: acknowledging, severity, status, impact, people, notes, exit
criteria, de-escalation and action items."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.errors import IllegalTransition, InvalidCommand, RuleViolated, UnknownItem
from domain.escalation import Escalation
from tests.domain.support import NAIVE, Clock, Refusal, command, open_escalation, refused

ACTOR = "maya.okafor"


_acknowledge = command(Escalation.acknowledge)
_ana_owns = command(Escalation.assign_owner, owner="ana", team="cx")
_define_lag_normal = command(Escalation.define_exit_criteria, criteria=["Lag normal"])
_meet_ec1 = command(Escalation.meet_exit_criterion, criterion_id="ec1")
_complete_a1 = command(Escalation.complete_action_item, action_id="a1")
_add_fix = command(Escalation.add_action_item, description="Fix", owner="raj", kind="mitigate")


REFUSALS = [
    Refusal("acknowledging twice", _acknowledge, RuleViolated, setup=(_acknowledge,)),
    Refusal(
        "changing to the same severity",
        command(Escalation.change_severity, severity="SEV2", reason="Same"),
        RuleViolated,
        open_fields={"severity": "SEV2"},
    ),
    Refusal(
        "changing to an unknown severity",
        command(Escalation.change_severity, severity="SEV0", reason="x"),
        InvalidCommand,
    ),
    Refusal(
        "changing severity without a reason",
        command(Escalation.change_severity, severity="SEV1", reason=" "),
        InvalidCommand,
    ),
    Refusal("an unknown status", command(Escalation.change_status, status="fixed"), InvalidCommand),
    Refusal(
        "changing to the current status",
        command(Escalation.change_status, status="monitoring"),
        IllegalTransition,
        start="monitoring",
        says=("already monitoring",),
    ),
    Refusal(
        "assigning the current owner again",
        command(Escalation.assign_owner, owner="ana", team="legal"),
        RuleViolated,
        setup=(_ana_owns,),
    ),
    Refusal(
        "assigning an owner without a name",
        command(Escalation.assign_owner, owner="", team="cx"),
        InvalidCommand,
    ),
    Refusal(
        "assigning an owner of an unknown team",
        command(Escalation.assign_owner, owner="ana", team="marketing"),
        InvalidCommand,
    ),
    Refusal(
        "adding a participant as owner",
        command(Escalation.add_participant, name="raj", role="owner", team="cx"),
        InvalidCommand,
        says=("owner command",),
    ),
    Refusal(
        "adding someone who already takes part",
        command(Escalation.add_participant, name="ana", role="scribe", team="cx"),
        RuleViolated,
        setup=(_ana_owns,),
    ),
    *(
        Refusal(
            f"a participant as {role!r} of team {team!r}",
            lambda e, at, role=role, team=team: e.add_participant(
                actor=ACTOR, at=at, name="raj", role=role, team=team
            ),
            InvalidCommand,
        )
        for role, team in [("boss", "cx"), ("scribe", "hr"), ("", "cx")]
    ),
    Refusal(
        "removing someone who does not take part",
        command(Escalation.remove_participant, name="ghost"),
        UnknownItem,
    ),
    Refusal(
        "removing a participant without a name",
        command(Escalation.remove_participant, name=" "),
        InvalidCommand,
    ),
    Refusal(
        "removing the owner",
        command(Escalation.remove_participant, name="ana"),
        RuleViolated,
        setup=(_ana_owns,),
        says=("assign another owner first",),
    ),
    Refusal("a blank note", command(Escalation.add_note, text="\n"), InvalidCommand),
    Refusal(
        "defining no exit criteria",
        command(Escalation.define_exit_criteria, criteria=[]),
        InvalidCommand,
    ),
    Refusal(
        "defining an exit criterion twice",
        command(Escalation.define_exit_criteria, criteria=["No 5xx", "Lag normal"]),
        RuleViolated,
        setup=(_define_lag_normal,),
    ),
    Refusal(
        "meeting an unknown exit criterion",
        command(Escalation.meet_exit_criterion, criterion_id="ec9"),
        UnknownItem,
        setup=(_define_lag_normal,),
        says=("ec1",),
    ),
    Refusal(
        "meeting an exit criterion twice",
        _meet_ec1,
        RuleViolated,
        setup=(_define_lag_normal, _meet_ec1),
    ),
    Refusal(
        "a de-escalation plan without a strategy",
        command(Escalation.plan_deescalation, strategy=""),
        InvalidCommand,
    ),
    Refusal("completing an unknown action item", _complete_a1, UnknownItem),
    Refusal(
        "completing an action item twice",
        _complete_a1,
        RuleViolated,
        setup=(_add_fix, _complete_a1),
    ),
]


@pytest.mark.parametrize("case", REFUSALS, ids=str)
def test_a_command_against_the_rules_of_the_work_is_refused(case: Refusal) -> None:
    case.check()


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


def test_a_new_owner_demotes_the_previous_one_to_participant() -> None:
    clock = Clock()
    e = open_escalation(clock)
    e.assign_owner(actor=ACTOR, at=clock.tick(), owner="ana", team="cx")

    e.assign_owner(actor=ACTOR, at=clock.tick(), owner="raj", team="engineering")

    assert e.owner == {"name": "raj", "team": "engineering"}
    assert e.participants["ana"]["role"] == "participant"
    assert e.participants["raj"]["role"] == "owner"


def test_exit_criteria_get_ids_in_order_and_repeats_are_merged() -> None:
    clock = Clock()
    e = open_escalation(clock)

    first = e.define_exit_criteria(actor=ACTOR, at=clock.tick(), criteria=["A", " A ", "B"])
    second = e.define_exit_criteria(actor=ACTOR, at=clock.tick(), criteria=["C"])

    assert first == ["ec1", "ec2"]
    assert second == ["ec3"]
    assert [c["description"] for c in e.exit_criteria.values()] == ["A", "B", "C"]


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
