"""Updates whose words travel outside the team: Sales and Customer Success and the customer (the
regulator's response is in `regulator.py`).

These are built only from communications addressed to their audience and from structured facts
(status, times, counts, component names). Free text the team typed for itself (notes, reasons,
descriptions, resolution summaries) never reaches them, because it was never written to be read
by a customer. The customer's name appears once, in the greeting of the customer's own update.

Every sentence is chosen by the status the escalation is in at the moment read, and a message the
team wrote is quoted only while it still holds: written since the escalation entered its current
status. So a letter read after the resolution never repeats an earlier "we are looking into it",
and promises no next update.

Lifecycle: replayed on read (live), from the case file (`fold.py`) of the events up to the moment
asked for; nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from projections.documents.casefile import CaseFile, Communication
from projections.documents.common import (
    Fact,
    Header,
    Message,
    component_list,
    header,
    latest,
    message,
    named_accounts,
    promised_update,
)
from projections.documents.formatting import (
    count_text,
    date_text,
    join_words,
    utc_text,
    words,
)

# What we are doing, in the voice we use with customers; one sentence per open status.
PROGRESS = {
    "triage": "Our escalations team has your case and is reviewing it now.",
    "investigating": "Our team is investigating the cause as a priority.",
    "identified": "We have found the cause and are working on a fix.",
    "monitoring": "We have put a fix in place and are watching closely to make sure it holds.",
}

# Why a case was closed without action, as the customer reads it.
DISMISSED = {
    "duplicate": "This is the same matter as another case we are already handling, so we have "
    "closed this one; we will keep you informed there.",
    "spam": "We have reviewed your message and closed it; it needs no action from us.",
    "not_actionable": "We have reviewed your message carefully and closed the case: there is "
    "nothing for us to change or put right.",
}

# An opening line the team may have typed at the top of a message: the letter greets already.
_GREETING = re.compile(
    r"^(dear|hello|hi|hey|good (morning|afternoon|evening)|greetings)\b[\w .'\u2019-]{0,60}[,!:]?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SalesCsUpdate:
    header: Header
    affected_accounts: list[str]
    reach: list[Fact]
    talking_points: list[str]
    briefing: Message | None
    what_to_tell_customers: list[str]
    published_wording: Message | None
    please_avoid: list[str]
    contact: str
    next_update_due: datetime | None


@dataclass(frozen=True)
class CustomerUpdate:
    header: Header
    subject: str
    greeting: str
    what_happened: list[str]
    latest_message: Message | None
    doing_heading: str
    what_we_are_doing: list[str]
    what_you_can_do: list[str]
    when_you_will_hear_next: str
    next_update_due: datetime | None
    closing: list[str]
    resolved_with_global: bool = False
    """Resolved together with the service-wide incident the case was linked to."""


def _affected(case: CaseFile) -> str:
    names = list(case.components)
    return f"with {join_words(names)}" if names else "with our service"


def _future(due: datetime | None, as_of: datetime) -> datetime | None:
    return due if due is not None and due > as_of else None


def _progress(case: CaseFile) -> str:
    """Where things stand, in one or two sentences: the customer's `we` voice."""
    if case.status == "dismissed":
        return DISMISSED.get(case.dismissal_reason or "", DISMISSED["not_actionable"])
    if case.status == "resolved":
        return f"We fixed the problem on {date_text(case.resolved_at)}."
    if case.status == "closed":
        fixed = case.resolutions[-1] if case.resolutions else case.closed_at
        return f"We fixed the problem on {date_text(fixed)} and have now closed the case."
    progress = PROGRESS.get(case.status, "")
    if case.is_reopened:
        return (
            f"We reopened the case on {date_text(case.reopens[-1])} because the problem was not "
            f"fully fixed. {progress}"
        )
    return progress


def _briefing_progress(case: CaseFile) -> str:
    """The same, as Sales and Customer Success repeat it about a customer."""
    return _progress(case).replace("your case", "the case").replace("your message", "the message")


def sales_cs_update(case: CaseFile, as_of: datetime) -> SalesCsUpdate:
    external = case.communications_for("customer", "public")
    due = _future(promised_update(case, external), as_of)
    reach = []
    if case.impact is not None:
        reach.append(Fact("Customers affected", count_text(case.impact.customers_affected)))
        if case.impact.segments:
            reach.append(Fact("Segments", join_words(case.impact.segments)))
        if case.impact.regions:
            reach.append(Fact("Regions", join_words(case.impact.regions)))
    if case.components:
        label = "Affected" if case.is_open else "Components now"
        reach.append(Fact(label, component_list(case.components)))
    points = [_briefing_progress(case)]
    if case.components and case.status != "dismissed":
        affected = "Affected" if case.is_open else "Was affected, now working normally"
        points.append(f"{affected}: {join_words(case.components)}.")
    if case.resolved_at is not None:
        points.append(f"Resolved at {utc_text(case.resolved_at)}.")
    elif due is not None:
        points.append(f"Customers will hear from us again by {utc_text(due)}.")
    if case.status == "dismissed":
        script = []
    elif case.scope == "customer":
        trouble = "has caused" if case.is_open else "caused"
        script = [
            f"We know about this customer's case, and we are sorry for the trouble it {trouble}."
        ]
    elif case.is_open:
        script = [
            f"We know some customers are having problems {_affected(case)}, and we are sorry."
        ]
    else:
        script = [f"Some customers had problems {_affected(case)}, and we are sorry."]
    script.append(_briefing_progress(case))
    if case.is_open:
        script.append(
            f"We will update them by {utc_text(due)}, or sooner if there is news."
            if due
            else "We will update them as soon as there is news."
        )
    avoid = ["Offering credits or compensation before the escalation owner has agreed them."]
    if case.status in ("triage", "investigating"):
        avoid.insert(0, "Guessing at the cause: we will share it once it is confirmed.")
    if case.is_open:
        avoid.insert(0, "Promising a time for the fix: give the time of the next update instead.")
    owner = f"{case.owner} ({words(case.owner_team or '')})" if case.owner else None
    return SalesCsUpdate(
        header=header(case, "Sales and Customer Success briefing", "sales_cs", as_of),
        affected_accounts=named_accounts(case),
        reach=reach,
        talking_points=[p for p in points if p],
        briefing=message(latest(case.current_communications_for("sales_cs"))),
        what_to_tell_customers=[s for s in script if s],
        published_wording=message(latest(case.current_communications_for("public"))),
        please_avoid=avoid,
        contact=(
            f"Questions about this escalation go to {owner}, who owns it."
            if owner
            else "Questions go to the escalations team; no owner is assigned yet."
        ),
        next_update_due=due,
    )


def letter_message(communication: Communication | None) -> Message | None:
    """A message the team wrote, as the letter quotes it: without the greeting it may start
    with, because the letter has greeted the reader already."""
    quoted = message(communication)
    if quoted is None:
        return None
    kept = list(quoted.paragraphs)
    if kept:
        first, _, rest = kept[0].partition("\n")
        if _GREETING.match(first):
            kept[0:1] = [rest.strip()] if rest.strip() else []
    return replace(quoted, paragraphs=kept) if kept else None


def _what_happened(case: CaseFile, personal: bool) -> list[str]:
    if case.status == "dismissed":
        if personal:
            return [f"Thank you for contacting us on {date_text(case.received_at)}."]
        return [
            f"We looked into reports of problems {_affected(case)} since {utc_text(case.received_at)}."
        ]
    if personal:
        if case.is_open:
            sorry = "We are sorry for the trouble it has caused you, and we want to put it right."
        else:
            sorry = "We are sorry for the trouble it caused you."
        return [f"Thank you for raising this with us on {date_text(case.received_at)}. {sorry}"]
    if case.is_open:
        return [
            f"Since {utc_text(case.received_at)}, some customers have had problems "
            f"{_affected(case)}. We are sorry for the disruption this has caused."
        ]
    fixed = case.resolutions[-1] if case.resolutions else case.closed_at
    return [
        f"From {utc_text(case.received_at)} until {utc_text(fixed)}, some customers had problems "
        f"{_affected(case)}. We are sorry for the disruption this caused."
    ]


def _default_subject(case: CaseFile) -> str:
    if case.scope != "customer":
        about = f"the problems {_affected(case)}"
        if case.status in ("resolved", "closed"):
            return f"Resolved: {about}"
        return f"An update on {about}"
    if case.status in ("resolved", "closed"):
        return f"Your case {case.reference} is resolved"
    if case.status == "dismissed":
        return f"Your case {case.reference} is closed"
    return f"An update on your case {case.reference}"


def customer_update(case: CaseFile, as_of: datetime) -> CustomerUpdate:
    personal = case.scope == "customer"
    # A customer's own case is told in the letters to them; an incident also in public statements.
    audiences = ("customer",) if personal else ("customer", "public")
    written = case.communications_for(*audiences)
    current = latest(case.current_communications_for(*audiences))
    due = _future(promised_update(case, written), as_of)
    greeting = f"Dear {case.customer_name}," if personal and case.customer_name else "Hello,"
    doing = [_progress(case)]
    if personal and case.owner and case.is_open:
        doing.append(
            f"{case.owner.split()[0]} from our Customer Experience team is looking after your case "
            "personally and will see it through."
        )
    if case.is_open:
        can_do = ["You do not need to do anything right now."]
        if personal:
            can_do.append(
                f"If you have more details to share, reply to this message quoting reference "
                f"{case.reference}; it goes straight to the team handling your case."
            )
        elif any(c.channel == "status_page" for c in written):
            can_do.append("Our status page shows the latest progress at any time.")
        heard = (
            f"We will write to you again by {utc_text(due)}, or sooner if there is news."
            if due
            else "We will write to you again as soon as we have news."
        )
    elif case.status == "dismissed":
        can_do = [
            "If we have misunderstood, reply to this message quoting reference "
            f"{case.reference} and we will look again."
        ]
        heard = "This is our last message about it, unless you write to us again."
    else:
        can_do = [
            "If you still see the problem, reply to this message quoting reference "
            f"{case.reference} and we will pick it up straight away."
        ]
        heard = "This is our last update on this issue, unless you need anything more from us."
    thanks = (
        "Thank you for getting in touch."
        if case.status == "dismissed"
        else "Thank you for your patience."
    )
    return CustomerUpdate(
        header=header(case, "Customer update", "customer", as_of),
        subject=current.subject if current and current.subject else _default_subject(case),
        greeting=greeting,
        what_happened=_what_happened(case, personal),
        latest_message=letter_message(current),
        doing_heading="What we are doing" if case.is_open else "What we did",
        what_we_are_doing=[d for d in doing if d],
        what_you_can_do=can_do,
        when_you_will_hear_next=heard,
        next_update_due=due,
        closing=[thanks, "The Customer Experience team"],
        resolved_with_global=case.resolved_with is not None and not case.is_open,
    )
