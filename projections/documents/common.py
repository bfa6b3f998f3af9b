"""What every document view shares: its header, labelled facts, dated texts, promised updates."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar

from projections.documents.casefile import CaseFile, Communication
from projections.documents.formatting import (
    duration_text,
    join_words,
    paragraphs,
    status_label,
    utc_text,
    words,
)

T = TypeVar("T")


def copied(cls: type[T], source: Any, **others: Any) -> T:
    """A `cls` holding the fields of the same names of `source` (an event, a case file part;
    lists copied), and `others`."""
    values = {
        f.name: _plain(getattr(source, f.name))
        for f in fields(cls)  # type: ignore[arg-type]
        if f.name not in others and hasattr(source, f.name)
    }
    return cls(**values, **others)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value


@dataclass(frozen=True)
class Header:
    """Which escalation a document is about and which moment of its history it shows."""

    document: str
    audience: str
    escalation_id: str
    reference: str
    title: str
    severity: str
    status: str
    status_label: str
    scope: str
    as_of: datetime
    version: int
    last_changed_at: datetime


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Message:
    """Words the team wrote for this document's audience, with when and by whom."""

    at: datetime
    by: str
    subject: str
    paragraphs: list[str]
    written_while: str = ""
    """The status it was written in, when that is no longer the status (empty while it holds):
    so an older message reads as history, not as what is happening now."""


def header(case: CaseFile, document: str, audience: str, as_of: datetime) -> Header:
    return copied(
        Header,
        case,
        document=document,
        audience=audience,
        status_label=status_label(case.status),
        as_of=as_of,
        last_changed_at=case.last_event_at,
    )


def message(communication: Communication | None, case: CaseFile | None = None) -> Message | None:
    """The communication as a document quotes it; with `case`, marked with the status it was
    written in when the escalation has moved on since."""
    if communication is None:
        return None
    outdated = case is not None and communication.at < case.status_since
    return Message(
        at=communication.at,
        by=communication.by,
        subject=communication.subject,
        paragraphs=paragraphs(communication.body),
        written_while=status_label(communication.status) if outdated else "",
    )


def latest(communications: list[Communication]) -> Communication | None:
    return communications[-1] if communications else None


def promised_update(case: CaseFile, communications: list[Communication]) -> datetime | None:
    """The latest update of the current open episode sets the promise: a final update that
    promises nothing ends it, and so does the end of the escalation (a resolved or closed
    escalation owes nobody a next update). A reopening revives no older promise; it owes an
    update of its own, by the moment it recorded, until the next communication."""
    if not case.is_open:
        return None
    last = latest([c for c in communications if c.at >= case.episode_started_at])
    return case.update_due_on_reopen if last is None else last.next_update_due


def promise_text(due: datetime | None, as_of: datetime, audience: str, is_open: bool) -> str:
    if not is_open:
        return f"No further update to {audience} is due: the escalation is no longer open."
    if due is None:
        return f"No further update to {audience} has been promised."
    if due < as_of:
        return f"The update to {audience} promised by {utc_text(due)} is overdue by {duration_text(as_of - due)}."
    return f"Next update to {audience} due by {utc_text(due)} (in {duration_text(due - as_of)})."


def component_list(components: dict[str, str]) -> str:
    """`Sync (major outage) and Sign-in (degraded performance)`; unassessed ones by name only."""
    return join_words(
        f"{name} ({words(level)})" if level else name for name, level in components.items()
    )


def named_accounts(case: CaseFile) -> list[str]:
    accounts = list(case.impact.accounts) if case.impact else []
    if case.account and case.account not in accounts:
        accounts.insert(0, case.account)
    return accounts


def state_of_action(
    done: bool, due: datetime | None, completed: datetime | None, as_of: datetime
) -> str:
    if done:
        return f"done {utc_text(completed)}"
    if due is None:
        return "open, no due date"
    if due < as_of:
        return f"overdue since {utc_text(due)}"
    return f"open, due {utc_text(due)}"
