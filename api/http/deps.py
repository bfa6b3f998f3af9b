"""Request-scoped inputs shared by routes.

Command routes take one dependency, `CommandContextDep`, that reads the four command headers in a
single pass (If-Match, Idempotency-Key, Prefer, and the actor); they are documented in the OpenAPI
through `COMMAND_HEADERS`. Dependencies are `async` because they never block: a sync dependency
would cost a thread hop each.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, AwareDatetime
from starlette.concurrency import run_in_threadpool

from api.http.problems import ProblemError
from domain import limits
from domain.text import problem_in
from infra.bootstrap import Container

T = TypeVar("T")

_VERSION = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


@dataclass(frozen=True)
class CommandContext:
    container: Container
    actor: str
    if_match: int | None
    idempotency_key: str | None
    full_representation: bool
    sees_personal_data: bool = True


def parse_if_match(value: str | None) -> int | None:
    if value is None or value.strip() == "*":
        return None
    match = _VERSION.match(value)
    if match is None:
        raise ProblemError(
            "malformed-request",
            f'If-Match must be a version number as given in the ETag (e.g. "7"), not {value!r}',
        )
    return int(match.group(1))


def parse_idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip()
    if not key or not key.isprintable() or len(key) > 200:
        raise ProblemError(
            "malformed-request",
            "Idempotency-Key must be printable, non-blank, at most 200 characters",
        )
    return key


def actor_of(request: Request) -> str:
    """The authenticated key's name; X-Actor counts only when authentication is switched off."""
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        return str(principal)
    if request.app.state.container.settings.auth.enabled:
        # Reached only by a route that declared no permission: never let a header name the actor.
        raise ProblemError("unauthenticated", "this route needs an API key")
    actor = (request.headers.get("x-actor") or "").strip()
    if len(actor) > 200:
        raise ProblemError("malformed-request", "X-Actor is at most 200 characters")
    return actor or "anonymous"


def sees_personal_data(request: Request) -> bool:
    """Whether the caller may see customers' contact details: the access dependency decides it
    from the key's role (`read-personal-data`); with authentication off everyone may, and a
    request that passed no access check may not."""
    decided = getattr(request.state, "sees_personal_data", None)
    if decided is not None:
        return bool(decided)
    return not request.app.state.container.settings.auth.enabled


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def get_command_context(request: Request) -> CommandContext:
    headers = request.headers
    return CommandContext(
        container=request.app.state.container,
        actor=actor_of(request),
        if_match=parse_if_match(headers.get("if-match")),
        idempotency_key=parse_idempotency_key(headers.get("idempotency-key")),
        full_representation="return=representation" in headers.get("prefer", ""),
        sees_personal_data=sees_personal_data(request),
    )


async def call_store(container: Container, call: Callable[[], T]) -> T:
    """Run a short, blocking call to the event store from an async route or dependency.

    On SQLite it runs on the event loop: a local read or write takes a fraction of a millisecond,
    less than a hop to a worker thread and back (measured in bench/http_vs_bare), and writes to
    one file are serial anyway. On PostgreSQL it runs in the thread pool so network waits overlap.
    """
    if container.settings.is_postgres:
        return await run_in_threadpool(call)
    return call()


ContainerDep = Annotated[Container, Depends(get_container)]
CommandContextDep = Annotated[CommandContext, Depends(get_command_context)]


def _header(name: str, description: str, example: str) -> dict[str, Any]:
    # The example is in the text, not an `example` value: "Try it out" would send that value with
    # every request, and one fixed Idempotency-Key would answer every try with the first one.
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": f"{description} For example: `{example}`.",
        "schema": {"type": "string", "maxLength": 200},
    }


COMMAND_HEADERS: dict[str, Any] = {
    "parameters": [
        _header(
            "If-Match",
            "The version the command was decided on (the ETag). If the escalation has moved on, "
            "nothing is written and 412 names the current version.",
            '"7"',
        ),
        _header(
            "Idempotency-Key",
            "Any unique string per intended change; a retry with the same key and body is applied "
            "once and answered as the first time. The same key with another body is a 422.",
            "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
        ),
        _header(
            "Prefer",
            "return=representation adds the escalation's new state to the answer (RFC 7240); "
            "by default the answer is minimal: id, version, status and what was created.",
            "return=representation",
        ),
        _header(
            "X-Actor",
            "Who is acting, recorded on every event, only when authentication is switched off "
            "(ESCALATIONS_AUTH_ENABLED=false); otherwise the API key's name is the actor and this "
            "header is ignored.",
            "maria.chen",
        ),
    ]
}


def _moment_in_range(moment: datetime) -> datetime:
    # Moments are compared and stored in UTC, and the views reach back or forward from them by up
    # to a year; at the calendar's ends that conversion or arithmetic left the range of dates
    # (the OpenAPI fuzz found ?as_of=0001-01-01T00:00:00+05:00 and ?since=9999-12-31... as 500s).
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("the moment is out of range once converted to UTC") from None
    if not limits.EARLIEST <= utc < limits.LATEST:
        raise ValueError("give a moment from 1970-01-01T00:00:00Z up to 9999-01-01T00:00:00Z")
    return utc


Moment = Annotated[AwareDatetime, AfterValidator(_moment_in_range)]
"""A timezone-aware date-time query value, in UTC, within the range the app can reckon with."""


async def plain_parameters(request: Request) -> None:
    """Every query and path parameter, before any route reads it: a control character (NUL
    above all, which PostgreSQL cannot compare with text) is the client's to fix, named.
    `async` because it runs on every request: a plain function would be a hop to a worker
    thread and back each time."""
    values = [("query", name, value) for name, value in request.query_params.multi_items()]
    values += [("path", name, value) for name, value in request.path_params.items()]
    errors = [
        {"loc": (where, name), "msg": f"the value {problem}", "type": "control_character"}
        for where, name, value in values
        if isinstance(value, str) and (problem := problem_in(value, one_line=False)) is not None
    ]
    if errors:
        raise RequestValidationError(errors)
