"""What a delivered communication looks like: its ids, its subject, its text and its HTML.

The message is the communication as it was recorded (its own subject and body), not a stakeholder
update rendered from the case file: the communication is what the team decided to say to this
audience at that moment, and `Communicated` keeps it word for word, so what was sent is exactly what
the timeline and the post-mortem show as said. A rendered update would say what the case file holds
when the worker happens to run, which may already be more than the team chose to tell.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.delivery.channel import Outgoing
from adapters.mail.compose import html_page
from adapters.slack import blocks
from domain.distribution_list import MemberKind
from infra.delivery.rows import Due

WEBHOOK_EVENT_TYPE = "escalation.communication"

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


@dataclass(frozen=True)
class Facts:
    """What an endpoint's message says of the escalation besides the communication itself."""

    severity: str
    status: str
    at: datetime
    link: str | None


def webhook_payload(due: Due, facts: Facts) -> dict[str, Any]:
    """The Standard Webhooks envelope (`type`, `timestamp`, `data`) around the communication:
    what the team said to the audience, and where the escalation stands; no personal data."""
    return {
        "type": WEBHOOK_EVENT_TYPE,
        "timestamp": facts.at.isoformat(),
        "data": {
            "escalation_id": due.escalation_id,
            "communication_id": due.communication_id,
            "title": due.title,
            "severity": facts.severity,
            "status": facts.status,
            "audience": due.audience,
            "subject": due.subject,
            "body": due.body,
            "links": {"update": facts.link} if facts.link else {},
        },
    }


def endpoint_outgoing(due: Due, kind: MemberKind, facts: Facts, secret: str) -> Outgoing:
    """The message for a webhook or Slack member: the JSON to post, and for a webhook the
    secret to sign it with. The webhook id is the stored message id without its brackets:
    the same on every retry."""
    if kind is MemberKind.SLACK:
        payload = blocks.message(
            title=due.title, subject=due.subject, body=due.body, severity=facts.severity,
            status=facts.status, audience=AUDIENCE_NAMES.get(due.audience, due.audience),
            at=facts.at, link=facts.link,
        )  # fmt: skip
    else:
        payload = webhook_payload(due, facts)
    return Outgoing(
        key=due.key,
        recipient=due.address,
        message_id=due.message_id.strip("<>"),
        thread_id="",
        subject=due.subject or f"Update: {due.title}",
        text=due.body,
        html="",
        body=json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(),
        secret=secret,
    )
