"""Opening refuses bad values, misplaced privacy fields and customer data outside its fields."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.errors import InvalidCommand
from tests.domain.support import NAIVE, Clock, open_escalation

ACTOR = "maya.okafor"


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
