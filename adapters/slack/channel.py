"""The Slack channel: a Block Kit message posted to an incoming webhook. Slack answers 200 `ok`;
a 4xx (`invalid_payload`, `no_service`, ...) fails for good, 429 and 5xx are retried (the shared
rules of `adapters/webhooks/http.py`)."""

from __future__ import annotations

from collections.abc import Callable

from adapters.webhooks.http import EndpointChannel


def slack_channel(
    *, url_of: Callable[[str], str], allow_private: bool, timeout_s: float
) -> EndpointChannel:
    return EndpointChannel(
        "slack", url_of=url_of, extra_headers=lambda message: {}, allow_private=allow_private,
        timeout_s=timeout_s,
    )  # fmt: skip
