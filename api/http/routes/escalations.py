"""Opening and reading one escalation: current state, state as it was, and its event stream."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime

from api.http.commands import PROBLEM_RESPONSES, accepted, execute
from api.http.deps import COMMAND_HEADERS, CommandContextDep, ContainerDep
from api.http.models import CommandAccepted, EscalationOpen, EscalationRead, EventPage
from api.http.problems import ProblemError
from infra.application import Idempotency
from infra.serialization import escalation_to_dict, event_to_record

router = APIRouter(tags=["escalations"])


@router.post(
    "/escalations",
    status_code=201,
    response_model=CommandAccepted,
    responses=PROBLEM_RESPONSES,
    summary="Open an escalation",
    openapi_extra=COMMAND_HEADERS,
)
async def open_escalation(body: EscalationOpen, context: CommandContextDep) -> JSONResponse:
    def call() -> JSONResponse:
        fields: dict[str, Any] = body.model_dump(exclude_none=True)
        key = context.idempotency_key
        idempotency = (
            Idempotency.for_request(key, "POST /escalations", body.model_dump(mode="json"))
            if key
            else None
        )
        result = context.container.app.open(actor=context.actor, idempotency=idempotency, **fields)
        response = accepted(context, result, status_code=201)
        response.headers["Location"] = f"/escalations/{result.escalation_id}"
        return response

    return await execute(context.container, call)


@router.get(
    "/escalations/{escalation_id}",
    response_model=EscalationRead,
    responses=PROBLEM_RESPONSES,
    summary="One escalation, now or as it was",
)
def read_escalation(
    escalation_id: UUID,
    container: ContainerDep,
    request: Request,
    version: Annotated[
        int | None, Query(ge=1, description="The state right after this version.")
    ] = None,
    as_of: Annotated[
        AwareDatetime | None,
        Query(description="The state as it stood at this moment (ISO 8601 with timezone)."),
    ] = None,
) -> Response:
    if version is not None and as_of is not None:
        raise ProblemError("malformed-request", "give either version or as_of, not both")
    app = container.app
    if as_of is not None:
        escalation = app.get_as_of(escalation_id, as_of)
    else:
        escalation = app.get(escalation_id, version=version)
    etag = f'"{escalation.version}"'
    if version is None and as_of is None and request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return JSONResponse(escalation_to_dict(escalation), headers={"ETag": etag})


@router.get(
    "/escalations/{escalation_id}/events",
    response_model=EventPage,
    responses=PROBLEM_RESPONSES,
    summary="The escalation's own event stream, in order",
)
def read_events(
    escalation_id: UUID,
    container: ContainerDep,
    after: Annotated[int, Query(ge=0, description="Return events after this version.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    events = container.app.stream(escalation_id, after_version=after, limit=limit)
    items = [event_to_record(e) for e in events]
    next_after = items[-1]["version"] if len(items) == limit else None
    return {"items": items, "next_after": next_after}
