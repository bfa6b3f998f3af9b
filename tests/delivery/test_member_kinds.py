"""The member kinds of a distribution list, in the domain alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.distribution_list import (
    DistributionList,
    MemberKind,
    endpoint_url,
    members_at,
    split_recipient,
)
from domain.errors import InvalidCommand, RuleViolated

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SLACK = "https://hooks.slack.com/services/T000/B000/XXXX"


def test_a_slack_member_is_an_incoming_webhook_url() -> None:
    assert endpoint_url(SLACK, MemberKind.SLACK, allow_http=False) == SLACK
    with pytest.raises(InvalidCommand, match=r"hooks\.slack\.com"):
        endpoint_url("https://hooks.slack.com/other", MemberKind.SLACK, allow_http=False)
    assert endpoint_url("http://127.0.0.1:9/x", MemberKind.SLACK, allow_http=True)


def test_kinds_are_told_apart_and_urls_compare_exactly() -> None:
    lst = DistributionList.create(actor="ana", at=AT, name="All", audience="executive")
    lst.add_member(actor="ana", at=AT, address="maria.chen@example.com")
    hook = lst.add_endpoint(
        actor="cli:ops@example.com", at=AT, kind=MemberKind.WEBHOOK,
        url="https://hooks.example.com/A", secret="whsec_x", allow_http=False,
    )  # fmt: skip
    lst.add_endpoint(
        actor="ana", at=AT, kind=MemberKind.WEBHOOK, url="https://hooks.example.com/a",
        secret="whsec_y", allow_http=False,
    )  # fmt: skip
    with pytest.raises(RuleViolated):
        lst.add_endpoint(
            actor="ana", at=AT, kind=MemberKind.WEBHOOK, url="https://hooks.example.com/A",
            secret="whsec_z", allow_http=False,
        )  # fmt: skip
    assert split_recipient(hook) == (MemberKind.WEBHOOK, "https://hooks.example.com/A")
    assert lst.endpoints[hook]["owner"] == "ops@example.com"  # the actor's own address
    assert split_recipient("maria.chen@example.com") == (MemberKind.EMAIL, "maria.chen@example.com")
    events = list(lst.collect_events())
    assert len(members_at(events, AT) or []) == 3


def test_a_disabled_endpoint_receives_nothing_from_then_on() -> None:
    lst = DistributionList.create(actor="ana", at=AT, name="All", audience="executive")
    hook = lst.add_endpoint(
        actor="ana", at=AT, kind=MemberKind.SLACK, url=SLACK, secret="", allow_http=False
    )
    later = AT.replace(hour=10)
    lst.disable_endpoint(actor="delivery", at=later, recipient=hook, reason="r", owner_notice="n")
    with pytest.raises(RuleViolated):
        lst.disable_endpoint(
            actor="delivery", at=later, recipient=hook, reason="r", owner_notice="n"
        )
    events = list(lst.collect_events())
    assert members_at(events, AT) == [hook]
    assert members_at(events, later) == []
    assert lst.endpoints[hook]["disabled"]["owner_notice"] == "n"


def test_a_member_stored_before_kinds_existed_reads_as_an_email_address() -> None:
    """A stored event is rebuilt from its stored fields without calling its constructor, as the
    store's mapper does: the fields added since must come from their defaults."""
    lst = DistributionList.create(actor="ana", at=AT, name="All", audience="executive")
    lst.add_member(actor="ana", at=AT, address="maria.chen@example.com")
    created, added = lst.collect_events()
    old = object.__new__(DistributionList.MemberAdded)
    old.__dict__.update(
        {k: v for k, v in added.__dict__.items() if k not in ("kind", "secret", "owner")}
    )
    assert (old.kind, old.secret, old.owner) == ("email", "", "")
    assert members_at([created, old], AT) == ["maria.chen@example.com"]
    rebuilt = old.mutate(created.mutate(None))
    assert rebuilt is not None and rebuilt.endpoints == {}
