"""Erasing a data subject's customer data: the personal fields read as erased, everything else stays."""

from __future__ import annotations

import pytest

from domain.errors import RuleViolated
from domain.escalation import Escalation
from domain.snapshot import CompactSnapshot
from domain.validation import ERASED
from tests.domain.support import (
    Clock,
    Refusal,
    Step,
    drive_to,
    open_escalation,
    replay,
    state_of,
)

ACTOR = "dpo.office"
CUSTOMER = {"subject_id": "s-7", "name": "Ada Lovelace", "email": "ada@example.org"}


def test_erasing_replaces_each_personal_field_that_held_something_and_keeps_the_subject_id() -> (
    None
):
    clock = Clock()
    e = open_escalation(clock, customer=CUSTOMER, account="Analytical Engines Ltd")

    e.erase_customer_data(actor=ACTOR, at=clock.tick(), subject_id="s-7")

    assert e.customer == {
        "subject_id": "s-7",
        "name": ERASED,
        "email": ERASED,
        "phone": None,
        "account_id": None,
    }
    assert e.customer_data_erased and e.customer_erased_at == e.modified_on
    [*_, erased] = e.pending_events
    assert type(erased).__name__ == "CustomerDataErased"
    assert vars(erased)["subject_id"] == "s-7"
    assert "Ada" not in repr(vars(erased))


def test_erasing_keeps_the_status_and_the_rest_of_the_history() -> None:
    clock = Clock()
    e = drive_to("closed", clock, customer=CUSTOMER)
    before = state_of(e)

    e.erase_customer_data(actor=ACTOR, at=clock.tick(), subject_id="s-7")

    after = state_of(e)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"customer", "customer_erased_at", "_version", "_modified_on"}
    assert e.status == "closed"


def test_the_erased_state_replays_and_survives_a_snapshot() -> None:
    clock = Clock()
    e = open_escalation(clock, customer=CUSTOMER)
    e.erase_customer_data(actor=ACTOR, at=clock.tick(), subject_id="s-7")

    assert state_of(replay(list(e.pending_events))) == state_of(e)
    e.collect_events()
    restored = CompactSnapshot.take(e).mutate(None)
    assert isinstance(restored, Escalation)
    assert state_of(restored) == state_of(e)


def _erase(subject_id: str) -> Step:
    return lambda e, at: e.erase_customer_data(actor=ACTOR, at=at, subject_id=subject_id)


@pytest.mark.parametrize(
    "case",
    [
        Refusal(
            "erasing an escalation without customer data",
            _erase("s-7"),
            RuleViolated,
            open_fields={"scope": "global"},
            says=("no customer data",),
        ),
        Refusal(
            "erasing another subject",
            _erase("s-8"),
            RuleViolated,
            open_fields={"customer": CUSTOMER},
            says=("not data subject s-8",),
        ),
        Refusal(
            "erasing twice, so that the second time records nothing",
            _erase("s-7"),
            RuleViolated,
            setup=(_erase("s-7"),),
            open_fields={"customer": CUSTOMER},
            says=("already erased",),
        ),
    ],
    ids=str,
)
def test_an_erasure_against_the_rules_is_refused(case: Refusal) -> None:
    case.check()
