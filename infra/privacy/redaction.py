"""Contact details for readers allowed to see them, a redaction marker for everyone else.

Only the `customer` field of an event or of the state holds personal data (the sealed fields of
`domain/validation.py`), so redacting it there redacts every document replayed from the events:
a reader without the permission gets the same shapes, with the subject id and `REDACTED` in
place of each contact detail.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from domain.validation import redacted_customer


def redacted_event(event: Any) -> Any:
    """The event, or a copy of it whose customer carries no contact details."""
    customer = getattr(event, "customer", None)
    if not isinstance(customer, dict):
        return event
    clone = copy.copy(event)
    # Events are frozen; the copy is this reader's own, never saved or shared.
    object.__setattr__(clone, "customer", redacted_customer(customer))
    return clone


def redacted_events(events: Iterable[Any]) -> list[Any]:
    return [redacted_event(event) for event in events]
