"""Erasing a data subject's customer data: the personal fields read as erased, everything else stays."""

from __future__ import annotations

from domain.errors import RuleViolated
from domain.escalation import Escalation
from domain.snapshot import CompactSnapshot
from domain.validation import ERASED
from tests.domain.support import Clock, drive_to, open_escalation, refused, replay, state_of

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


def test_erasing_an_escalation_without_customer_data_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock, scope="global")

    error = refused(
        e,
        lambda: e.erase_customer_data(actor=ACTOR, at=clock.tick(), subject_id="s-7"),
        RuleViolated,
    )

    assert "no customer data" in str(error)


def test_erasing_another_subject_is_refused() -> None:
    clock = Clock()
    e = open_escalation(clock, customer=CUSTOMER)

    error = refused(
        e,
        lambda: e.erase_customer_data(actor=ACTOR, at=clock.tick(), subject_id="s-8"),
        RuleViolated,
    )

    assert "not data subject s-8" in str(error)


def test_erasing_twice_is_refused_so_the_second_time_records_nothing() -> None:
    clock = Clock()
    e = open_escalation(clock, customer=CUSTOMER)
    e.erase_customer_data(actor=ACTOR, at=clock.tick(), subject_id="s-7")

    error = refused(
        e,
        lambda: e.erase_customer_data(actor=ACTOR, at=clock.tick(), subject_id="s-7"),
        RuleViolated,
    )

    assert "already erased" in str(error)
