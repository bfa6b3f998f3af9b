"""The endpoint channel: webhooks (JSON signed the Standard Webhooks way) and Slack incoming
webhooks (Block Kit, unsigned) over one HTTP client per batch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from adapters.delivery.channel import Outgoing
from adapters.webhooks import signing
from adapters.webhooks.http import EndpointChannel


def endpoint_channel(
    *,
    url_of: Callable[[str], str],
    allow_private: bool,
    timeout_s: float,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> EndpointChannel:
    def sign(message: Outgoing) -> dict[str, str]:
        if not message.secret:  # a Slack message: Slack authenticates by its URL alone
            return {}
        # The id is the message's own (stable per communication and recipient, so a retry is
        # recognisable); the timestamp is the attempt's, as receivers check it for freshness.
        return signing.headers(
            message.secret, message.message_id, int(now().timestamp()), message.body
        )

    return EndpointChannel(
        "endpoints", url_of=url_of, extra_headers=sign, allow_private=allow_private,
        timeout_s=timeout_s,
    )  # fmt: skip
