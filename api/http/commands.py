"""How every command route runs: fingerprint for idempotency, If-Match, and the answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.http.deps import CommandContext
from api.http.problems import PROBLEM_JSON, Problem
from domain.escalation import Escalation
from infra.application import CommandResult, Idempotency
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
    if context.full_representation:
        payload["escalation"] = escalation_to_dict(escalation)
        headers["Preference-Applied"] = "return=representation"
    return JSONResponse(payload, status_code=status_code, headers=headers)


def run(
    request: Request,
    context: CommandContext,
    escalation_id: UUID,
    body: BaseModel | None,
    action: Callable[..., Mapping[str, Any] | None],
    *,
    also: Sequence[UUID] = (),
) -> JSONResponse:
    idempotency = None
    if context.idempotency_key:
        payload = body.model_dump(mode="json") if body is not None else {}
        # The actor is part of the request: one caller's key never answers for another's.
        scope = f"{context.actor} {request.method} {request.url.path}"
        idempotency = Idempotency.for_request(context.idempotency_key, scope, payload)
    result = context.container.app.execute(
        escalation_id,
        action,
        expected_version=context.if_match,
        idempotency=idempotency,
        also=also,
    )
    return accepted(context, result)


def act(
    method: Callable[..., Any], created: str | None = None, **kwargs: Any
) -> Callable[..., Any]:
    """An action for `run`: call a command method of the escalation with the actor and the time,
    and report what it created under `created`."""

    def action(escalation: Escalation, *others: Escalation, at: datetime) -> dict[str, Any]:
        outcome = method(escalation, *others, at=at, **kwargs)
        return {created: outcome} if created else {}

    return action
