"""The one Jinja2 environment factory of every rendered page and document.

One loader serves all templates: a deployment's override directory first, then the packaged
status-page and report templates (`projections/templates`: status/..., reports/...) and the packaged
document templates (`projections/documents/templates`: customer.md.j2, ...). The caller passes the
override directory; nothing here reads the environment or the settings.

Three flavours, because their escaping and blank handling differ:
- `page`: the status page, its feed and the trend report; everything autoescaped (Atom too);
- `html`: documents as HTML; autoescaped by file name, a None prints as nothing;
- `md`: documents as Markdown; every value printed is Markdown-escaped (see `markdown_safe`), so
  text someone typed reads as the characters typed: never a link, an image, a heading or HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from projections.documents.formatting import (
    audience_label,
    channel_label,
    count_text,
    date_text,
    duration_text,
    plural,
    status_label,
    utc_text,
    words,
)
from projections.status.page import iso_z

PAGE_TEMPLATES = Path(__file__).parent / "templates"
DOCUMENT_TEMPLATES = Path(__file__).parent / "documents" / "templates"

Flavour = Literal["page", "html", "md"]


# Inline syntax: emphasis, code, links and images (`[`, `](`), tables, strikethrough, and `<`,
# which a viewer that allows raw HTML would otherwise run. `>` and `(` only mean something after
# a line start or a `]`, so prose keeps them as typed.
_INLINE = re.compile(r"([\\`*_\[\]|~])")
_LINK_TARGET = re.compile(r"(\\\])\(")
# What makes a line a heading, a quote, a list item, a rule or a code fence when it starts one.
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def markdown_escaped(text: str) -> str:
    """`text` as Markdown that renders as exactly these characters."""
    text = _INLINE.sub(r"\\\1", text).replace("<", "&lt;")
    text = _LINK_TARGET.sub(r"\1\\(", text)
    return _LINE_START.sub(lambda m: f"{m.group(1)}{_escape_marker(m.group(2))}", text)


def _escape_marker(marker: str) -> str:
    return f"{marker[:-1]}\\{marker[-1]}" if marker[0].isdigit() else f"\\{marker}"


def markdown_safe(value: Any) -> Any:
    """Every value a Markdown template prints, unless a filter here already made it Markdown
    (`Markup`, as `quote` returns): escaped, so an override template is as safe as ours."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, str):
        return markdown_escaped(value)
    return value


def blank_none(value: Any) -> Any:
    return "" if value is None else value


def quote(text: str) -> Markup:
    """A Markdown block quote of typed text, every line of it, escaped (Markup: it is Markdown
    now, and `markdown_safe` leaves it as it is)."""
    lines = markdown_escaped(str(text)).splitlines()
    return Markup("\n".join(f"> {line}".rstrip() for line in lines))  # noqa: S704 - escaped above


def html_datetime(moment: datetime) -> str:
    """A moment as an HTML `datetime` attribute: UTC with a `Z`, and at most milliseconds, which
    is all HTML allows (`isoformat()` writes microseconds and `+00:00`)."""
    utc = moment.astimezone(UTC)
    return utc.isoformat(timespec="milliseconds" if utc.microsecond else "seconds").replace(
        "+00:00", "Z"
    )


def template_loader(override_dir: str | Path | None = None) -> FileSystemLoader:
    """The override directory (if any) first, then the packaged templates."""
    paths = [PAGE_TEMPLATES, DOCUMENT_TEMPLATES]
    if override_dir:
        paths.insert(0, Path(override_dir))
    return FileSystemLoader([str(p) for p in paths])


_FINALIZE: dict[str, Callable[[Any], Any] | None] = {
    "page": None,
    "html": blank_none,
    "md": markdown_safe,
}


def template_environment(
    override_dir: str | Path | None = None, flavour: Flavour = "page"
) -> Environment:
    """The environment of `flavour` over `override_dir` and the packaged templates (cached)."""
    return _environment(str(override_dir) if override_dir else "", flavour)


@lru_cache(maxsize=16)
def _environment(override_dir: str, flavour: Flavour) -> Environment:
    # Document escaping follows the template's name, so an HTML template is always autoescaped
    # whichever environment loads it; Markdown is made safe by `markdown_safe` instead.
    page = flavour == "page"  # pages escape every template, the Atom feed too
    options: dict[str, Any] = {"keep_trailing_newline": True} if flavour == "md" else {}
    finalize = _FINALIZE[flavour]
    if finalize is not None:
        options["finalize"] = finalize
    env = Environment(
        loader=template_loader(override_dir),
        autoescape=select_autoescape(("html.j2", "html"), default_for_string=page, default=page),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        **options,
    )
    env.globals["iso"] = iso_z
    env.filters.update(
        utc=utc_text,
        date=date_text,
        duration=duration_text,
        count=count_text,
        plural=plural,
        words=words,
        status=status_label,
        channel=channel_label,
        audience=audience_label,
        quote=quote,
        html_datetime=html_datetime,
    )
    return env
