"""SLA policy arithmetic: business hours, the most specific policy, settings from the environment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra.settings import Settings
from infra.settings.views import SlaSettings
from projections.sla import BusinessHours


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (utc(2026, 3, 2, 10), 4, utc(2026, 3, 2, 14)),  # Monday, within the day
        (utc(2026, 3, 2, 15), 4, utc(2026, 3, 3, 11)),  # runs over into Tuesday
        (utc(2026, 3, 6, 16), 2, utc(2026, 3, 9, 10)),  # Friday afternoon -> Monday
        (utc(2026, 3, 7, 12), 1, utc(2026, 3, 9, 10)),  # received on Saturday
        (utc(2026, 3, 2, 20), 8, utc(2026, 3, 3, 17)),  # after hours: the next working day
    ],
)
def test_business_hours_skip_nights_and_weekends(start, hours, due):
    assert BusinessHours().add(start, timedelta(hours=hours)) == due


def test_the_most_specific_policy_wins_and_overrides_merge_over_defaults(monkeypatch):
    monkeypatch.setenv(
        "ESCALATIONS_SLA_POLICIES",
        '{"bbb_complaint:SEV2": {"first_response": "PT2H", "update_every": "PT6H",'
        ' "resolution": "P5D", "hours": "calendar"}}',
    )
    monkeypatch.setenv("ESCALATIONS_SLA_BBB_RESPONSE_WINDOW", "P10D")
    policy = Settings().sla.policy()
    assert policy.for_case("bbb_complaint", "SEV2").first_response == timedelta(hours=2)
    assert policy.for_case("bbb_complaint", "SEV3").first_response == timedelta(hours=8)
    assert policy.for_case("vendor", "SEV1").first_response == timedelta(minutes=15)
    assert policy.for_case("vendor", "SEV9").resolution == timedelta(hours=24)
    assert policy.bbb_response_window == timedelta(days=10)


def test_a_policy_without_a_catch_all_names_the_missing_case():
    policy = SlaSettings().policy()
    narrowed = type(policy)(targets={"email:*": policy.targets["email:*"]})
    with pytest.raises(KeyError, match="vendor:SEV1"):
        narrowed.for_case("vendor", "SEV1")
