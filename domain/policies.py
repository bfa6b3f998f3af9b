"""Rules that are tables or calendars rather than state: status transitions and legal clocks."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.values import PrivacyRegime, Status

# Which status each status may move to, and by which command. The docs render this table
# (docs/domain.md); tests walk every pair that is not in it and expect a refusal.
TRANSITIONS: dict[Status, dict[Status, str]] = {
    Status.TRIAGE: {
        Status.INVESTIGATING: "status",
        Status.IDENTIFIED: "status",
        Status.MONITORING: "status",
        Status.RESOLVED: "resolve",
        Status.DISMISSED: "dismiss",
    },
    Status.INVESTIGATING: {
        Status.IDENTIFIED: "status",
        Status.MONITORING: "status",
        Status.RESOLVED: "resolve",
        Status.DISMISSED: "dismiss",
    },
    Status.IDENTIFIED: {
        Status.INVESTIGATING: "status",
        Status.MONITORING: "status",
        Status.RESOLVED: "resolve",
    },
    Status.MONITORING: {
        Status.INVESTIGATING: "status",
        Status.IDENTIFIED: "status",
        Status.RESOLVED: "resolve",
    },
    Status.RESOLVED: {
        Status.INVESTIGATING: "reopen",
        Status.CLOSED: "close",
    },
    Status.CLOSED: {},
    Status.DISMISSED: {},
}


REOPENED_STATUS = next(s for s, c in TRANSITIONS[Status.RESOLVED].items() if c == "reopen")
"""Where a reopened escalation goes: the one status the table lets `reopen` reach."""


UpdateCadence = Callable[[str, str, datetime], datetime]
"""When the next update to an escalation's audiences is due after a moment, for its source and
severity: the SLA policy's update cadence, which is configuration the application hands to the
commands that need it (`reopen`)."""


def allowed(current: Status, target: Status, command: str) -> bool:
    return TRANSITIONS[current].get(target) == command


def add_months(moment: datetime, months: int) -> datetime:
    """Same day-of-month `months` later; the month's last day where that day does not exist."""
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def add_business_days(moment: datetime, days: int) -> datetime:
    """`days` working days (Monday to Friday) after `moment`, keeping the time of day."""
    result = moment
    remaining = days
    while remaining > 0:
        result += timedelta(days=1)
        if result.weekday() < 5:
            remaining -= 1
    return result


@dataclass(frozen=True)
class LegalClock:
    """The statutory clock a privacy request starts when it is received."""

    regime: PrivacyRegime
    acknowledge_by: datetime | None
    respond_by: datetime
    latest_extended_deadline: datetime
    max_extensions: int


def legal_clock(regime: PrivacyRegime, received_at: datetime) -> LegalClock:
    """GDPR Art. 12(3): one month, extendable by two further months with notice.
    CCPA: acknowledge within 10 business days, respond within 45 days, extendable once by 45."""
    if regime is PrivacyRegime.GDPR:
        return LegalClock(
            regime=regime,
            acknowledge_by=None,
            respond_by=add_months(received_at, 1),
            latest_extended_deadline=add_months(received_at, 3),
            max_extensions=2,
        )
    return LegalClock(
        regime=regime,
        acknowledge_by=add_business_days(received_at, 10),
        respond_by=received_at + timedelta(days=45),
        latest_extended_deadline=received_at + timedelta(days=90),
        max_extensions=1,
    )
