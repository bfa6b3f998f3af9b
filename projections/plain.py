"""Values as JSON-ready data, the one conversion the API's event records and the documents' JSON
share: dataclasses as objects, moments as RFC 3339 UTC with a Z, ids and decimals as text."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.moments import utc_text


def to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value
