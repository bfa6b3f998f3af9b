"""Render document views as Markdown, HTML (autoescaped) or JSON.

Templates are data: one per document and format, `<name>.md.j2` or `<name>.html.j2`. A
deployment can replace any of them by putting a file of the same name in its override
directory, which is searched before the built-in templates (HTML overrides can still extend the
built-in `_layout.html.j2`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from projections.templating import template_environment

Format = Literal["md", "html", "json"]
MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}


class DocumentRenderer:
    """The document flavours of `template_environment` over the override directory (if any)."""

    def __init__(self, override_dir: Path | None = None) -> None:
        self.override_dir = override_dir
        self._environments = {
            fmt: template_environment(override_dir, fmt) for fmt in ("md", "html")
        }

    def render(self, name: str, fmt: Format, view: Any) -> str:
        """Render `view` with `<name>.<fmt>.j2`; JSON needs no template."""
        if fmt == "json":
            raise ValueError("JSON is not templated; use to_plain(view)")
        template = self._environments[fmt].get_template(f"{name}.{fmt}.j2")
        text = template.render(view=view, h=view.header)
        if fmt == "md":
            text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
        return text
