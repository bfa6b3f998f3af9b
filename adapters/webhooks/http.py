"""Posting to endpoints over HTTP: one `httpx.Client` per batch, short timeouts, no redirects
followed, the address re-checked before every post. What an answer means:

- 2xx: sent;
- 408 and 429, 5xx, a timeout, a refused or lost connection: a temporary failure, retried on the
  worker's schedule;
- any other answer (4xx, and 3xx since redirects are not followed), or an address that may not
  be called: failed for good.

An endpoint's trouble is its own: it never makes the channel unavailable for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import httpx

from adapters.delivery.channel import Outcome, Outgoing
from adapters.webhooks.ssrf import EndpointRefused, check_endpoint

RETRIED_STATUSES = frozenset({408, 429})
USER_AGENT = "escalations-delivery/1"


class EndpointChannel:
    """Posts each message's `body` to its recipient URL; `extra_headers` adds per-message
    headers (the signature of a webhook)."""

    def __init__(
        self,
        name: str,
        *,
        url_of: Callable[[str], str],
        extra_headers: Callable[[Outgoing], dict[str, str]],
        allow_private: bool,
        timeout_s: float,
    ) -> None:
        self.name = name
        self.url_of = url_of
        self.extra_headers = extra_headers
        self.allow_private = allow_private
        self.timeout_s = timeout_s

    def send(self, messages: Sequence[Outgoing]) -> list[Outcome]:
        timeout = httpx.Timeout(self.timeout_s, connect=min(self.timeout_s, 5.0))
        with httpx.Client(
            timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        ) as client:
            return [self._post(client, message) for message in messages]

    def _post(self, client: httpx.Client, message: Outgoing) -> Outcome:
        url = self.url_of(message.recipient)
        try:
            check_endpoint(url, allow_private=self.allow_private, timeout_s=self.timeout_s)
        except EndpointRefused as refused:
            return Outcome(message.key, sent=False, permanent=True,
                           reason="address not allowed", detail=str(refused))  # fmt: skip
        headers = {"Content-Type": "application/json", **self.extra_headers(message)}
        try:
            answer = client.post(url, content=message.body, headers=headers)
        except httpx.TimeoutException:
            return Outcome(message.key, sent=False, reason="timeout", detail="no answer in time")
        except httpx.ConnectError as error:
            return Outcome(message.key, sent=False, reason="connection failed", detail=str(error))
        except httpx.TransportError as error:
            return Outcome(message.key, sent=False, reason="connection lost", detail=str(error))
        status = answer.status_code
        if 200 <= status < 300:
            return Outcome(message.key, sent=True)
        detail = f"HTTP {status}: {answer.text[:200]}"
        permanent = status < 500 and status not in RETRIED_STATUSES
        return Outcome(message.key, sent=False, permanent=permanent, reason=f"HTTP {status}",
                       detail=detail)  # fmt: skip

    def close(self) -> None:
        """Nothing stays open between batches."""
