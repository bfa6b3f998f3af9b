"""The formal response to a regulator: the Better Business Bureau for a complaint it forwarded, a
data-protection authority for a privacy request, or whichever regulator the team wrote to.

It exists only where a regulator is involved (`CaseFile.involves_regulator`); for any other
escalation asking for it is an error that says why. The letter is written to be sent as it
stands: a fact the team has not supplied yet is never printed as a placeholder inside the letter,
it goes into a separate checklist of what to complete before sending.

Lifecycle: replayed on read (live), from the case file (`fold.py`) of the events up to the moment
asked for; nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projections.documents.casefile import REGULATED_SOURCES, CaseFile
from projections.documents.common import Fact, Header, Message, header, latest, message
from projections.documents.formatting import (
    a_source,
    channel_label,
    date_text,
    duration_text,
    utc_text,
    words,
)

ADDRESSEES = {
    "bbb_complaint": "Better Business Bureau",
    "privacy_request": "Data Protection Authority",
}


class NoRegulator(LookupError):
    """Asked for the regulator's response of an escalation no regulator is involved in."""


@dataclass(frozen=True)
class RegulatorResponse:
    header: Header
    addressee: str
    subject: str
    reference: list[Fact]
    opening: str
    facts: list[str]
    resolution_heading: str
    resolution_offered: list[str]
    resolution_message: Message | None
    closing: list[str]
    checklist: list[str]
    """What the sender must still do or add before sending; never part of the letter."""


def no_regulator_reason(case: CaseFile) -> str:
    return (
        f"no regulator is involved in escalation {case.escalation_id}: it is "
        f"{a_source(case.source)} with no communication to the regulator audience. A regulator "
        "response exists for a Better Business Bureau complaint, a privacy request, or once a "
        "communication to the regulator audience is recorded"
    )


def _privacy(case: CaseFile) -> bool:
    return case.source == "privacy_request"


def _person(case: CaseFile) -> str:
    return "the data subject" if _privacy(case) else "the customer"


def _request_words(case: CaseFile, privacy_type: str | None) -> str:
    """`the GDPR erasure request`, `the complaint`."""
    if not _privacy(case):
        return "the complaint"
    regime = f"{case.privacy_regime.upper()} " if case.privacy_regime else ""
    kind = f"{words(privacy_type)} " if privacy_type else ""
    return f"the {regime}{kind}request"


def _dated_facts(case: CaseFile, privacy_type: str | None) -> list[str]:
    through = " through the Better Business Bureau" if case.source == "bbb_complaint" else ""
    person = _person(case)
    dated: list[tuple[datetime, str]] = [
        (case.received_at, f"we received {_request_words(case, privacy_type)}{through}")
    ]
    if case.acknowledged_at is not None:
        waited = duration_text(case.acknowledged_at - case.received_at, long=True)
        dated.append((case.acknowledged_at, f"we acknowledged it, {waited} after receipt"))
    for sent in case.communications_for("customer"):
        dated.append((sent.at, f"we wrote to {person} by {channel_label(sent.channel)}"))
    for at, new_deadline in case.extensions:
        dated.append(
            (
                at,
                f"we extended the response deadline to {date_text(new_deadline)} and told {person}",
            )
        )
    milestones = {"identified": "we identified the cause", "monitoring": "we put a fix in place"}
    if not _privacy(case):
        for move in case.status_moves:
            if move.to_status in milestones:
                dated.append((move.at, milestones[move.to_status]))
    if case.customer_erased_at is not None:
        dated.append((case.customer_erased_at, f"we erased the personal data of {person}"))
    completed = "we completed the request" if _privacy(case) else "we resolved the case"
    dated += [(at, completed) for at in case.resolutions]
    dated += [(at, f"we reopened the case to do more for {person}") for at in case.reopens]
    if case.status == "dismissed" and case.closed_at is not None:
        dated.append((case.closed_at, "we closed the case without further action"))
    if case.status == "closed" and case.closed_at is not None:
        dated.append((case.closed_at, "we closed the case"))
    dated.sort(key=lambda pair: pair[0])
    return [f"{utc_text(at)}: {text[0].upper()}{text[1:]}." for at, text in dated]


def _reference(case: CaseFile, as_of: datetime) -> list[Fact]:
    label = "Request reference" if _privacy(case) else "Complaint reference"
    facts = [
        Fact(label, case.external_ref or "not given"),
        Fact("Our reference", f"{case.reference} ({case.escalation_id})"),
        Fact("Received", utc_text(case.received_at)),
        Fact("Date of this response", date_text(as_of)),
        Fact("Case status", "open" if case.is_open else words(case.status)),
    ]
    if case.deadline is not None:
        regime = f" ({case.privacy_regime.upper()})" if case.privacy_regime else ""
        if case.extensions and case.statutory_deadline is not None:
            facts.append(Fact(f"Statutory deadline{regime}", utc_text(case.statutory_deadline)))
            facts.append(Fact("Extended deadline", utc_text(case.deadline)))
        else:
            facts.append(Fact(f"Response due{regime}", utc_text(case.deadline)))
    if _privacy(case) and (
        case.privacy_request_type == "erasure" or case.customer_erased_at is not None
    ):
        erased = utc_text(case.customer_erased_at) if case.customer_erased_at else "not yet"
        facts.append(Fact("Personal data erased", erased))
    return facts


def _outcome(case: CaseFile) -> str:
    if case.status == "dismissed":
        return f"We closed the case on {date_text(case.closed_at)} without further action."
    if case.resolved_at is not None:
        done = "completed the request" if _privacy(case) else "resolved the case"
        return f"We {done} on {date_text(case.resolved_at)}."
    if case.status == "closed":
        return f"We closed the case on {date_text(case.closed_at)}."
    return "The case is still open; we will confirm the outcome to you when it is complete."


def _checklist(
    case: CaseFile, statement: Message | None, privacy_type: str | None, as_of: datetime
) -> list[str]:
    todo = []
    if statement is None:
        todo.append(
            "State the resolution offered: record a communication to the regulator audience "
            f"(POST /escalations/{case.escalation_id}/communications)."
        )
    if not case.external_ref and case.source in REGULATED_SOURCES:
        todo.append(
            f"Add the {'request' if _privacy(case) else 'complaint'} reference the regulator "
            "gave: none was recorded when the escalation was opened."
        )
    if _privacy(case) and privacy_type == "erasure" and case.customer_erased_at is None:
        todo.append(
            "Erase the data subject's personal data (POST /subjects/{subject}/erasure) "
            "before confirming that the request is complete."
        )
    if case.deadline is not None and case.is_open and case.deadline < as_of:
        todo.append(
            f"Explain the delay: the response was due {utc_text(case.deadline)} and the case "
            "is still open."
        )
    return todo


def _opening(case: CaseFile, privacy_type: str | None) -> str:
    if case.source == "bbb_complaint":
        return (
            "Thank you for forwarding this complaint. We take every complaint seriously. Below we "
            "set out the facts of the case, the steps we took and the resolution we have offered "
            "the customer."
        )
    if _privacy(case):
        return (
            f"This letter sets out how we handled {_request_words(case, privacy_type)} the data "
            "subject made to us: when we received it, the statutory deadline that applies, the "
            "steps we took and when, and the outcome."
        )
    return (
        "Thank you for your enquiry about this case. Below we set out the facts of the case, the "
        "steps we took and the outcome."
    )


def regulator_response(case: CaseFile, as_of: datetime) -> RegulatorResponse:
    if not case.involves_regulator:
        raise NoRegulator(no_regulator_reason(case))
    ref = case.external_ref
    privacy_type = case.privacy_request_type
    statement = message(latest(case.communications_for("regulator")))
    what = "request" if _privacy(case) else "complaint"
    return RegulatorResponse(
        header=header(case, "Formal response to the regulator", "regulator", as_of),
        addressee=ADDRESSEES.get(case.source, "The regulator"),
        subject=f"Response to {what} {ref}" if ref else f"Response regarding case {case.reference}",
        reference=_reference(case, as_of),
        opening=_opening(case, privacy_type),
        facts=_dated_facts(case, privacy_type),
        resolution_heading="Outcome" if _privacy(case) else "Resolution offered",
        resolution_offered=[_outcome(case)],
        resolution_message=statement,
        closing=[
            "We will gladly provide any further information you need about how we handled this "
            "request."
            if _privacy(case)
            else "We remain committed to resolving this matter to the customer's satisfaction, "
            "and we will gladly provide any further information you need.",
            "Yours faithfully,",
            "Customer Experience Escalations",
        ],
        checklist=_checklist(case, statement, privacy_type, as_of),
    )
