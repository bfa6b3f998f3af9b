"""The distribution list aggregate and the delivery summary, as pure domain rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.distribution_list import DistributionList, mail_address, members_at
from domain.errors import IllegalTransition, InvalidCommand, RuleViolated
from domain.escalation import Escalation
from tests.domain.support import Clock, open_escalation


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("maria.chen@example.com", "maria.chen@example.com"),
        ("  Maria.Chen@Example.COM ", "Maria.Chen@example.com"),
        ("ops+sev1@status.example.co.uk", "ops+sev1@status.example.co.uk"),
        ("o'neil@example.ie", "o'neil@example.ie"),
    ],
)
def test_an_address_is_stored_trimmed_with_its_host_in_lower_case(given: str, stored: str) -> None:
    assert mail_address(given) == stored


@pytest.mark.parametrize(
    "refused",
    [
        "", "   ", "maria", "maria@", "@example.com", "maria@example", "maria@@example.com",
        "Maria Chen <maria@example.com>", "maria chen@example.com", '"maria"@example.com',
        "maria@[192.0.2.1]", "maria@192.0.2.1", "maria..chen@example.com", "maria.@example.com",
        "maria@-example.com", "maria@example.com\nBcc: all@example.com", "maría@example.com",
        "a" * 65 + "@example.com", "maria@" + "a" * 250 + ".com", None, 42,
    ],
)  # fmt: skip
def test_anything_but_a_bare_mailbox_is_refused_with_the_form_to_send(refused: object) -> None:
    with pytest.raises(InvalidCommand, match=r"maria\.chen@example\.com"):
        mail_address(refused)


def _list(clock: Clock) -> DistributionList:
    return DistributionList.create(
        actor="ana", at=clock.tick(), name="Leaders", audience="executive"
    )


def test_a_member_is_on_a_list_once_whatever_the_case_of_the_address() -> None:
    clock = Clock()
    leaders = _list(clock)
    leaders.add_member(actor="ana", at=clock.tick(), address="maria.chen@example.com")
    with pytest.raises(RuleViolated, match="already on the list"):
        leaders.add_member(actor="ana", at=clock.tick(), address="MARIA.CHEN@example.com")
    leaders.remove_member(actor="ana", at=clock.tick(), address="Maria.Chen@example.com")
    assert leaders.members == []
    with pytest.raises(RuleViolated, match="not on the list"):
        leaders.remove_member(actor="ana", at=clock.tick(), address="maria.chen@example.com")


def test_a_list_needs_a_known_audience_and_a_name() -> None:
    with pytest.raises(InvalidCommand, match="audience"):
        DistributionList.create(actor="ana", at=Clock().tick(), name="x", audience="martians")
    with pytest.raises(InvalidCommand, match="name"):
        DistributionList.create(actor="ana", at=Clock().tick(), name=" ", audience="executive")


def test_the_members_at_a_moment_are_read_from_the_history() -> None:
    clock = Clock()
    leaders = _list(clock)
    before = clock.now - timedelta(seconds=1)
    leaders.add_member(actor="ana", at=clock.tick(), address="maria.chen@example.com")
    leaders.add_member(actor="ana", at=clock.tick(), address="kofi.mensah@example.com")
    both = clock.now
    leaders.remove_member(actor="ana", at=clock.tick(), address="maria.chen@example.com")
    events = list(leaders.collect_events())

    assert members_at(events, before) is None  # the list did not exist yet
    assert members_at(events, both) == ["maria.chen@example.com", "kofi.mensah@example.com"]
    assert members_at(events, clock.now) == ["kofi.mensah@example.com"] == leaders.members


def test_a_change_cannot_be_dated_before_the_last_one() -> None:
    clock = Clock()
    leaders = _list(clock)
    with pytest.raises(InvalidCommand, match="earlier than the list's last change"):
        leaders.add_member(actor="ana", at=clock.now - timedelta(hours=1), address="a@example.com")


def _delivered(clock: Clock, **overrides: Any) -> Escalation:
    """An escalation with one e-mail to executives, sent for delivery unless `overrides` say."""
    escalation = open_escalation(clock)
    sent: dict[str, Any] = {"body": "Rolling back", "deliver": True} | overrides
    escalation.communicate(
        actor="ana", at=clock.tick(), audience="executive", channel="email", **sent
    )
    return escalation


def _record_round(escalation: Escalation, clock: Clock, **counts: Any) -> None:
    """The delivery worker's report of the first round of the escalation's communication."""
    escalation.record_delivery(
        actor="delivery", at=clock.tick(), communication_id="c1", round=1, **counts
    )


def test_only_an_e_mail_communication_can_be_delivered() -> None:
    escalation = open_escalation(Clock())
    with pytest.raises(InvalidCommand, match="channel email"):
        escalation.communicate(
            actor="ana", at=escalation.modified_on, audience="public", channel="status_page",
            body="x", deliver=True,
        )  # fmt: skip


def test_a_delivery_round_is_recorded_only_for_a_communication_sent_for_delivery() -> None:
    clock = Clock()
    escalation = _delivered(clock, body="Told by phone", deliver=False)
    with pytest.raises(RuleViolated, match="not sent for delivery"):
        _record_round(escalation, clock, recipients=1, sent=1, failed=0)


def test_a_round_cannot_count_more_outcomes_than_recipients() -> None:
    clock = Clock()
    escalation = _delivered(clock)
    with pytest.raises(InvalidCommand, match="more than the recipients"):
        _record_round(escalation, clock, recipients=2, sent=2, failed=1)


def test_a_round_is_recorded_even_once_the_escalation_is_closed_and_shows_on_its_state() -> None:
    clock = Clock()
    escalation = _delivered(clock)
    escalation.dismiss(actor="ana", at=clock.tick(), reason="duplicate", duplicate_of="x")
    _record_round(
        escalation, clock, recipients=15, sent=14, failed=1, reasons={"mailbox unavailable": 1}
    )
    [communication] = escalation.communications
    assert communication["deliver"] is True
    assert communication["delivery"] == {
        "round": 1, "recipients": 15, "sent": 14, "failed": 1, "retrying": 0,
        "reasons": {"mailbox unavailable": 1},
    }  # fmt: skip
    with pytest.raises(IllegalTransition):
        escalation.communicate(
            actor="ana", at=clock.tick(), audience="executive", channel="email", body="x"
        )
