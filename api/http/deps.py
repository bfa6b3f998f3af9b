"""Request-scoped inputs shared by routes: the container, the actor, If-Match, Idempotency-Key."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request

from api.http.problems import ProblemError
from infra.bootstrap import Container

_VERSION = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_actor(
    request: Request,
    x_actor: Annotated[
        str | None,
        Header(
            max_length=200,
            description="Who is acting, recorded on every event (until API keys say it).",
        ),
    ] = None,
) -> str:
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        return str(principal)
    return (x_actor or "").strip() or "anonymous"


def get_if_match(
    if_match: Annotated[
        str | None,
        Header(
            description='The version the command was decided on (the ETag, e.g. "7"). '
            "If the escalation has moved on, nothing is written and 412 names the current version.",
        ),
    ] = None,
) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    match = _VERSION.match(if_match)
    if match is None:
        raise ProblemError(
            "malformed-request",
            f'If-Match must be a version number as given in the ETag (e.g. "7"), not {if_match!r}',
        )
    return int(match.group(1))


def get_idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=200,
            description="Any unique string per intended change; a retry with the same key and body "
            "is applied once and answered as the first time.",
        ),
    ] = None,
) -> str | None:
    if idempotency_key is None:
        return None
    key = idempotency_key.strip()
    if not key or not key.isprintable():
        raise ProblemError("malformed-request", "Idempotency-Key must be printable, non-blank text")
    return key


ContainerDep = Annotated[Container, Depends(get_container)]
ActorDep = Annotated[str, Depends(get_actor)]
IfMatchDep = Annotated[int | None, Depends(get_if_match)]
IdempotencyKeyDep = Annotated[str | None, Depends(get_idempotency_key)]
