"""Words and numbers as people read them: UTC times, durations, counts, money, lists.

Shared by the view builders (which write sentences) and the templates (as Jinja2 filters), so
that a time or an amount reads the same in every document and every format.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from domain.moments import display_utc_text

STATUS_LABELS = {
    "triage": "Triage",
    "investigating": "Investigating",
    "identified": "Cause identified",
    "monitoring": "Fix in place, monitoring",
    "resolved": "Resolved",
    "closed": "Closed",
    "dismissed": "Dismissed",
}

SOURCE_LABELS = {
    "email": "e-mail",
    "bbb_complaint": "Better Business Bureau complaint",
    "privacy_request": "privacy request",
    "priority_support": "priority support request",
    "tools_outage": "tools outage",
    "social": "social media post",
    "vendor": "support provider",
    "internal": "internal report",
}

CHANNEL_LABELS = {
    "email": "e-mail",
    "status_page": "the status page",
    "slack": "Slack",
    "phone": "phone",
    "sms": "SMS",
    "portal": "the customer portal",
    "social": "social media",
    "letter": "letter",
    "meeting": "a meeting",
    "in_app": "an in-app message",
}

AUDIENCE_LABELS = {
    "public": "the public",
    "customer": "customers",
    "executive": "executives",
    "sales_cs": "Sales and Customer Success",
    "internal": "the team",
    "regulator": "the regulator",
}


def utc_text(moment: datetime | None) -> str:
    """`2026-11-02 14:05 UTC`; seconds are noise in a document people read."""
    if moment is None:
        return "not yet"
    return display_utc_text(moment)


def date_text(moment: datetime | None) -> str:
    """`2 November 2026`, for formal letters."""
    if moment is None:
        return "not yet"
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y}"


_SHORT_UNITS = ("d", "h", "min")
_LONG_UNITS = (("day", "days"), ("hour", "hours"), ("minute", "minutes"))


def duration_text(delta: timedelta | None, *, long: bool = False) -> str:
    """`2 d 3 h`, `1 h 5 min`, `12 min`, `under a minute`: two units are enough.
    `long` spells the units out (`2 days 3 hours`) for letters."""
    if delta is None:
        return "not yet"
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return "-" + duration_text(-delta, long=long)
    if seconds < 60:
        return "under a minute"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    amounts = [days, hours, rest // 60]
    parts = []
    for index, amount in [(i, a) for i, a in enumerate(amounts) if a][:2]:
        if long:
            one, many = _LONG_UNITS[index]
            parts.append(f"{amount} {one if amount == 1 else many}")
        else:
            parts.append(f"{amount} {_SHORT_UNITS[index]}")
    return " ".join(parts)


def count_text(number: int | float) -> str:
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:,.2f}"


def money_text(amount: float, currency: str) -> str:
    return f"{currency} {count_text(amount)}"


def plural(number: int, word: str, many: str | None = None) -> str:
    noun = word if number == 1 else (many or word + "s")
    return f"{count_text(number)} {noun}"


def words(identifier: str) -> str:
    """`degraded_performance` -> `degraded performance`."""
    return identifier.replace("_", " ")


def join_words(items: Iterable[str], last: str = "and") -> str:
    """`a`, `a and b`, `a, b and c`."""
    listed = [item for item in items if item]
    if len(listed) <= 1:
        return "".join(listed)
    return f"{', '.join(listed[:-1])} {last} {listed[-1]}"


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, words(status).capitalize())


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, words(source))


def a_source(source: str) -> str:
    """`an e-mail`, `a tools outage`: the source with its article, for sentences."""
    label = source_label(source)
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, words(channel))


def audience_label(audience: str) -> str:
    return AUDIENCE_LABELS.get(audience, words(audience))


def paragraphs(text: str) -> list[str]:
    """Split typed text on blank lines, keeping single line breaks inside a paragraph."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]
