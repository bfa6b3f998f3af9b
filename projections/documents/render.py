"""Render document views as Markdown, HTML (autoescaped) or JSON.

Templates are data: one per document and format, `<name>.md.j2` or `<name>.html.j2`. A
deployment can replace any of them by putting a file of the same name in its override
directory, which is searched before the built-in templates (HTML overrides can still extend the
built-in `_layout.html.j2`).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.loaders import BaseLoader

from domain.moments import utc_text as rfc3339_text
from projections.documents.formatting import (
    audience_label,
    channel_label,
    count_text,
    date_text,
    duration_text,
    status_label,
    utc_text,
    words,
)

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"

Format = Literal["md", "html", "json"]
MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}


def _markdown_safe(value: Any) -> Any:
    """Typed text reaches Markdown verbatim except for `<`, so that a Markdown viewer that
    allows raw HTML cannot be made to run a `<script>` someone typed into an update."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("<", "&lt;")
    return value


def _blank_none(value: Any) -> Any:
    return "" if value is None else value


def _quote(text: str) -> str:
    """A Markdown block quote of typed text, every line of it."""
    return "\n".join(f"> {line}".rstrip() for line in str(text).splitlines())


class DocumentRenderer:
    """Jinja2 environments over the override directory (if any) and the built-in templates."""

    def __init__(self, override_dir: Path | None = None) -> None:
        loaders: list[BaseLoader] = []
        if override_dir is not None:
            loaders.append(FileSystemLoader(str(override_dir)))
        loaders.append(FileSystemLoader(str(BUILTIN_TEMPLATES)))
        loader = ChoiceLoader(loaders)
        # Escaping follows the template's name, so an HTML template is always autoescaped
        # whichever environment loads it; Markdown is made safe by `_markdown_safe` instead.
        self.override_dir = override_dir
        self._environments = {
            "md": Environment(
                loader=loader,
                autoescape=select_autoescape(("html.j2", "html"), default_for_string=False),
                undefined=StrictUndefined,
                finalize=_markdown_safe,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=True,
            ),
            "html": Environment(
                loader=loader,
                autoescape=select_autoescape(("html.j2", "html"), default_for_string=False),
                undefined=StrictUndefined,
                finalize=_blank_none,
                trim_blocks=True,
                lstrip_blocks=True,
            ),
        }
        for environment in self._environments.values():
            environment.filters.update(
                utc=utc_text,
                date=date_text,
                duration=duration_text,
                count=count_text,
                words=words,
                status=status_label,
                channel=channel_label,
                audience=audience_label,
            )
        self._environments["md"].filters["quote"] = _quote

    def render(self, name: str, fmt: Format, view: Any) -> str:
        """Render `view` with `<name>.<fmt>.j2`; JSON needs no template."""
        if fmt == "json":
            raise ValueError("JSON is not templated; use to_plain(view)")
        template = self._environments[fmt].get_template(f"{name}.{fmt}.j2")
        text = template.render(view=view, h=view.header)
        if fmt == "md":
            text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
        return text


def to_plain(value: Any) -> Any:
    """A view as JSON-ready data: dataclasses as objects, times as RFC 3339 UTC with a Z."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return rfc3339_text(value)
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value
