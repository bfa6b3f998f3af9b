"""One stakeholder update as an e-mail: multipart/alternative, plain text first, then HTML.

The headers that make it recognisable and threaded:
- `Message-ID` is given by the worker, stable per (communication, recipient), so a message sent
  again after a crash is the same message to every filter and archive;
- `In-Reply-To` and `References` name the escalation's root id, so a mail client shows one
  escalation's updates as one conversation;
- `Auto-Submitted: auto-generated` (RFC 3834) keeps out-of-office replies from answering it.
"""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from adapters.delivery.channel import Outgoing


def compose(message: Outgoing, sender: str) -> bytes:
    """The whole message for its recipient, as sent."""
    return addressed(shared_part(message, sender), message)


def shared_part(message: Outgoing, sender: str) -> bytes:
    """Everything but `To` and `Message-ID`, which are the same for every recipient of one
    communication: built and encoded once per batch instead of once per recipient, which was
    most of the time a message took."""
    mail = EmailMessage(policy=SMTP)
    mail["From"] = sender
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(usegmt=True)
    mail["In-Reply-To"] = message.thread_id
    mail["References"] = message.thread_id
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail.as_bytes()


def addressed(shared: bytes, message: Outgoing) -> bytes:
    """The two per-recipient headers in front of the shared part. Both are plain ASCII: an
    address is checked to be a dot-atom at an ASCII host name before it is ever stored, and the
    id is made of hex digits, ids and that host name."""
    headers = f"To: {message.recipient}\r\nMessage-ID: {message.message_id}\r\n"
    return headers.encode("ascii") + shared


def html_page(title: str, body: str, footer: str) -> str:
    """The text as HTML: every character escaped, blank lines as paragraph breaks."""
    paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    rendered = "\n".join(
        "<p>" + html.escape(p).replace("\n", "<br>\n") + "</p>" for p in paragraphs
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n"
        f'<body style="font-family: sans-serif; line-height: 1.5">\n{rendered}\n'
        f'<hr><p style="color: #555; font-size: 0.85em">{html.escape(footer)}</p>\n'
        "</body></html>\n"
    )
