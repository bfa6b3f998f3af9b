"""Opening and reading one escalation: current state, state as it was, and its event stream."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from api.http.access import Permission, require
from api.http.commands import PROBLEM_RESPONSES, accepted, idempotency_for
from api.http.deps import (
    COMMAND_HEADERS,
    CommandContextDep,
    ContainerDep,
    Moment,
    call_store,
    sees_personal_data,
)
from api.http.models import CommandAccepted, EscalationOpen, EscalationRead, EventPage
from api.http.problems import ProblemError
from infra.event_positions import event_positions
from infra.linked_cases import linked_open
from infra.serialization import breach_to_dict, escalation_to_dict, event_to_record, jsonable

router = APIRouter(tags=["escalations"])

# Versions are 64-bit integers in both stores; a larger number must be a 422, not an overflow
# inside the driver (found by the OpenAPI fuzz: ?after=2**70 was a 500 on SQLite).
MAX_VERSION = 2**53


@router.post(
    "/escalations",
    status_code=201,
    response_model=CommandAccepted,
    responses=PROBLEM_RESPONSES,
    summary="Open an escalation",
    openapi_extra=COMMAND_HEADERS,
    dependencies=[require(Permission.DRIVE)],
)
async def open_escalation(body: EscalationOpen, context: CommandContextDep) -> JSONResponse:
    def call() -> JSONResponse:
        fields: dict[str, Any] = body.model_dump(exclude_none=True)
        idempotency = idempotency_for(context, "POST /escalations", body)
        result = context.container.app.open(actor=context.actor, idempotency=idempotency, **fields)
        response = accepted(context, result, status_code=201)
        response.headers["Location"] = f"/escalations/{result.escalation_id}"
        return response

    return await call_store(context.container, call)


@router.get(
    "/escalations/{escalation_id}",
    response_model=EscalationRead,
    responses=PROBLEM_RESPONSES,
    summary="One escalation, now or as it was",
    dependencies=[require(Permission.READ, replaying=Permission.REPLAY)],
)
def read_escalation(
    escalation_id: UUID,
    container: ContainerDep,
    request: Request,
    version: Annotated[
        int | None,
        Query(ge=1, le=MAX_VERSION, description="The state right after this version."),
    ] = None,
    as_of: Annotated[
        Moment | None,
        Query(description="The state as it stood at this moment (ISO 8601 with timezone)."),
    ] = None,
) -> Response:
    if version is not None and as_of is not None:
        raise ProblemError("malformed-request", "give either version or as_of, not both")
    app = container.app
    later_breaches: list[dict[str, Any]] = []
    if as_of is not None:
        escalation = app.get_as_of(escalation_id, as_of)
        later_breaches = [
            breach_to_dict(b) for b in app.breaches_recorded_later(escalation_id, as_of, escalation)
        ]
    else:
        escalation = app.get(escalation_id, version=version)
    etag = f'"{escalation.version}"'
    # The version does not cover `linked_open`, which the linked cases' own streams change: an
    # escalation with linked cases is always read afresh.
    current = version is None and as_of is None and not escalation.linked_cases
    if current and request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    state = escalation_to_dict(escalation, personal=sees_personal_data(request))
    state["sla_breaches"] += jsonable(later_breaches)
    past = as_of if as_of is not None else escalation.modified_on if version is not None else None
    state["linked_open"] = linked_open(app, escalation, past)
    # One version reads differently to different roles, so a shared cache must key on the caller.
    return JSONResponse(state, headers={"ETag": etag, "Vary": "Authorization, X-API-Key"})


@router.get(
    "/escalations/{escalation_id}/events",
    response_model=EventPage,
    responses=PROBLEM_RESPONSES,
    summary="The escalation's own event stream, in order",
    dependencies=[require(Permission.REPLAY)],
)
def read_events(
    escalation_id: UUID,
    container: ContainerDep,
    request: Request,
    after: Annotated[
        int, Query(ge=0, le=MAX_VERSION, description="Return events after this version.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    app = container.app
    events = app.stream(escalation_id, after_version=after, limit=limit)
    positions = event_positions(app.recorder, escalation_id, after, after + limit)
    personal = sees_personal_data(request)
    items = [
        event_to_record(e, positions.get(e.originator_version), personal=personal) for e in events
    ]
    next_after = items[-1]["version"] if len(items) == limit else None
    return {"items": items, "next_after": next_after}
