"""The FastAPI application: routes, problem+json errors, body limits, health."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from api.http import problems
from api.http.routes import commands, escalations, views
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
    )
    app.state.container = container
    problems.install(app)
    _limit_body_size(app, container.settings.max_body_bytes)

    app.include_router(escalations.router)
    app.include_router(commands.router)
    app.include_router(views.router)

    @app.get("/healthz", tags=["operations"], summary="Liveness and readiness")
    def healthz() -> JSONResponse:
        try:
            position = container.app.recorder.max_notification_id() or 0
        except Exception as error:  # any store failure means not ready
            return JSONResponse(
                {"status": "unavailable", "detail": str(error)},
                status_code=503,
                headers={"Retry-After": "2"},
            )
        return JSONResponse({"status": "ok", "position": position})

    @app.get("/problems/{slug}", tags=["operations"], summary="What a problem type means")
    def problem_type(slug: str) -> dict[str, Any]:
        if slug not in problems.PROBLEM_TYPES:
            raise problems.ProblemError("not-found", f"no problem type {slug!r}")
        status, title = problems.PROBLEM_TYPES[slug]
        return {"type": f"/problems/{slug}", "status": status, "title": title}

    return app


def _limit_body_size(app: FastAPI, limit: int) -> None:
    @app.middleware("http")
    async def refuse_large_bodies(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return problems.problem(
                "body-too-large",
                f"the body is {length} bytes; the limit is {limit} bytes",
                instance=request.url.path,
            )
        if length is None and request.method in ("POST", "PUT", "PATCH"):
            body = await request.body()
            if len(body) > limit:
                return problems.problem(
                    "body-too-large",
                    f"the body is over {limit} bytes",
                    instance=request.url.path,
                )
        return await call_next(request)
