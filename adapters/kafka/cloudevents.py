"""Stored escalation events as CloudEvents 1.0 documents (structured mode, JSON).

The input is an event record as the core serialises it for the outside world:
`{"type", "escalation_id", "version", "timestamp", "actor", "data"}`. Customer personal data never
leaves in a published payload: every `customer` object is reduced to its `subject_id`, so that a
later erasure (crypto-shredding in the store) needs nothing from the consumers of the topic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.moments import utc_text

SPEC_VERSION = "1.0"
EVENT_TYPE_PREFIX = "escalations.escalation."
DEFAULT_SOURCE = "urn:escalations"
VERSION_EXTENSION = "escalationversion"

# The Kafka protocol binding's structured mode: the whole event is the value, and the message
# says so in its `content-type` header; without it a consumer must guess the mode.
STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
STRUCTURED_HEADERS: list[tuple[str, bytes]] = [("content-type", STRUCTURED_CONTENT_TYPE.encode())]

# Keys whose values describe a data subject. Only the subject id may travel.
CUSTOMER_KEYS = frozenset({"customer", "customers", "requester", "data_subject"})


def event_type(record_type: str, type_version: int = 1) -> str:
    """The versioned CloudEvents type of an escalation event, e.g. `...Opened.v1`."""
    return f"{EVENT_TYPE_PREFIX}{record_type}.v{type_version}"


def event_id(escalation_id: str, version: int) -> str:
    """Stable across re-publication, so consumers can deduplicate on it."""
    return f"{escalation_id}:{version}"


def strip_personal_data(value: Any) -> Any:
    """A copy of `value` where every customer object keeps only its `subject_id`."""
    if isinstance(value, Mapping):
        return {
            key: (_subject_only(item) if key in CUSTOMER_KEYS else strip_personal_data(item))
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [strip_personal_data(item) for item in value]
    return value


def _subject_only(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {"subject_id": _as_subject_id(value.get("subject_id"))}
    if isinstance(value, list | tuple):
        return [_subject_only(item) for item in value]
    # A bare string or number under a customer key could be anything (a name, an address):
    # nothing but a recognisable subject id object is let through.
    return None


def _as_subject_id(value: Any) -> str | None:
    return None if value is None else str(value)


def rfc3339(timestamp: datetime | str) -> str:
    """RFC 3339 in UTC; naive datetimes are refused rather than guessed."""
    moment = datetime.fromisoformat(timestamp) if isinstance(timestamp, str) else timestamp
    return utc_text(moment)


def to_cloudevent(
    record: Mapping[str, Any],
    *,
    source: str = DEFAULT_SOURCE,
    type_version: int = 1,
) -> dict[str, Any]:
    escalation_id = str(record["escalation_id"])
    version = int(record["version"])
    return {
        "specversion": SPEC_VERSION,
        "id": event_id(escalation_id, version),
        "source": source,
        "type": event_type(str(record["type"]), type_version),
        "subject": escalation_id,
        "time": rfc3339(record["timestamp"]),
        "datacontenttype": "application/json",
        VERSION_EXTENSION: version,
        "data": {
            "escalation_id": escalation_id,
            "version": version,
            "actor": str(record["actor"]),
            "event": strip_personal_data(record.get("data") or {}),
        },
    }


def encode(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=str).encode()
