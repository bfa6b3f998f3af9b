"""Legal clocks of privacy requests: GDPR one calendar month (+2 with notice), CCPA 10 business days
to acknowledge and 45 days to respond (+45 once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidCommand
from domain.policies import add_business_days, add_months, legal_clock
from domain.values import PrivacyRegime
from tests.domain.support import Clock, open_escalation


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "respond_by"),
    [
        (utc(2026, 1, 15, 10), utc(2026, 2, 15, 10)),
        (utc(2026, 1, 31, 10), utc(2026, 2, 28, 10)),  # February has no 31st: its last day
        (utc(2028, 1, 31, 10), utc(2028, 2, 29, 10)),  # ... which is the 29th in a leap year
        (utc(2026, 3, 31, 23, 59), utc(2026, 4, 30, 23, 59)),
        (utc(2026, 12, 20, 8), utc(2027, 1, 20, 8)),  # across the year end
    ],
)
def test_gdpr_gives_one_calendar_month_clamped_to_the_month_end(
    received: datetime, respond_by: datetime
) -> None:
    clock = legal_clock(PrivacyRegime.GDPR, received)

    assert clock.respond_by == respond_by
    assert clock.acknowledge_by is None
    assert clock.max_extensions == 2


def test_gdpr_can_be_extended_to_three_months_from_receipt_at_most() -> None:
    clock = legal_clock(PrivacyRegime.GDPR, utc(2025, 11, 30, 9))

    assert clock.latest_extended_deadline == utc(2026, 2, 28, 9)


@pytest.mark.parametrize(
    ("received", "acknowledge_by"),
    [
        (utc(2026, 3, 2, 9), utc(2026, 3, 16, 9)),  # Monday -> Monday two weeks on
        (utc(2026, 3, 6, 17), utc(2026, 3, 20, 17)),  # Friday -> Friday two weeks on
        (utc(2026, 3, 7, 12), utc(2026, 3, 20, 12)),  # Saturday: counting starts Monday
        (utc(2026, 3, 8, 12), utc(2026, 3, 20, 12)),  # Sunday: same
    ],
)
def test_ccpa_acknowledges_within_ten_business_days(
    received: datetime, acknowledge_by: datetime
) -> None:
    clock = legal_clock(PrivacyRegime.CCPA, received)

    assert clock.acknowledge_by == acknowledge_by


def test_ccpa_responds_within_45_days_extendable_once_by_45() -> None:
    received = utc(2026, 3, 2, 9)

    clock = legal_clock(PrivacyRegime.CCPA, received)

    assert clock.respond_by == utc(2026, 4, 16, 9)
    assert clock.latest_extended_deadline == utc(2026, 5, 31, 9)
    assert clock.max_extensions == 1


def test_a_privacy_request_without_a_regime_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="privacy_regime"):
        open_escalation(source="privacy_request")


def test_opening_a_privacy_request_starts_the_clock_from_receipt() -> None:
    clock = Clock(utc(2026, 2, 3, 9))
    received = utc(2026, 1, 31, 16)

    e = open_escalation(
        clock, source="privacy_request", privacy_regime="gdpr", received_at=received
    )

    assert e.received_at == received
    assert e.deadline == utc(2026, 2, 28, 16)
    assert e.privacy == {
        "regime": "gdpr",
        "request_type": "erasure",
        "acknowledge_by": None,
        "latest_extended_deadline": utc(2026, 4, 30, 16),
        "max_extensions": 2,
    }


def test_a_later_deadline_given_for_a_privacy_request_is_capped_to_the_legal_one() -> None:
    clock = Clock()

    e = open_escalation(
        clock,
        source="privacy_request",
        privacy_regime="ccpa",
        privacy_request_type="opt_out",
        deadline=clock.now + timedelta(days=60),
    )

    assert e.deadline == clock.now + timedelta(days=45)
    assert e.privacy is not None
    assert e.privacy["acknowledge_by"] == utc(2026, 3, 16, 9)
    assert e.privacy["request_type"] == "opt_out"


def test_an_earlier_deadline_given_for_a_privacy_request_is_kept() -> None:
    clock = Clock()
    sooner = clock.now + timedelta(days=10)

    e = open_escalation(clock, source="privacy_request", privacy_regime="gdpr", deadline=sooner)

    assert e.deadline == sooner


def test_other_sources_have_no_legal_clock() -> None:
    e = open_escalation(source="bbb_complaint")

    assert e.privacy is None
    assert e.deadline is None


moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(moment=moments, months=st.integers(min_value=0, max_value=36))
def test_adding_months_keeps_the_day_unless_the_month_is_shorter(
    moment: datetime, months: int
) -> None:
    result = add_months(moment, months)

    assert (result.year * 12 + result.month) - (moment.year * 12 + moment.month) == months
    assert result.time() == moment.time()
    assert result.tzinfo == moment.tzinfo
    if result.day != moment.day:
        assert result.day < moment.day
        assert (result + timedelta(days=1)).month != result.month  # clamped to the last day


@given(moment=moments, days=st.integers(min_value=1, max_value=60))
def test_adding_business_days_lands_on_a_weekday_after_that_many_weekdays(
    moment: datetime, days: int
) -> None:
    result = add_business_days(moment, days)

    assert result.weekday() < 5
    assert result.time() == moment.time()
    between = (result - moment).days
    weekdays = sum(1 for d in range(1, between + 1) if (moment + timedelta(d)).weekday() < 5)
    assert weekdays == days
