"""Reads served from the tracked views: list and search, the public status page, queue and reports.

The queue and the reports on the case ledger are in `routes/reports.py`, which shares `Reads`.

Read-your-writes: every command answers with its `Escalations-Position`; send it back on a read
(`?wait_for=N` or the `Escalations-Position` header) and the read waits, at most
ESCALATIONS_PROJECTIONS_MAX_WAIT seconds, until the views have processed it. The answer says where
the view stood in `Escalations-View-Position` (and `Escalations-View-Stale: true` when it gave up).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.http.access import PUBLIC, Permission, require
from api.http.deps import Moment
from api.http.problems import ProblemError
from domain.values import Scope, Severity, Source, Status
from infra.bootstrap import Container
from infra.views.lifecycle import ViewSet, open_views
from projections import render
from projections.search.base import InvalidQuery, SearchQuery
from projections.sla import SlaPolicy
from projections.status.page import StatusPage, build_page, summary_json

router = APIRouter(tags=["views"])

POSITION_HEADER = "Escalations-Position"
VIEW_POSITION_HEADER = "Escalations-View-Position"


class Reads:
    """What the view routes read: the container's views (opened on the first read, once per
    app, so that an app which serves no view opens none), its view and status-page settings and
    its SLA policy."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.status = container.settings.status_page
        self.projections = container.settings.views
        self.sla: SlaPolicy = container.sla_policy
        self.base_url = container.settings.http.base_url
        # The current page, kept while the status view stays where it was (at most PAGE_TTL
        # seconds, since uptime and history move with the clock): readers and streams share one.
        self.current: tuple[int, float, StatusPage] | None = None
        self._views: ViewSet | None = None
        self._opening = threading.Lock()

    @property
    def views(self) -> ViewSet:
        if self._views is None:
            with self._opening:
                if self._views is None:
                    self._views = open_views(self.container)
        return self._views

    def now(self) -> datetime:
        return self.container.app.clock()


PAGE_TTL = 2.0


def get_reads(request: Request) -> Reads:
    reads: Reads = request.app.state.reads
    return reads


ReadsDep = Annotated[Reads, Depends(get_reads)]
WaitQuery = Annotated[
    int | None,
    Query(ge=0, description="Wait (bounded) until the views have processed this position."),
]
PositionHeader = Annotated[
    int | None,
    Header(alias=POSITION_HEADER, ge=0, description="Same as ?wait_for: a command's position."),
]


async def _wait(reads: Reads, wanted: int | None, names: list[str]) -> dict[str, str]:
    fresh = True
    if wanted:
        fresh = await run_in_threadpool(
            reads.views.wait_for, wanted, reads.projections.max_wait, names
        )
    position = min(reads.views.position(n) for n in names)
    headers = {VIEW_POSITION_HEADER: str(position), "Cache-Control": "no-cache"}
    if not fresh:
        headers["Escalations-View-Stale"] = "true"
    return headers


# ------------------------------------------------------------------ list and search


@router.get(
    "/escalations",
    summary="List and search escalations (from the search view)",
    dependencies=[require(Permission.READ)],
)
async def list_escalations(
    reads: ReadsDep,
    status: Annotated[list[Status] | None, Query()] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    source: Annotated[list[Source] | None, Query()] = None,
    scope: Annotated[list[Scope] | None, Query()] = None,
    owner: str | None = None,
    team: str | None = None,
    component: str | None = None,
    tag: str | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in title etc.")] = None,
    opened_after: Moment | None = None,
    opened_before: Moment | None = None,
    resolved_after: Moment | None = None,
    resolved_before: Moment | None = None,
    sla_breached: bool | None = None,
    sort: Annotated[
        str, Query(description="opened_at, updated_at or severity; - for descending")
    ] = "-opened_at",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    wait_for: WaitQuery = None,
    position: PositionHeader = None,
) -> JSONResponse:
    headers = await _wait(reads, wait_for or position, ["search"])
    query = SearchQuery(
        status=[s.value for s in status or []],
        severity=[s.value for s in severity or []],
        source=[s.value for s in source or []],
        scope=[s.value for s in scope or []],
        owner=owner,
        team=team,
        component=component,
        tag=tag,
        text=q,
        opened_after=opened_after,
        opened_before=opened_before,
        resolved_after=resolved_after,
        resolved_before=resolved_before,
        sla_breached=sla_breached,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    try:
        page = await run_in_threadpool(reads.views["search"].search, query)
    except InvalidQuery as error:
        raise ProblemError("validation-error", str(error)) from None
    return JSONResponse({"items": page.items, "next_cursor": page.next_cursor}, headers=headers)


# ----------------------------------------------------------------------- status page


def _page(reads: Reads, at: datetime) -> StatusPage:
    s = reads.status
    window = timedelta(days=max(s.uptime_days, s.history_days))
    return build_page(
        reads.views["status"].documents_for(at, window),
        at,
        page_id=s.page_id,
        page_name=s.page_name,
        url=reads.base_url,
        configured_components=s.components,
        history_days=s.history_days,
        uptime_days=s.uptime_days,
    )


def _current_page(reads: Reads) -> tuple[int, StatusPage]:
    position = reads.views.position("status")
    cached = reads.current
    if cached and cached[0] == position and time.monotonic() - cached[1] < PAGE_TTL:
        return position, cached[2]
    page = _page(reads, reads.now())
    reads.current = (position, time.monotonic(), page)
    return position, page


def _page_at(reads: Reads, as_of: datetime | None) -> StatusPage:
    return _page(reads, as_of) if as_of is not None else _current_page(reads)[1]


def _render_kw(reads: Reads) -> dict[str, Any]:
    s = reads.status
    return {
        "base": "",
        "templates": s.templates_dir,
        "history_days": s.history_days,
        "uptime_days": s.uptime_days,
    }


AsOf = Annotated[
    Moment | None,
    Query(description="Show the page as it was at this moment (ISO 8601, from 1970 on)."),
]


@router.get(
    "/status",
    response_class=HTMLResponse,
    summary="The public status page (HTML)",
    dependencies=[PUBLIC],
)
async def status_page(
    reads: ReadsDep, as_of: AsOf = None, wait_for: WaitQuery = None, position: PositionHeader = None
) -> HTMLResponse:
    headers = await _wait(reads, wait_for or position, ["status"])
    page = await run_in_threadpool(_page_at, reads, as_of)
    html = render.status_html(
        page,
        position=int(headers[VIEW_POSITION_HEADER]),
        as_of=as_of is not None,
        **_render_kw(reads),
    )
    return HTMLResponse(html, headers=headers)


@router.get(
    "/status.json", summary="The status page as Statuspage's summary.json", dependencies=[PUBLIC]
)
async def status_json(
    reads: ReadsDep, as_of: AsOf = None, wait_for: WaitQuery = None, position: PositionHeader = None
) -> JSONResponse:
    headers = await _wait(reads, wait_for or position, ["status"])
    page = await run_in_threadpool(_page_at, reads, as_of)
    return JSONResponse(summary_json(page), headers=headers)


@router.get(
    "/status/feed.atom",
    summary="Incident updates as an Atom feed",
    dependencies=[PUBLIC],
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {"schema": {"type": "string"}}}}},
)
async def status_feed(reads: ReadsDep, as_of: AsOf = None) -> Response:
    page = await run_in_threadpool(_page_at, reads, as_of)
    body = render.status_feed(page, base=reads.base_url, templates=reads.status.templates_dir)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get(
    "/status/stream",
    summary="Server-sent events: the live part of the status page",
    dependencies=[PUBLIC],
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "object"}}}}},
)
async def status_stream(reads: ReadsDep) -> EventSourceResponse:
    async def events() -> AsyncIterator[ServerSentEvent]:
        # Each response ends after stream_seconds; the browser reconnects and is sent the page
        # as it is then, so nothing is missed. A client that goes away, or a server shutting
        # down, ends the response at once (the library watches both).
        yield ServerSentEvent(retry=1000)
        last = -1
        ends = asyncio.get_running_loop().time() + reads.status.stream_seconds
        while asyncio.get_running_loop().time() < ends:
            position = await run_in_threadpool(reads.views.position, "status")
            if position != last:
                position, page = await run_in_threadpool(_current_page, reads)
                html = render.status_body(page, position=position, **_render_kw(reads))
                data = json.dumps({"position": position, "indicator": page.indicator, "html": html})
                yield ServerSentEvent(data, event="page", id=str(position))
                last = position
            await asyncio.sleep(0.1)

    return EventSourceResponse(
        events(),
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        ping=15,
        ping_message_factory=lambda: ServerSentEvent(comment="keep-alive"),
        sep="\n",
    )


# The queue and the reports, also read from the views, are in `routes/reports.py`.
