"""The FastAPI application: routes, problem+json errors, body limits, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import console
from api.http import access, deps, docs, metrics, problems
from api.http.routes import (
    commands,
    delivery,
    escalations,
    keys,
    report_examples,
    reports,
    statuspage,
    subjects,
    views,
)
from api.http.routes.documents import router as documents_router
from domain.moments import utc_text
from infra.bootstrap import Container

DESCRIPTION = """
Event-sourced escalation incident manager. Every change is a command that appends immutable
events to the escalation's stream; every read is the state those events build, now or as it was.

* Commands take `If-Match: <version>` (stale -> 412, nothing written) and `Idempotency-Key`
  (a retry is applied once and answered as the first time).
* Errors are `application/problem+json` (RFC 9457) with a stable `type`.
"""


def create_app(container: Container, *, lifespan_hooks: list[Any] | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        started = [hook() for hook in (lifespan_hooks or [])]
        try:
            yield
        finally:
            for handle in reversed(started):
                handle.stop()

    app = FastAPI(
        title="escalations",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(deps.plain_parameters)],
        docs_url=None,
        redoc_url=None,
    )
    app.state.container = container
    app.state.reads = views.Reads(container)
    problems.install(app)
    app.add_middleware(BodySizeLimit, limit=container.settings.http.max_body_bytes)
    metrics.install(app, container, app.state.reads)

    app.include_router(documents_router)
    app.include_router(escalations.router)
    app.include_router(commands.router)
    app.include_router(keys.router)
    app.include_router(delivery.router)
    app.include_router(subjects.router)
    app.include_router(views.router)
    app.include_router(reports.router)
    app.include_router(statuspage.router)
    console.install(app)

    @app.get(
        "/healthz",
        tags=["operations"],
        summary="Liveness, and with ?ready=true readiness",
        dependencies=[access.PUBLIC],
        responses={
            503: {
                "description": "The event store is unreachable, or (with ?ready=true) a view is "
                "stopped on an event; retry after Retry-After"
            }
        },
    )
    def healthz(
        ready: Annotated[
            bool, Query(description="Readiness: also 503 while a view is stopped on an event.")
        ] = False,
    ) -> JSONResponse:
        try:
            position = container.app.recorder.max_notification_id() or 0
        except Exception as error:  # any store failure means not ready
            return _unavailable({"status": "unavailable", "detail": str(error)})
        try:
            views = [
                {key: row[key] for key in ("view", "position", "lag", "fault")}
                for row in app.state.reads.views.status()
            ]
        except Exception as error:  # a view's database is down: alive, not ready
            body = {"status": "degraded", "position": position, "detail": str(error)}
            return _unavailable(body) if ready else JSONResponse(body)
        stopped = any(view["fault"] is not None for view in views)
        body = {"status": "degraded" if stopped else "ok", "position": position, "views": views}
        return _unavailable(body) if ready and stopped else JSONResponse(body)

    @app.get(
        "/problems/{slug}",
        tags=["operations"],
        summary="What a problem type means",
        dependencies=[access.PUBLIC],
        responses={
            404: {
                "model": problems.Problem,
                "content": {problems.PROBLEM_JSON: {}},
                "description": "No such problem type",
            }
        },
    )
    def problem_type(slug: str) -> dict[str, Any]:
        if slug not in problems.PROBLEM_TYPES:
            raise problems.ProblemError("not-found", f"no problem type {slug!r}")
        status, title = problems.PROBLEM_TYPES[slug]
        return {"type": f"/problems/{slug}", "status": status, "title": title}

    docs.install(app)
    access.install(app)
    problems.document_in_openapi(app, moments=lambda: _example_moments(container))
    report_examples.document_report_examples(app, container.app.clock)
    return app


def _unavailable(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=503, headers={"Retry-After": "2"})


def _example_moments(container: Container) -> dict[str, str]:
    """Moments for the reference's request examples, from the clock, so that each is one its
    command accepts when tried: a next update half an hour from now, an action item due in two
    days, a maintenance window tomorrow, a legal deadline extended by two months."""
    now = container.app.clock().replace(second=0, microsecond=0)
    window = (now + timedelta(days=1)).replace(minute=0)
    return {
        "next_update_due": utc_text(now + timedelta(minutes=30)),
        "due_at": utc_text(now + timedelta(days=2)),
        "starts_at": utc_text(window),
        "ends_at": utc_text(window + timedelta(hours=2)),
        "new_deadline": utc_text(now + timedelta(days=60)),
    }


class BodySizeLimit:
    """Pure ASGI middleware: refuses a body over `limit` bytes with 413 before any route runs.
    Declared lengths are checked up front; chunked bodies are counted as they arrive."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send, f"the body is {declared.decode()} bytes")
            return
        received = 0
        too_large = False
        answered = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    too_large = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            # FastAPI turns any error while reading a body into its own 400; once the body is
            # known to be too large, that answer is dropped and the 413 below is sent instead.
            if too_large and not answered:
                return
            answered = True
            await send(message)

        with suppress(_TooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if too_large and not answered:
            await self._refuse(scope, receive, send, "the body is larger")

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, said: str) -> None:
        response = problems.problem(
            "body-too-large",
            f"{said}; the limit is {self.limit} bytes",
            instance=scope.get("path"),
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
