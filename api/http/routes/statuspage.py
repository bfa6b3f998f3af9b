"""The public status page as Atlassian Statuspage's public API v2, and its published post-mortems.

Every `/api/v2/...` route is public and answers any origin (`Access-Control-Allow-Origin: *`),
so that a widget embedded on another site can read it, as Statuspage's own widget does; a CORS
preflight is answered too. The bodies are shaped by `projections/status/statuspage.py` from the
same page as `/status`, now or `?as_of` a past moment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from api.http.access import PUBLIC
from api.http.problems import PROBLEM_JSON, Problem, ProblemError
from api.http.routes.views import AsOf, PositionHeader, ReadsDep, WaitQuery, _wait, page_at
from projections.status import statuspage
from projections.status.page import StatusPage, fold_incident
from projections.status.postmortem import postmortem_html, public_postmortem

router = APIRouter(tags=["status page"])

CORS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT = {
    **CORS,
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Access-Control-Max-Age": "86400",
}

V2: dict[str, tuple[str, Callable[[StatusPage], dict[str, Any]]]] = {
    "summary.json": ("Page, components, unresolved incidents, upcoming and active maintenances, status", statuspage.summary),
    "status.json": ("The page's overall status indicator and description", statuspage.status),
    "components.json": ("Every component with its status", statuspage.components),
    "incidents.json": ("Unresolved incidents and those of the history window, newest first", statuspage.incidents),
    "incidents/unresolved.json": ("Incidents not yet resolved", statuspage.unresolved),
    "scheduled-maintenances.json": ("Every maintenance on the page: upcoming, active and recently completed", statuspage.maintenances),
    "scheduled-maintenances/upcoming.json": ("Maintenances still scheduled", lambda page: statuspage.maintenances(page, "upcoming")),
    "scheduled-maintenances/active.json": ("Maintenances in progress", lambda page: statuspage.maintenances(page, "active")),
}  # fmt: skip


def _v2_endpoint(shape: Callable[[StatusPage], dict[str, Any]]) -> Callable[..., Any]:
    async def endpoint(
        reads: ReadsDep,
        as_of: AsOf = None,
        wait_for: WaitQuery = None,
        position: PositionHeader = None,
    ) -> JSONResponse:
        headers = await _wait(reads, wait_for or position, ["status"])
        page = await run_in_threadpool(page_at, reads, as_of)
        return JSONResponse(shape(page), headers={**headers, **CORS})

    return endpoint


for _path, (_summary, _shape) in V2.items():
    router.add_api_route(
        f"/api/v2/{_path}",
        _v2_endpoint(_shape),
        methods=["GET"],
        summary=_summary,
        operation_id="statuspage_v2_" + _path.replace("/", "_").replace("-", "_")[: -len(".json")],
        dependencies=[PUBLIC],
    )


@router.options(
    "/api/v2/{path:path}",
    summary="CORS preflight",
    dependencies=[PUBLIC],
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Any origin may GET the v2 routes"}},
)
async def preflight(request: Request, path: str) -> Response:
    requested = request.headers.get("access-control-request-headers")
    headers = {**PREFLIGHT, **({"Access-Control-Allow-Headers": requested} if requested else {})}
    return Response(status_code=204, headers=headers)


def _public_report(reads: Any, incident_id: UUID, as_of: datetime | None) -> str:
    at = as_of or reads.now()
    doc = reads.views["status"].document(str(incident_id))
    incident = None if doc is None else fold_incident(doc, at)
    if incident is None or incident.postmortem_at is None:
        raise ProblemError(
            "not-found",
            f"no published post-mortem of a public incident {incident_id} on the status page"
            + (f" as of {as_of.isoformat()}" if as_of else ""),
        )
    events = reads.container.app.events.get(incident_id)
    report = public_postmortem(events, incident.name, at)
    if report is None:  # published on the page but not yet in the stream read: not yet here
        raise ProblemError("not-found", f"the post-mortem of {incident_id} is not published yet")
    return postmortem_html(
        report, page_name=reads.status.page_name, templates=reads.status.templates_dir
    )


@router.get(
    "/status/incidents/{incident_id}/postmortem",
    response_class=HTMLResponse,
    summary="The public sections of a public incident's published post-mortem",
    dependencies=[PUBLIC],
    responses={
        404: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": "No public incident with a published post-mortem (at as_of)",
        }
    },
)
async def public_postmortem_page(
    reads: ReadsDep, incident_id: UUID, as_of: AsOf = None
) -> HTMLResponse:
    html = await run_in_threadpool(_public_report, reads, incident_id, as_of)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})
