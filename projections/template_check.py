"""Template overrides are checked when the process starts, not by their first reader: every file
in the override directory must compile, and every template it replaces must render a sample of
what it will be given (a sample escalation, resolved with a post-mortem, and a status page), so
a syntax error or an undefined name stops `serve` with the file and the error named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from domain.escalation import Escalation
from projections import render
from projections.documents.render import DocumentRenderer
from projections.documents.views import AUDIENCES, postmortem_view, timeline_view, update_view
from projections.status.page import StatusPage
from projections.status.postmortem import PublicPostmortem, postmortem_html
from projections.templating import template_environment


class BrokenTemplate(ValueError):
    """An override that does not compile or render; the message names the file and the line."""


def _sample_events() -> list[Any]:
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    moments = (start + timedelta(minutes=n) for n in range(1, 100))
    who: dict[str, Any] = {"actor": "sample"}
    case = Escalation.open(
        **who, at=start, title="Sample outage", scope="global", source="tools_outage",
        severity="SEV2", description="A sample escalation to check templates against.",
        components=["Sync"], tags=["sample"],
    )  # fmt: skip
    case.acknowledge(**who, at=next(moments))
    case.add_note(**who, at=next(moments), text="Looking into it.")
    for audience in ("customer", "executive", "sales_cs", "regulator", "internal", "public"):
        at = next(moments)
        case.communicate(
            **who, at=at, audience=audience, channel="email", subject="Update",
            body="We are on it.", next_update_due=at + timedelta(hours=2),
        )  # fmt: skip
    case.resolve(**who, at=next(moments), summary="Fixed.")
    case.record_postmortem(
        **who, at=next(moments), summary="It broke.", root_cause="A bug.", five_whys=["Why?"]
    )
    return list(case.collect_events())


def _renders(override_dir: Path) -> dict[str, Any]:
    """Per template name, how to render the sample with it (the names a deployment may replace)."""
    events = _sample_events()
    now = events[-1].timestamp + timedelta(minutes=1)
    documents = DocumentRenderer(override_dir)
    views: dict[str, Any] = {name: update_view(name, events, now=now) for name in AUDIENCES}
    views["postmortem"] = postmortem_view(events, now=now)
    views["timeline"] = timeline_view(events, now=now)
    page = StatusPage(
        at=now, page_id="sample", page_name="Sample", url="", indicator="none",
        description="All systems operational", components=[], incidents=[], history=[],
        updated_at=now,
    )  # fmt: skip
    templates = str(override_dir)
    checks: dict[str, Any] = {
        f"{name}.{fmt}.j2": (lambda n=name, f=fmt: documents.render(n, f, views[n]))
        for name in views
        for fmt in ("md", "html")
    }
    checks["status/page.html.j2"] = lambda: render.status_html(
        page, base="", position=0, templates=templates
    )
    checks["status/body.html.j2"] = lambda: render.status_body(
        page, base="", position=0, templates=templates
    )
    checks["status/feed.atom.j2"] = lambda: render.status_feed(page, base="", templates=templates)
    report = PublicPostmortem(
        incident_id="sample", title="Sample outage", summary="It broke.", impact="Slow.",
        root_cause="A bug.", published_at=now, actions=[{"description": "Test it", "done": True}],
    )  # fmt: skip
    checks["status/postmortem.html.j2"] = lambda: postmortem_html(
        report, page_name="Sample", templates=templates
    )
    return checks


def check_overrides(override_dir: Path | None) -> None:
    """Raise BrokenTemplate for the first override that does not compile or render."""
    if override_dir is None:
        return
    files = sorted(p for p in Path(override_dir).rglob("*.j2") if p.is_file())
    if not files:
        return
    environments = [template_environment(override_dir, f) for f in ("page", "md", "html")]
    checks = _renders(Path(override_dir))
    for path in files:
        name = path.relative_to(override_dir).as_posix()
        try:
            for environment in environments:
                environment.get_template(name)
            if name in checks:
                checks[name]()
        except TemplateError as error:
            line = getattr(error, "lineno", None)
            where = f"{path}:{line}" if line else str(path)
            raise BrokenTemplate(
                f"the template override {where} is broken: {type(error).__name__}: {error}"
            ) from None
