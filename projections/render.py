"""Rendering the status page, its feed and the trend report from plain view objects (Jinja2).

Autoescape is on for every template (HTML and Atom alike): text written by people reaches these pages
only as escaped text. A deployment may override any template from its own directory (passed in as
`templates`; the environment comes from `projections.templating`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from projections.cases.reports import trend_svg
from projections.sla import duration_words
from projections.status.page import StatusPage
from projections.templating import template_environment

TREND_SECTIONS = [
    ("categories", "Categories (tags)"),
    ("components", "Components"),
    ("root_causes", "Root causes"),
    ("sources", "Sources"),
]


def environment(override_dir: str = "") -> Environment:
    """The page environment (kept for callers of this name): see `template_environment`."""
    return template_environment(override_dir, "page")


def _context(page: StatusPage, base: str, position: int, **extra: Any) -> dict[str, Any]:
    return {
        "page": page,
        "base": base.rstrip("/"),
        "position": position,
        "history_days": extra.pop("history_days", 14),
        "uptime_days": extra.pop("uptime_days", 90),
        "as_of": extra.pop("as_of", False),
        **extra,
    }


def _page(
    template: str, page: StatusPage, base: str, position: int, templates: str, kw: dict[str, Any]
) -> str:
    context = _context(page, base, position, **kw)
    return environment(templates).get_template(template).render(context)


def status_html(
    page: StatusPage, *, base: str, position: int, templates: str = "", **kw: Any
) -> str:
    return _page("status/page.html.j2", page, base, position, templates, kw)


def status_body(
    page: StatusPage, *, base: str, position: int, templates: str = "", **kw: Any
) -> str:
    """The live part of the page, sent over server-sent events to replace it in place."""
    return _page("status/body.html.j2", page, base, position, templates, kw)


def status_feed(page: StatusPage, *, base: str, templates: str = "") -> str:
    incidents = page.incidents + page.history
    entries = sorted(
        ((i, u) for i in incidents for u in i.updates), key=lambda pair: pair[1]["at"], reverse=True
    )
    return (
        environment(templates)
        .get_template("status/feed.atom.j2")
        .render(page=page, base=base.rstrip("/"), entries=entries)
    )


def trends_html(report: dict[str, Any], templates: str = "") -> str:
    chart = Markup(trend_svg(report))  # noqa: S704 - trend_svg escapes every label it writes
    template = environment(templates).get_template("reports/trends.html.j2")
    return template.render(report=report, chart=chart, sections=TREND_SECTIONS)


def metrics_html(report: dict[str, Any], templates: str = "") -> str:
    handle = report["handle_time"]
    rows = [("All", handle)]
    rows += [(f"Source {k}", v) for k, v in handle["by_source"].items()]
    rows += [(f"Severity {k}", v) for k, v in handle["by_severity"].items()]
    template = environment(templates).get_template("reports/metrics.html.j2")
    return template.render(report=report, handle_rows=rows, duration=_duration)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "none"
    return duration_words(timedelta(seconds=seconds))
