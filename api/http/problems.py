"""RFC 9457 problem details: every error a client can cause has a stable type and a fix-it detail."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import DomainError, IllegalTransition, InvalidCommand, RuleViolated, UnknownItem
from infra.application import (
    EscalationNotFound,
    IdempotencyKeyReused,
    StaleVersion,
    WriteConflict,
)
from infra.erasure import ErasureIncomplete, IdentifierNotFound, SubjectNotFound
from infra.store_guard import StoreUnavailable

log = logging.getLogger("escalations.api")

PROBLEM_JSON = "application/problem+json"

# slug -> (HTTP status, title). The slug is the stable part of each problem's `type`.
PROBLEM_TYPES: dict[str, tuple[int, str]] = {
    "malformed-request": (400, "The request could not be read"),
    "unauthenticated": (401, "Authentication required"),
    "forbidden": (403, "Not allowed for this role"),
    "not-found": (404, "Not found"),
    "escalation-not-found": (404, "Escalation not found"),
    "subject-not-found": (404, "No such data subject"),
    "unknown-item": (404, "Unknown item in this escalation"),
    "no-regulator": (404, "No regulator is involved in this escalation"),
    "postmortem-not-published": (404, "The post-mortem is not published yet"),
    "method-not-allowed": (405, "Method not allowed"),
    "not-acceptable": (406, "No representation in the requested format"),
    "illegal-transition": (409, "The escalation's status does not allow this"),
    "rule-violated": (409, "A rule of the escalation process forbids this"),
    "write-conflict": (409, "The escalation kept changing; nothing was written"),
    "stale-version": (412, "If-Match names an old version; nothing was written"),
    "body-too-large": (413, "The request body is too large"),
    "unsupported-media-type": (415, "Send JSON"),
    "validation-error": (422, "The request body or parameters are invalid"),
    "invalid-command": (422, "The command's values are invalid"),
    "idempotency-key-reused": (422, "The Idempotency-Key was used for a different request"),
    "database-unavailable": (503, "The event store is unavailable; retry shortly"),
    "erasure-incomplete": (503, "The data is erased from the store, but a view still holds it"),
    "internal-error": (500, "Internal error"),
}


class Problem(BaseModel):
    """An error as application/problem+json (RFC 9457)."""

    type: str = Field(examples=["/problems/illegal-transition"])
    title: str = Field(examples=["The escalation's status does not allow this"])
    status: int = Field(examples=[409])
    detail: str = Field(
        examples=[
            "cannot resolve from closed to resolved; from closed the escalation can go to: nothing"
        ]
    )
    instance: str | None = Field(default=None, examples=["/escalations/1f0c.../resolve"])
    current_version: int | None = None
    errors: list[dict[str, Any]] | None = None


def problem(
    slug: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    status, title = PROBLEM_TYPES[slug]
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extensions.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


class ProblemError(Exception):
    """Raise from a route to answer with a problem."""

    def __init__(
        self, slug: str, detail: str, headers: dict[str, str] | None = None, **extensions: Any
    ) -> None:
        super().__init__(detail)
        self.slug = slug
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


_HTTP_SLUGS = {
    400: "malformed-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "body-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
}


def _domain_slug(error: DomainError) -> str:
    if isinstance(error, IllegalTransition):
        return "illegal-transition"
    if isinstance(error, RuleViolated):
        return "rule-violated"
    if isinstance(error, UnknownItem):
        return "unknown-item"
    if isinstance(error, InvalidCommand):
        return "invalid-command"
    return "rule-violated"


def _location(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    """Map every exception a request can raise to a problem response."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, error: ProblemError) -> JSONResponse:
        return problem(
            error.slug,
            error.detail,
            instance=request.url.path,
            headers=error.headers,
            **error.extensions,
        )

    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> JSONResponse:
        extra: dict[str, Any] = {}
        if isinstance(error, IllegalTransition):
            extra = {"current_status": error.current, "attempted": error.attempted}
        return problem(_domain_slug(error), error.detail, instance=request.url.path, **extra)

    @app.exception_handler(EscalationNotFound)
    async def _not_found(request: Request, error: EscalationNotFound) -> JSONResponse:
        return problem("escalation-not-found", str(error), instance=request.url.path)

    @app.exception_handler(SubjectNotFound)
    @app.exception_handler(IdentifierNotFound)
    async def _no_subject(
        request: Request, error: SubjectNotFound | IdentifierNotFound
    ) -> JSONResponse:
        return problem("subject-not-found", str(error), instance=request.url.path)

    @app.exception_handler(ErasureIncomplete)
    async def _incomplete(request: Request, error: ErasureIncomplete) -> JSONResponse:
        return problem(
            "erasure-incomplete",
            str(error),
            instance=request.url.path,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(StaleVersion)
    async def _stale(request: Request, error: StaleVersion) -> JSONResponse:
        return problem(
            "stale-version",
            str(error),
            instance=request.url.path,
            headers={"ETag": f'"{error.current}"'},
            current_version=error.current,
        )

    @app.exception_handler(WriteConflict)
    async def _conflict(request: Request, error: WriteConflict) -> JSONResponse:
        return problem("write-conflict", str(error), instance=request.url.path)

    @app.exception_handler(IdempotencyKeyReused)
    async def _reused(request: Request, error: IdempotencyKeyReused) -> JSONResponse:
        return problem("idempotency-key-reused", str(error), instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": "body" if e.get("type") == "json_invalid" else _location(e.get("loc", ())),
                "message": e.get("msg", ""),
                "type": e.get("type"),
            }
            for e in error.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(
            "validation-error",
            f"fix these and send again: {summary}",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        slug = _HTTP_SLUGS.get(error.status_code, "malformed-request")
        detail = error.detail if isinstance(error.detail, str) else str(error.detail)
        if error.status_code == 404 and detail == "Not Found":
            detail = f"there is nothing at {request.url.path}; see /docs for the routes"
        response = problem(slug, detail, instance=request.url.path)
        response.status_code = error.status_code
        if error.headers:
            response.headers.update(error.headers)
        return response

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(StoreUnavailable)
    async def _unavailable(request: Request, error: Exception) -> JSONResponse:
        log.warning("event store unavailable: %s", error)
        if isinstance(error, StoreUnavailable) and not error.attempted:
            detail = (
                "the event store is unreachable; nothing was written. Retry after a few seconds"
            )
        else:
            # The connection broke mid-request: a commit in flight may or may not have happened.
            detail = (
                "the event store stopped answering during this request; a write in progress may "
                "or may not have been stored. Retry after a few seconds with the same "
                "Idempotency-Key, and it is applied exactly once"
            )
        return problem(
            "database-unavailable",
            detail,
            instance=request.url.path,
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            "internal-error",
            "an unexpected error occurred; it has been logged",
            instance=request.url.path,
        )


# The problem each error status shows as its example in the reference (a 404 from a route of one
# escalation shows `escalation-not-found`, see `_example`), with a detail of the kind it carries.
EXAMPLE_DETAILS: dict[str, str] = {
    "malformed-request": 'If-Match must be a version in quotes, such as "7"',
    "unauthenticated": "send an API key as Authorization: Bearer <key>",
    "forbidden": "the role stakeholder lacks the permission drive",
    "not-found": "there is nothing at /escalations/1f0c.../items/a9; see /docs for the routes",
    "escalation-not-found": "no escalation 1f0c5c2e-8a7b-4f52-9d3e-6c1b2a3d4e5f",
    "method-not-allowed": "GET is not allowed here; use POST",
    "not-acceptable": "format must be json or html",
    "illegal-transition": (
        "cannot resolve from closed to resolved; from closed the escalation can go to: nothing"
    ),
    "stale-version": "If-Match names version 7 but the escalation is at version 9; nothing was written",
    "body-too-large": "the body is 2000000 bytes; the limit is 1000000 bytes",
    "unsupported-media-type": "send the body as application/json",
    "validation-error": "fix these and send again: body.severity: Input should be 'SEV1', 'SEV2', ...",
    "database-unavailable": "the event store is unreachable; nothing was written. Retry after a few seconds",
    "internal-error": "an unexpected error occurred; it has been logged",
}
EXAMPLE_SLUGS: dict[int, str] = {}
for _slug in EXAMPLE_DETAILS:
    EXAMPLE_SLUGS.setdefault(PROBLEM_TYPES[_slug][0], _slug)


def _example(status: int, path: str) -> dict[str, Any] | None:
    slug = EXAMPLE_SLUGS.get(status)
    if status == 404 and "{escalation_id}" in path:
        slug = "escalation-not-found"
    if slug is None:
        return None
    return {
        "type": f"/problems/{slug}",
        "title": PROBLEM_TYPES[slug][1],
        "status": status,
        "detail": EXAMPLE_DETAILS[slug],
        "instance": path,
    }


def document_in_openapi(app: FastAPI, *, moments: Callable[[], dict[str, str]]) -> None:
    """Every 422 is answered as problem+json (the handler above), so say so in the OpenAPI where
    FastAPI would otherwise declare its own `HTTPValidationError` JSON, on every route. Each error
    status gets its own example problem, and the moments in request examples (`moments()`: field
    name -> value) are set when the reference is served, so that none is in the past."""
    build_openapi = app.openapi
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}

    def openapi() -> dict[str, Any]:
        schema = build_openapi()
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                invalid = operation.get("responses", {}).get("422")
                if invalid and "application/json" in invalid.get("content", {}):
                    schemas = invalid["content"]["application/json"].get("schema", {})
                    if schemas.get("$ref", "").endswith("/HTTPValidationError"):
                        invalid["content"] = problem
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {}).get(PROBLEM_JSON)
                    example = _example(int(status), path) if status.isdigit() else None
                    if content is not None and example is not None:
                        # FastAPI may share one response object between routes: replace, never
                        # edit, since a 404's example depends on the route.
                        operation["responses"][status] = response | {
                            "content": response["content"]
                            | {PROBLEM_JSON: content | {"example": example}}
                        }
        now = moments()
        for component in schema.get("components", {}).get("schemas", {}).values():
            for example in component.get("examples", []):
                if isinstance(example, dict):
                    example.update({k: v for k, v in now.items() if k in component["properties"]})
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
