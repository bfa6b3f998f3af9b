"""The triage queue and the reports, read from the case ledger, as JSON or CSV (trends also HTML).

Every one answers `text/csv` on `Accept: text/csv` or `?format=csv`, with a file name in
`Content-Disposition`, for spreadsheets. The queue and the SLA report also answer as they stood at
a past moment (`?as_of=`, which needs the replay permission as every read of the past does): each
case as its events up to then had it, and every breach due by then, whenever it was recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from api.http.access import Permission, require
from api.http.deps import Moment
from api.http.negotiation import ReportFormat, negotiate_report
from api.http.problems import PROBLEM_JSON, Problem
from api.http.routes.views import PositionHeader, Reads, ReadsDep, WaitQuery, _wait
from projections import render
from projections.base import Doc, instant
from projections.cases import tables
from projections.cases.history import cases_as_of, open_as_of
from projections.cases.reports import metrics, queue, sla_report, trends

router = APIRouter(tags=["views"])
Route = TypeVar("Route", bound=Callable[..., Any])

FormatQuery = Annotated[
    str | None, Query(description="json or csv (trends also html); else by the Accept header")
]
ReportAsOf = Annotated[
    Moment | None,
    Query(description="As it stood at this moment (ISO 8601 with timezone); needs replay."),
]


def _responses(html: bool = False) -> dict[Any, Any]:
    """JSON and CSV (and HTML); their examples are set when the reference is served
    (`report_examples.py`)."""
    content: dict[str, Any] = {
        "application/json": {"schema": {"type": "object"}},
        "text/csv": {"schema": {"type": "string"}},
    }
    if html:
        content["text/html"] = {"schema": {"type": "string"}}
    return {
        200: {"content": content},
        406: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": "the format asked for is not offered",
        },
    }


def _report(
    path: str, summary: str, permission: Permission, *, past: bool = False, html: bool = False
) -> Callable[[Route], Route]:
    """A report's route, answered in JSON or CSV (or HTML) by `_answer`; one that can read the
    past (`past`, its `as_of`) asks the replay permission for it, as every read of the past."""
    return router.get(
        path,
        summary=summary,
        dependencies=[require(permission, replaying=Permission.REPLAY if past else None)],
        response_class=Response,
        responses=_responses(html=html),
    )


def _answer(
    request: Request,
    format: str | None,
    report: dict[str, Any],
    name: str,
    as_csv: Callable[[dict[str, Any]], str],
    headers: dict[str, str],
    html: Callable[[dict[str, Any]], str] | None = None,
) -> Response:
    offered: tuple[ReportFormat, ...] = ("json", "csv", "html") if html else ("json", "csv")
    chosen = negotiate_report(request.headers.get("accept"), format, offered)
    headers = {**headers, "Vary": "Accept"}
    if chosen == "csv":
        stamp = (report.get("as_of") or "").replace(":", "").replace("-", "")
        filename = f"{name}-{stamp}.csv" if stamp else f"{name}.csv"
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return Response(as_csv(report), media_type="text/csv; charset=utf-8", headers=headers)
    if chosen == "html" and html is not None:
        return HTMLResponse(html(report), headers=headers)
    return JSONResponse(report, headers=headers)


def _cases_then(reads: Reads, moment: datetime) -> list[Doc]:
    app = reads.container.app
    return cases_as_of(reads.views["cases"], lambda eid: app.events.get(UUID(eid)), moment)


@_report(
    "/queue",
    "Open escalations, most urgent first, with the reason in words (JSON or CSV)",
    Permission.READ,
    past=True,
)
async def triage_queue(
    request: Request,
    reads: ReadsDep,
    as_of: ReportAsOf = None,
    format: FormatQuery = None,
    wait_for: WaitQuery = None,
    position: PositionHeader = None,
) -> Response:
    headers = await _wait(reads, wait_for or position, ["cases"])
    now = as_of or reads.now()
    if as_of is None:
        docs = await run_in_threadpool(reads.views["cases"].open_cases)
    else:
        docs = open_as_of(await run_in_threadpool(_cases_then, reads, as_of))
    report = {"as_of": instant(now), "items": queue(docs, reads.sla, now)}
    return _answer(request, format, report, "queue", tables.queue_csv, headers)


@_report(
    "/reports/sla",
    "SLA attainment, breaches dated at their due time, what breaches within the hour",
    Permission.READ_REPORTS,
    past=True,
)
async def report_sla(
    request: Request,
    reads: ReadsDep,
    days: Annotated[int, Query(ge=1, le=366, description="Attainment over the last N days")] = 30,
    as_of: ReportAsOf = None,
    format: FormatQuery = None,
    wait_for: WaitQuery = None,
    position: PositionHeader = None,
) -> Response:
    headers = await _wait(reads, wait_for or position, ["cases"])
    now = as_of or reads.now()
    since = now - timedelta(days=days)
    if as_of is None:
        docs = await run_in_threadpool(reads.views["cases"].cases_since, since)
    else:
        then = await run_in_threadpool(_cases_then, reads, as_of)
        docs = [d for d in then if d["opened_at"] >= instant(since) or d["ended_at"] is None]
    report = sla_report(docs, reads.sla, now, since)
    return _answer(request, format, report, "sla", tables.sla_csv, headers)


@_report(
    "/reports/metrics",
    "Counts, time to acknowledge and resolve, handle time, breaches, CSAT, NPS, and "
    "their definitions (JSON, HTML or CSV)",
    Permission.READ_REPORTS,
    html=True,
)
async def report_metrics(
    request: Request,
    reads: ReadsDep,
    since: Moment | None = None,
    format: FormatQuery = None,
    wait_for: WaitQuery = None,
    position: PositionHeader = None,
) -> Response:
    headers = await _wait(reads, wait_for or position, ["cases"])
    now = reads.now()
    report = await run_in_threadpool(metrics, reads.views["cases"], since, reads.sla, now)
    report = {"as_of": instant(now), **report}

    def html(report: dict[str, Any]) -> str:
        return render.metrics_html(report, reads.status.templates_dir)

    return _answer(request, format, report, "metrics", tables.metrics_csv, headers, html)


@_report(
    "/reports/trends",
    "Weekly recurring categories, components, root causes (JSON, HTML or CSV)",
    Permission.READ_REPORTS,
    html=True,
)
async def report_trends(
    request: Request,
    reads: ReadsDep,
    weeks: Annotated[int, Query(ge=2, le=52)] = 8,
    format: FormatQuery = None,
    wait_for: WaitQuery = None,
    position: PositionHeader = None,
) -> Response:
    headers = await _wait(reads, wait_for or position, ["cases"])
    report = await run_in_threadpool(trends, reads.views["cases"], reads.now(), weeks)

    def html(report: dict[str, Any]) -> str:
        return render.trends_html(report, reads.status.templates_dir)

    return _answer(request, format, report, "trends", tables.trends_csv, headers, html)
