"""The triage queue and the reports, read from the case ledger, as JSON or CSV (trends also HTML).

Every one answers `text/csv` on `Accept: text/csv` or `?format=csv`, with a file name in
`Content-Disposition`, for spreadsheets. The queue and the SLA report also answer as they stood at
a past moment (`?as_of=`, which needs the replay permission as every read of the past does): each
case as its events up to then had it, and every breach due by then, whenever it was recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any
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

FormatQuery = Annotated[
    str | None, Query(description="json or csv (trends also html); else by the Accept header")
]
ReportAsOf = Annotated[
    Moment | None,
    Query(description="As it stood at this moment (ISO 8601 with timezone); needs replay."),
]


def _responses(example: dict[str, Any], csv_example: str, html: bool = False) -> dict[Any, Any]:
    content: dict[str, Any] = {
        "application/json": {"schema": {"type": "object"}, "example": example},
        "text/csv": {"schema": {"type": "string"}, "example": csv_example},
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


QUEUE_EXAMPLE = {
    "as_of": "2026-03-02T13:40:00Z",
    "items": [
        {
            "rank": 1,
            "id": "6f1c2b9e-1d1e-4c55-9a43-1f1f7c6d2a10",
            "title": "Checkout failing for EU customers",
            "severity": "SEV1",
            "status": "investigating",
            "source": "tools_outage",
            "account": None,
            "owner": "maria",
            "tier": 1,
            "target": "first_response",
            "next_target": "update:c1",
            "next_due_at": "2026-03-02T14:00:00Z",
            "revenue_at_risk": 120000.0,
            "reason": "SEV1; first response overdue by 2 h; next update to executives due in "
            "20 min (promised 14:00 UTC); 120,000 USD at risk",
            "reasons": [
                {
                    "target": "first_response",
                    "state": "overdue",
                    "due_at": "2026-03-02T11:40:00Z",
                    "text": "first response overdue by 2 h",
                },
                {
                    "target": "update:c1",
                    "state": "pending",
                    "due_at": "2026-03-02T14:00:00Z",
                    "text": "next update to executives due in 20 min (promised 14:00 UTC)",
                },
            ],
        }
    ],
}
QUEUE_CSV = (
    "rank,id,title,severity,status,source,account,owner,tier,target,next_target,next_due_at,"
    "revenue_at_risk,reason\r\n1,6f1c2b9e-1d1e-4c55-9a43-1f1f7c6d2a10,Checkout failing for EU "
    "customers,SEV1,investigating,tools_outage,,maria,1,first_response,update:c1,"
    '2026-03-02T14:00:00Z,120000.0,"SEV1; first response overdue by 2 h; ..."\r\n'
)


@router.get(
    "/queue",
    summary="Open escalations, most urgent first, with the reason in words (JSON or CSV)",
    dependencies=[require(Permission.READ, replaying=Permission.REPLAY)],
    response_class=Response,
    responses=_responses(QUEUE_EXAMPLE, QUEUE_CSV),
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


SLA_EXAMPLE = {
    "as_of": "2026-03-02T13:40:00Z",
    "since": "2026-01-31T13:40:00Z",
    "attainment": 0.8,
    "by_target": {
        "first_response": {"label": "first response", "met": 4, "missed": 1, "attainment": 0.8}
    },
    "breaches": [
        {
            "id": "6f1c2b9e-1d1e-4c55-9a43-1f1f7c6d2a10",
            "title": "Checkout failing for EU customers",
            "severity": "SEV1",
            "target": "first_response",
            "label": "first response",
            "due_at": "2026-03-02T11:40:00Z",
            "breached_at": "2026-03-02T11:40:00Z",
            "recorded_at": "2026-03-02T12:05:31Z",
            "reason": "first response overdue by 2 h",
        }
    ],
    "breaching_within_hour": [],
}
SLA_CSV = (
    "section,target,label,met,missed,attainment,id,title,severity,due_at,breached_at,"
    "recorded_at,minutes_left,reason\r\nattainment,all,all targets,,,0.8,,,,,,,,\r\n"
    "attainment,first_response,first response,4,1,0.8,,,,,,,,\r\n"
    "breach,first_response,first response,,,,6f1c2b9e-1d1e-4c55-9a43-1f1f7c6d2a10,Checkout "
    "failing for EU customers,SEV1,2026-03-02T11:40:00Z,2026-03-02T11:40:00Z,"
    "2026-03-02T12:05:31Z,,first response overdue by 2 h\r\n"
)


@router.get(
    "/reports/sla",
    summary="SLA attainment, breaches dated at their due time, what breaches within the hour",
    dependencies=[require(Permission.READ_REPORTS, replaying=Permission.REPLAY)],
    response_class=Response,
    responses=_responses(SLA_EXAMPLE, SLA_CSV),
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


METRICS_EXAMPLE = {
    "since": None,
    "cases": 3,
    "mean_time_to_acknowledge_seconds": 900.0,
    "mean_time_to_resolve_seconds": 4500.0,
    "handle_time": {
        "cases": 2,
        "mean_seconds": 3300.0,
        "p50_seconds": 3000.0,
        "p90_seconds": 3600.0,
        "by_source": {
            "email": {
                "cases": 1,
                "mean_seconds": 3000.0,
                "p50_seconds": 3000.0,
                "p90_seconds": 3000.0,
            }
        },
        "by_severity": {
            "SEV2": {
                "cases": 2,
                "mean_seconds": 3300.0,
                "p50_seconds": 3000.0,
                "p90_seconds": 3600.0,
            }
        },
    },
    "definitions": {"handle_time": "Handle time of a case: from its first acknowledgement ..."},
}
METRICS_CSV = (
    "section,name,value,cases,mean_seconds,p50_seconds,p90_seconds\r\nsummary,cases,3,,,,\r\n"
    "handle_time,all,,2,3300.0,3000.0,3600.0\r\nhandle_time,source:email,,1,3000.0,3000.0,"
    "3000.0\r\n"
)


@router.get(
    "/reports/metrics",
    summary="Counts, time to acknowledge and resolve, handle time, breaches, CSAT, NPS, and "
    "their definitions (JSON, HTML or CSV)",
    dependencies=[require(Permission.READ_REPORTS)],
    response_class=Response,
    responses=_responses(METRICS_EXAMPLE, METRICS_CSV, html=True),
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


TRENDS_CSV = (
    "section,value,2026-W09,2026-W10,total,week_over_week,recurring,spikes\r\n"
    "total,all escalations,1,5,6,,,\r\ncategories,billing,1,5,6,4,true,2026-W10\r\n"
)


@router.get(
    "/reports/trends",
    summary="Weekly recurring categories, components, root causes (JSON, HTML or CSV)",
    dependencies=[require(Permission.READ_REPORTS)],
    response_class=Response,
    responses=_responses(
        {"as_of": "2026-03-02T13:40:00Z", "weeks": ["2026-W09", "2026-W10"], "total": [1, 5]},
        TRENDS_CSV,
        html=True,
    ),
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
