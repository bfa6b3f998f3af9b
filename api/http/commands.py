"""How every command route runs: fingerprint for idempotency, If-Match, and the answer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.http.deps import CommandContext
from api.http.problems import PROBLEM_JSON, Problem
from infra.application import CommandResult, Idempotency
from infra.linked_cases import linked_open
from infra.serialization import escalation_to_dict

POSITION_HEADER = "Escalations-Position"

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": text}
    for status, text in {
        400: "A malformed If-Match or Idempotency-Key header",
        404: "Unknown escalation or item",
        409: "Illegal transition, broken rule, or a write conflict",
        412: "If-Match names an old version; nothing was written",
        413: "Body too large",
        422: "Invalid body, parameter, or reused Idempotency-Key",
        503: "Event store unavailable; retry after Retry-After seconds",
    }.items()
}


def accepted(
    context: CommandContext, result: CommandResult, *, status_code: int = 200
) -> JSONResponse:
    """The command's answer. A replayed command is answered from the version it produced, so the
    body is the same as the first time."""
    escalation = result.escalation or context.container.app.get(
        result.escalation_id, version=result.version
    )
    headers = {"ETag": f'"{result.version}"', "Preference-Applied": "return=minimal"}
    if result.position is not None:
        headers[POSITION_HEADER] = str(result.position)
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    payload: dict[str, Any] = {
        "id": str(result.escalation_id),
        "version": result.version,
        "status": escalation.status,
        "created": result.extra,
    }
    if result.linked is not None:
        payload.update(result.linked.answer())
    if context.full_representation:
        state = escalation_to_dict(escalation, personal=context.sees_personal_data)
        moment = escalation.modified_on if result.replayed else None
        state["linked_open"] = linked_open(context.container.app, escalation, moment)
        payload["escalation"] = state
        headers["Preference-Applied"] = "return=representation"
    return JSONResponse(payload, status_code=status_code, headers=headers)


def idempotency_for(
    context: CommandContext, route: str, body: BaseModel | None
) -> Idempotency | None:
    """The request's Idempotency-Key, which belongs to its caller (the key's name, the actor):
    the same key from another caller is another key."""
    if not context.idempotency_key:
        return None
    payload = body.model_dump(mode="json") if body is not None else {}
    return Idempotency.for_request(
        context.idempotency_key,
        f"{context.actor} {route}",
        payload,
        caller=f"http:{context.actor}",
    )


def run(
    request: Request,
    context: CommandContext,
    escalation_id: UUID,
    body: BaseModel | None,
    use_case: str,
    arguments: dict[str, Any],
) -> JSONResponse:
    """Run a named use case for an HTTP request and answer it."""
    result = context.container.app.run(
        use_case,
        escalation_id,
        actor=context.actor,
        expected_version=context.if_match,
        idempotency=idempotency_for(context, f"{request.method} {request.url.path}", body),
        **arguments,
    )
    return accepted(context, result)
