"""What a delivered communication looks like: its ids, its subject, its text and its HTML.

The message is the communication as it was recorded (its own subject and body), not a stakeholder
update rendered from the case file: the communication is what the team decided to say to this
audience at that moment, and `Communicated` keeps it word for word, so what was sent is exactly what
the timeline and the post-mortem show as said. A rendered update would say what the case file holds
when the worker happens to run, which may already be more than the team chose to tell.
"""

from __future__ import annotations

import hashlib

from adapters.delivery.channel import Outgoing
from adapters.mail.compose import html_page
from infra.delivery.rows import Due

AUDIENCE_NAMES = {
    "executive": "executive",
    "sales_cs": "sales and customer success",
    "internal": "internal",
    "regulator": "regulator",
    "customer": "customer",
    "public": "public",
}


def message_id(escalation_id: str, communication_id: str, address: str, domain: str) -> str:
    """Stable per (communication, recipient); the address enters only as part of a digest, so
    the id names no one."""
    digest = hashlib.sha256(
        f"{escalation_id}\n{communication_id}\n{address.lower()}".encode()
    ).hexdigest()[:24]
    return f"<{communication_id}.{escalation_id}.{digest}@{domain}>"


def thread_id(escalation_id: str, domain: str) -> str:
    """The root every message of one escalation replies to, so they thread together."""
    return f"<escalation.{escalation_id}@{domain}>"


def outgoing(due: Due, domain: str) -> Outgoing:
    subject = due.subject or f"Update: {due.title}"
    audience = AUDIENCE_NAMES.get(due.audience, due.audience)
    footer = (
        f"You receive this update on the escalation “{due.title}” because you are on a "
        f"{audience} distribution list."
    )
    return Outgoing(
        key=due.key,
        recipient=due.address,
        message_id=due.message_id,
        thread_id=thread_id(due.escalation_id, domain),
        subject=subject,
        text=f"{due.body}\n\n-- \n{footer}\n",
        html=html_page(subject, due.body, footer),
    )
