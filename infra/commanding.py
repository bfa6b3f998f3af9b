"""What a command can run into beyond its domain rules, and how a request names itself for
idempotency: shared by the application and the services that run commands through it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

IDEMPOTENCY_NAMESPACE = uuid5(NAMESPACE_URL, "urn:escalations:idempotency")


class EscalationNotFound(LookupError):
    def __init__(self, escalation_id: UUID | str, detail: str | None = None) -> None:
        self.escalation_id = str(escalation_id)
        super().__init__(detail or f"no escalation with id {escalation_id}")


class StaleVersion(Exception):
    """If-Match named a version that is no longer current; nothing was written."""

    def __init__(self, escalation_id: UUID, expected: int, current: int) -> None:
        self.escalation_id = escalation_id
        self.expected = expected
        self.current = current
        super().__init__(
            f"If-Match names version {expected} but escalation {escalation_id} is at version "
            f"{current}; read it again and retry with If-Match: {current}"
        )


class WriteConflict(Exception):
    """Other writers kept winning the race for this escalation; nothing was written."""


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was used before for a different request."""


@dataclass(frozen=True)
class Idempotency:
    """A caller's Idempotency-Key and a fingerprint of the request it was sent with.

    A key belongs to its caller, as a payment provider scopes keys per account: the record's id
    is derived from the caller and the key together, so two callers who derive the same key (from
    one CRM case id, say) each get their own command applied once, and neither can learn from a
    422 that the other used it. Release 0.1 derived the id from the bare key; those records stay
    in the store, and no lookup reaches them any more.
    """

    key: str
    fingerprint: str
    caller: str

    @staticmethod
    def for_request(key: str, scope: str, payload: Any, *, caller: str) -> Idempotency:
        canonical = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
        digest = hashlib.sha256(f"{scope}\n{canonical}".encode()).hexdigest()
        return Idempotency(key=key, fingerprint=digest, caller=caller)

    @property
    def record_id(self) -> UUID:
        # The caller's length first, so that no two (caller, key) pairs share a name.
        return uuid5(IDEMPOTENCY_NAMESPACE, f"{len(self.caller)}:{self.caller}:{self.key}")
