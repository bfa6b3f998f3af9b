"""Small checks shared by command methods; each failure says which field and what to send."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from domain import limits
from domain.errors import InvalidCommand
from domain.text import normalised, problem_in

CUSTOMER_FIELDS = ("subject_id", "name", "email", "phone", "account_id")
PERSONAL_FIELDS = ("name", "email", "phone", "account_id")
"""The customer fields that identify a person; `subject_id` is a pseudonymous key, not one of them."""
ERASED = "[erased]"
"""What a personal field reads as once the data subject's data has been erased."""
REDACTED = "[redacted]"
"""What a personal field reads as to a reader not allowed to see contact details (the data is
still there; erasure is another marker, so a reader can tell the two apart)."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def utc(moment: datetime | None, field: str) -> datetime:
    if not isinstance(moment, datetime):
        raise InvalidCommand(f"{field} must be a date-time")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidCommand(f"{field} must carry a timezone (e.g. 2026-01-31T09:00:00Z)")
    # At the calendar's ends the conversion to UTC leaves the range of dates, and the views reach
    # a year back or forward from a moment; bounding it here keeps every way in a client error.
    try:
        converted = moment.astimezone(UTC)
    except OverflowError:
        converted = None
    if converted is None or not limits.EARLIEST <= converted < limits.LATEST:
        raise InvalidCommand(
            f"{field} must be from {limits.EARLIEST.isoformat()} up to {limits.LATEST.isoformat()}"
        )
    return converted


def enum_value(enum: type[StrEnum], value: object, field: str) -> str:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return enum(value).value
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise InvalidCommand(f"{field} {value!r} is not one of: {choices}") from None


def required_text(value: object, field: str, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{field} is required and cannot be blank")
    return _bounded(value, field, max_len)


def optional_text(value: object, field: str, max_len: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidCommand(f"{field} must be text")
    return _bounded(value, field, max_len) if value.strip() else None


def text_or_blank(value: object, field: str, max_len: int) -> str:
    """Optional text as an event stores it: blank when none was given."""
    return optional_text(value, field, max_len) or ""


def _bounded(value: str, field: str, max_len: int) -> str:
    """The one check every text field passes: NFC and LF line breaks, no control characters
    (nor, in a one-line field, bidi controls), stripped, within its limit."""
    value = normalised(value)
    problem = problem_in(value, one_line=max_len <= limits.ONE_LINE_MAX)
    if problem is not None:
        raise InvalidCommand(f"{field} {problem}; send it without")
    value = value.strip()
    if len(value) > max_len:
        raise InvalidCommand(f"{field} is {len(value)} characters long; the limit is {max_len}")
    return value


def text_list(
    values: Iterable[str] | None, field: str, *, max_len: int = limits.LIST_ITEM_MAX
) -> list[str]:
    """Non-blank, stripped, without repeats, in the order given."""
    if values is None:
        return []
    if isinstance(values, str):
        raise InvalidCommand(f"{field} must be a list of text, not a single string")
    seen: list[str] = []
    for item in values:
        text = required_text(item, f"each item of {field}", max_len)
        if text not in seen:
            seen.append(text)
    if len(seen) > limits.LIST_MAX:
        raise InvalidCommand(f"{field} has {len(seen)} items; the limit is {limits.LIST_MAX}")
    return seen


def clean_customer(customer: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The one place a person's data enters an event: a dedicated field keyed by subject id."""
    if customer is None:
        return None
    unknown = sorted(set(customer) - set(CUSTOMER_FIELDS))
    if unknown:
        raise InvalidCommand(
            f"customer has unknown fields {unknown}; allowed: {', '.join(CUSTOMER_FIELDS)}"
        )
    cleaned: dict[str, Any] = {
        "subject_id": required_text(
            customer.get("subject_id"), "customer.subject_id", limits.SUBJECT_ID_MAX
        )
    }
    for field in ("name", "email", "phone", "account_id"):
        cleaned[field] = optional_text(
            customer.get(field), f"customer.{field}", limits.PERSONAL_FIELD_MAX
        )
    email = cleaned["email"]
    if email is not None and not _EMAIL.match(email):
        raise InvalidCommand(f"customer.email {email!r} is not an e-mail address")
    return cleaned


def erased_customer(customer: Mapping[str, Any]) -> dict[str, Any]:
    """The customer as it reads after erasure: the subject id stays, every personal field that
    held something reads as ERASED, and an absent field stays absent."""
    erased = dict(customer)
    for field in PERSONAL_FIELDS:
        if erased.get(field) is not None:
            erased[field] = ERASED
    return erased


def redacted_customer(customer: Mapping[str, Any]) -> dict[str, Any]:
    """The customer as a reader without the right to contact details sees it: the subject id
    stays, every personal field that holds something reads as REDACTED (an erased one stays
    ERASED: that says nothing about the person), and an absent field stays absent."""
    redacted = dict(customer)
    for field in PERSONAL_FIELDS:
        if redacted.get(field) not in (None, ERASED):
            redacted[field] = REDACTED
    return redacted


def whole_number_between(value: object, low: int, high: int) -> bool:
    # bool is an int subclass; True is not a score.
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def actor_and_time(
    actor: object, at: datetime, last: datetime, last_named: str
) -> tuple[str, datetime]:
    """Who acts and when, as every command on a stream gives them: a named actor, at a UTC moment
    not before the stream's last event (`last`, called `last_named` in the message)."""
    actor = required_text(actor, "actor", limits.ACTOR_MAX)
    at = utc(at, "at")
    if at < last:
        raise InvalidCommand(
            f"at={at.isoformat()} is earlier than {last_named} ({last.isoformat()}); events are "
            "recorded in time order"
        )
    return actor, at
