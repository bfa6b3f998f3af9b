"""Updates whose words travel outside the team: Sales and Customer Success, the customer, the
regulator.

These are built only from communications addressed to their audience and from structured facts
(status, times, counts, component names). Free text the team typed for itself (notes, reasons,
descriptions, resolution summaries) never reaches them, because it was never written to be read
by a customer. The customer's name appears once, in the greeting of the customer's own update.

Lifecycle: replayed on read (live), from the case file (`fold.py`) of the events up to the moment
asked for; nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projections.documents.casefile import CaseFile
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
    channel_label,
    count_text,
    date_text,
    duration_text,
    join_words,
    utc_text,
    words,
)

# What we are doing, in the voice we use with customers; one sentence per status.
PROGRESS = {
    "triage": "Our escalations team has your case and is reviewing it now.",
    "investigating": "Our team is investigating the cause as a priority.",
    "identified": "We have found the cause and are working on a fix.",
    "monitoring": "We have put a fix in place and are watching closely to make sure it holds.",
    "resolved": "We have fixed the problem.",
    "closed": "We have fixed the problem and closed the case.",
    "dismissed": "We have reviewed the request and closed it; no further action is needed.",
}


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
    what_we_are_doing: list[str]
    what_you_can_do: list[str]
    when_you_will_hear_next: str
    next_update_due: datetime | None
    closing: list[str]
    resolved_with_global: bool = False
    """Resolved together with the service-wide incident the case was linked to."""


@dataclass(frozen=True)
class RegulatorResponse:
    header: Header
    addressee: str
    subject: str
    reference: list[Fact]
    opening: str
    facts: list[str]
    resolution_offered: list[str]
    resolution_message: Message | None
    closing: list[str]


def _affected(case: CaseFile) -> str:
    names = list(case.components)
    return f"with {join_words(names)}" if names else "with our service"


def _future(due: datetime | None, as_of: datetime) -> datetime | None:
    return due if due is not None and due > as_of else None


def sales_cs_update(case: CaseFile, as_of: datetime) -> SalesCsUpdate:
    external = case.communications_for("customer", "public")
    due = _future(promised_update(external), as_of)
    reach = []
    if case.impact is not None:
        reach.append(Fact("Customers affected", count_text(case.impact.customers_affected)))
        if case.impact.segments:
            reach.append(Fact("Segments", join_words(case.impact.segments)))
        if case.impact.regions:
            reach.append(Fact("Regions", join_words(case.impact.regions)))
    if case.components:
        reach.append(Fact("Affected", component_list(case.components)))
    points = [PROGRESS.get(case.status, "").replace("your case", "the case")]
    if case.components:
        points.append(f"Affected: {join_words(case.components)}.")
    if case.resolved_at is not None:
        points.append(f"Resolved at {utc_text(case.resolved_at)}.")
    elif due is not None:
        points.append(f"Customers will hear from us again by {utc_text(due)}.")
    script = [f"We know some customers are having problems {_affected(case)}, and we are sorry."]
    if not case.is_open:
        script = [f"Some customers had problems {_affected(case)}, and we are sorry."]
    if case.scope == "customer":
        script = [
            "We know about this customer's case, and we are sorry for the trouble it has caused."
        ]
    script.append(PROGRESS.get(case.status, "").replace("your case", "the case"))
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
        briefing=message(latest(case.communications_for("sales_cs"))),
        what_to_tell_customers=[s for s in script if s],
        published_wording=message(latest(case.communications_for("public"))),
        please_avoid=avoid,
        contact=(
            f"Questions about this escalation go to {owner}, who owns it."
            if owner
            else "Questions go to the escalations team; no owner is assigned yet."
        ),
        next_update_due=due,
    )


def customer_update(case: CaseFile, as_of: datetime) -> CustomerUpdate:
    written = case.communications_for("customer", "public")
    last = latest(written)
    personal = case.scope == "customer"
    due = _future(promised_update(written), as_of)
    if personal:
        greeting = f"Dear {case.customer_name}," if case.customer_name else "Hello,"
        happened = [
            f"Thank you for raising this with us on {date_text(case.received_at)}. "
            "We are sorry for the trouble it has caused you, and we want to put it right."
        ]
    else:
        greeting = "Hello,"
        happened = [
            f"Since {utc_text(case.received_at)}, some customers have had problems "
            f"{_affected(case)}. We are sorry for the disruption this has caused."
        ]
    doing = [PROGRESS.get(case.status, "")]
    if case.resolved_at is not None:
        doing = [f"We fixed the problem on {date_text(case.resolved_at)}."]
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
    else:
        can_do = [
            "If you still see the problem, reply to this message quoting reference "
            f"{case.reference} and we will pick it up straight away."
        ]
        heard = "This is our last update on this issue, unless you need anything more from us."
    return CustomerUpdate(
        header=header(case, "Customer update", "customer", as_of),
        subject=(
            last.subject if last and last.subject else f"An update on your case {case.reference}"
        ),
        greeting=greeting,
        what_happened=happened,
        latest_message=message(last),
        what_we_are_doing=[d for d in doing if d],
        what_you_can_do=can_do,
        when_you_will_hear_next=heard,
        next_update_due=due,
        closing=["Thank you for your patience.", "The Customer Experience team"],
        resolved_with_global=case.resolved_with is not None and not case.is_open,
    )


ADDRESSEES = {
    "bbb_complaint": "Better Business Bureau",
    "privacy_request": "Data Protection Authority",
}


def _regulator_facts(case: CaseFile) -> list[str]:
    received_through = (
        " through the Better Business Bureau" if case.source == "bbb_complaint" else ""
    )
    dated: list[tuple[datetime, str]] = [
        (case.received_at, f"we received the complaint{received_through}")
    ]
    if case.acknowledged_at is not None:
        waited = duration_text(case.acknowledged_at - case.received_at, long=True)
        dated.append((case.acknowledged_at, f"we acknowledged it, {waited} after receipt"))
    for sent in case.communications_for("customer"):
        dated.append((sent.at, f"we wrote to the customer by {channel_label(sent.channel)}"))
    for at, new_deadline in case.extensions:
        dated.append(
            (
                at,
                f"we extended the response deadline to {date_text(new_deadline)} and told the customer",
            )
        )
    milestones = {"identified": "we identified the cause", "monitoring": "we put a fix in place"}
    for move in case.status_moves:
        if move.to_status in milestones:
            dated.append((move.at, milestones[move.to_status]))
    dated += [(at, "we resolved the case") for at in case.resolutions]
    dated += [(at, "we reopened the case to do more for the customer") for at in case.reopens]
    if case.closed_at is not None and case.status == "closed":
        dated.append((case.closed_at, "we closed the case"))
    dated.sort(key=lambda pair: pair[0])
    return [f"{utc_text(at)}: {text[0].upper()}{text[1:]}." for at, text in dated]


def regulator_response(case: CaseFile, as_of: datetime) -> RegulatorResponse:
    ref = case.external_ref
    reference = [
        Fact("Complaint reference", ref or "not given"),
        Fact("Our reference", f"{case.reference} ({case.escalation_id})"),
        Fact("Received", utc_text(case.received_at)),
        Fact("Date of this response", date_text(as_of)),
        Fact("Case status", "open" if case.is_open else words(case.status)),
    ]
    if case.deadline is not None:
        regime = f" ({case.privacy_regime.upper()})" if case.privacy_regime else ""
        reference.append(Fact(f"Response due{regime}", utc_text(case.deadline)))
    statement = latest(case.communications_for("regulator"))
    if statement is not None:
        offered = []
    elif case.resolved_at is not None:
        offered = [
            f"The case was resolved on {date_text(case.resolved_at)}. "
            "[State the resolution offered: record a communication for the regulator audience.]"
        ]
    else:
        offered = [
            "The case is still open; we will confirm the resolution to you when it is complete. "
            "[State the resolution offered: record a communication for the regulator audience.]"
        ]
    return RegulatorResponse(
        header=header(case, "Formal complaint response", "regulator", as_of),
        addressee=ADDRESSEES.get(case.source, "The regulator"),
        subject=f"Response to complaint {ref}"
        if ref
        else f"Response regarding case {case.reference}",
        reference=reference,
        opening=(
            "Thank you for forwarding this complaint. We take every complaint seriously. Below we "
            "set out the facts of the case, the steps we took and the resolution we have offered "
            "the customer."
        ),
        facts=_regulator_facts(case),
        resolution_offered=offered,
        resolution_message=message(statement),
        closing=[
            "We remain committed to resolving this matter to the customer's satisfaction, and we "
            "will gladly provide any further information you need.",
            "Yours faithfully,",
            "Customer Experience Escalations",
        ],
    )
