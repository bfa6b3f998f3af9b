"""A communication as a Slack Block Kit message: a header with the escalation's title, a section
with the update, fields for severity, status and audience, a context with the time, and a button
to the escalation's update page. Texts are cut to Slack's limits (a longer one makes Slack refuse
the whole message), and `text` is the fallback notifications and old clients show."""

from __future__ import annotations

from datetime import datetime
from typing import Any

HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
BUTTON_TEXT_MAX = 75
URL_MAX = 3000
FALLBACK_MAX = 3000


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mrkdwn(text: str) -> str:
    """Slack reads &, < and > as markup: escaped, the team's words show as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(
    *,
    title: str,
    subject: str,
    body: str,
    severity: str,
    status: str,
    audience: str,
    at: datetime,
    link: str | None,
) -> dict[str, Any]:
    update = f"*{_mrkdwn(subject)}*\n{_mrkdwn(body)}" if subject else _mrkdwn(body)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(title, HEADER_MAX)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _cut(update, SECTION_MAX)}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": _cut(f"*Severity*\n{_mrkdwn(severity)}", FIELD_MAX)},
                {"type": "mrkdwn", "text": _cut(f"*Status*\n{_mrkdwn(status)}", FIELD_MAX)},
                {"type": "mrkdwn", "text": _cut(f"*Audience*\n{_mrkdwn(audience)}", FIELD_MAX)},
            ],
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"Update of {at.strftime('%Y-%m-%d %H:%M UTC')}"}
            ],
        },
    ]
    if link and len(link) <= URL_MAX:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open the update"},
                        "url": link,
                        "action_id": "open-update",
                    }
                ],
            }
        )
    fallback = _cut(f"{title}: {subject or body}", FALLBACK_MAX)
    return {"text": fallback, "blocks": blocks}
