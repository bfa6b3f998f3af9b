"""How a moment is written as text. Every moment is timezone-aware UTC; these are the two forms
the product writes, stated once."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, microseconds only when there are any: what APIs, feeds,
    CloudEvents and documents show (`2026-11-25T18:32:15Z`)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a moment must be timezone-aware, not naive: {moment!r}")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def sortable_utc_text(moment: datetime) -> str:
    """Fixed-width ISO 8601 in UTC with microseconds always, so that text order is time order:
    what views store and index (`2026-11-25T18:32:15.000000Z`)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a moment must be timezone-aware, not naive: {moment!r}")
    m = moment.astimezone(UTC) if moment.utcoffset() else moment
    # Formatted by hand: strftime is the slowest step of a rebuild after JSON decoding.
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:"
        f"{m.second:02d}.{m.microsecond:06d}Z"
    )


def display_utc_text(moment: datetime) -> str:
    """For people reading a document: minutes, in UTC, said so (`2026-11-25 18:32 UTC`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
