"""Which representation to answer with: `?format=` first, then the Accept header by quality."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, cast

import mimeparse

from api.http.problems import ProblemError
from projections.documents.render import Format

ReportFormat = Literal["json", "html", "csv"]
"""What the queue and the reports answer as: JSON, an HTML page, or CSV for spreadsheets."""

_MEDIA_FORMATS: dict[str, str] = {
    "text/csv": "csv",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/json": "json",
}
_MEDIA_NAMES: dict[str, str] = {
    "csv": "text/csv",
    "md": "text/markdown",
    "html": "text/html",
    "json": "application/json",
}


def negotiate(
    accept: str | None,
    requested: str | None,
    default: Format,
    offered: Sequence[Format] = ("md", "html", "json"),
) -> Format:
    """`?format=` wins; else the Accept header by quality; `*/*` or no header gives `default`.
    Anything that names only formats not `offered` is a 406 problem saying what is."""
    return cast(Format, _negotiate(accept, requested, default, offered))


def negotiate_report(
    accept: str | None, requested: str | None, offered: Sequence[ReportFormat]
) -> ReportFormat:
    """As `negotiate`, for a report: JSON unless asked for another of `offered`."""
    return cast(ReportFormat, _negotiate(accept, requested, "json", offered))


def _negotiate(
    accept: str | None, requested: str | None, default: str, offered: Sequence[str]
) -> str:
    names = ", ".join(offered)
    if requested is not None:
        if requested in offered:
            return requested
        raise ProblemError("not-acceptable", f"format {requested!r} is not offered; use {names}")
    if accept is None or not accept.strip():
        return default
    # Ties in quality go to the later candidate: the default, then the offered order; another
    # name of a format loses to its usual name (application/* is JSON, not XHTML).
    preferred = [f for f in reversed(offered) if f != default] + [default]
    usual = [_MEDIA_NAMES[f] for f in preferred if f in offered]
    aliases = [m for m, f in _MEDIA_FORMATS.items() if f in offered and m not in usual]
    candidates = aliases + usual
    chosen = mimeparse.best_match(candidates, ",".join(_media_ranges(accept)))
    if chosen:
        return _MEDIA_FORMATS[chosen]
    media_offered = ", ".join(_MEDIA_NAMES[f] for f in offered)
    raise ProblemError(
        "not-acceptable",
        f"cannot answer Accept: {accept}; this is offered as {media_offered} (or ?format={names})",
    )


def _media_ranges(accept: str) -> list[str]:
    """The ranges of an Accept header the parser understands; a malformed one names nothing."""
    ranges = []
    for part in accept.lower().split(","):
        try:
            mimeparse.parse_media_range(part)
        except ValueError:
            continue
        ranges.append(part)
    return ranges
