"""Which representation to answer with: `?format=` first, then the Accept header by quality."""

from __future__ import annotations

from collections.abc import Sequence

from api.http.problems import ProblemError
from projections.documents.render import Format

_MEDIA_FORMATS: dict[str, Format] = {
    "text/markdown": "md",
    "text/x-markdown": "md",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/json": "json",
}
_MEDIA_NAMES: dict[Format, str] = {
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
    names = ", ".join(offered)
    if requested is not None:
        if requested in offered:
            return requested  # type: ignore[return-value]
        raise ProblemError("not-acceptable", f"format {requested!r} is not offered; use {names}")
    if accept is None or not accept.strip():
        return default
    ranges: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranges.append((-quality, index, media.lower()))
    text_formats = [f for f in offered if f != "json"]
    for _, _, media in sorted(ranges):
        chosen = _MEDIA_FORMATS.get(media)
        if chosen in offered:
            return chosen  # type: ignore[return-value]
        if media == "*/*":
            return default
        if media == "text/*" and text_formats:
            return default if default in text_formats else text_formats[0]
        if media == "application/*" and "json" in offered:
            return "json"
    media_offered = ", ".join(_MEDIA_NAMES[f] for f in offered)
    raise ProblemError(
        "not-acceptable",
        f"cannot answer Accept: {accept}; this is offered as {media_offered} (or ?format={names})",
    )
