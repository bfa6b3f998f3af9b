"""Share links: a manager lets a stakeholder without an account read one audience's update.

Created from the workspace's form or `POST /escalations/{id}/share-links` (API keys, permission
`drive`), which answers with the URL; opened at `/share/{token}` with no sign-in, where the update
is the same document `GET /escalations/{id}/updates/{audience}?format=html` renders, with
customers' contact details redacted (the reader is nobody in particular). A revoked or expired
link answers a page that says so.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.console.auth import ANYONE, PageError, container_of, form_of, signed_in
from api.console.pages import PAGE_HEADERS
from api.http.access import Permission, require
from api.http.deps import call_store
from api.http.problems import PROBLEM_JSON, Problem, ProblemError
from api.http.routes.documents import load_events
from infra.application import EscalationNotFound
from infra.bootstrap import Container
from infra.privacy.redaction import redacted_events
from infra.sessions import ShareLinkInfo, ShareLinkRefused
from projections.documents.views import AUDIENCES, update_view

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["share links"])

Audience = Literal["executive", "customer", "regulator", "sales_cs", "tactical"]


class ShareLinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    audience: Audience = Field(description="Whose update the link shows.")
    expires_in_hours: float | None = Field(
        default=None,
        gt=0,
        le=90 * 24,
        examples=[72],
        description="How long the link works; omitted: ESCALATIONS_CONSOLE_SHARE_LINK_DAYS.",
    )


class ShareLinkCreated(BaseModel):
    id: UUID
    url: str
    audience: str
    expires_at: str


def share_url(container: Container, link: ShareLinkInfo) -> str:
    return f"{container.settings.http.base_url}/share/{link.token}"


def _create(
    container: Container, escalation_id: UUID, audience: str, hours: float | None, actor: str
) -> ShareLinkInfo:
    if audience not in AUDIENCES:
        raise ShareLinkRefused(f"audience {audience!r} is not one of: {', '.join(AUDIENCES)}")
    days = container.settings.console.share_link_days
    lifetime = timedelta(hours=hours) if hours else timedelta(days=days)
    return container.console.share_links.create(
        escalation_id=escalation_id, audience=audience, lifetime=lifetime, actor=actor
    )


@api_router.post(
    "/escalations/{escalation_id}/share-links",
    status_code=201,
    responses={
        status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": text}
        for status, text in {
            400: "A body that cannot be read",
            404: "Unknown escalation",
            413: "Body too large",
            422: "Invalid body: an audience that is not one of the five, or a lifetime out of range",
            503: "Event store unavailable; retry after Retry-After seconds",
        }.items()
    },
    summary="Create a share link to one audience's update",
    description="A signed URL that shows this escalation's update for one audience, without "
    "signing in, until it expires or is revoked in the console. Creating it is an event with "
    "the caller as its actor.",
    dependencies=[require(Permission.DRIVE)],
)
async def create_share_link(
    request: Request, escalation_id: UUID, body: ShareLinkCreate
) -> ShareLinkCreated:
    container = container_of(request)
    actor = str(request.state.principal or request.headers.get("x-actor") or "anonymous")
    try:
        link = await call_store(
            container,
            lambda: _create(container, escalation_id, body.audience, body.expires_in_hours, actor),
        )
    except EscalationNotFound as error:
        raise ProblemError("not-found", str(error)) from None
    return ShareLinkCreated(
        id=link.id,
        url=share_url(container, link),
        audience=link.audience,
        expires_at=link.expires_at.isoformat(),
    )


@router.post(
    "/console/escalations/{escalation_id}/share-links",
    dependencies=[signed_in(Permission.DRIVE)],
)
async def create_from_console(request: Request, escalation_id: UUID) -> Response:
    container = container_of(request)
    form = await form_of(request)
    actor = request.state.principal.name
    try:
        hours = float(form["hours"]) if form.get("hours") else None
    except ValueError:
        hours = None
    try:
        await call_store(
            container,
            lambda: _create(container, escalation_id, form.get("audience", ""), hours, actor),
        )
    except (ShareLinkRefused, EscalationNotFound) as error:
        raise PageError(422, "The link was not made", str(error)) from None
    return RedirectResponse(f"/console/escalations/{escalation_id}#share-links", status_code=303)


@router.post(
    "/console/escalations/{escalation_id}/share-links/{link_id}/revoke",
    dependencies=[signed_in(Permission.DRIVE)],
)
async def revoke_from_console(request: Request, escalation_id: UUID, link_id: UUID) -> Response:
    container = container_of(request)
    actor = request.state.principal.name
    try:
        await call_store(
            container, lambda: container.console.share_links.revoke(link_id, actor=actor)
        )
    except ShareLinkRefused as error:
        raise PageError(409, "The link was not revoked", str(error)) from None
    return RedirectResponse(f"/console/escalations/{escalation_id}#share-links", status_code=303)


@router.get("/share/{token}", dependencies=[ANYONE])
async def open_share_link(request: Request, token: Annotated[str, "the signed link"]) -> Response:
    container = container_of(request)
    return await run_in_threadpool(_shared_update, container, token)


def _shared_update(container: Container, token: str) -> Response:
    try:
        link = container.console.share_links.open(token)
    except ShareLinkRefused as error:
        raise PageError(
            410,
            "This link no longer works",
            f"{str(error).capitalize()}. Ask the person who sent it for a new one.",
        ) from None
    events = redacted_events(load_events(container, link.escalation_id))
    now = container.app.clock()
    view = update_view(link.audience, events, now=now)
    body = container.renderer.render(link.audience, "html", view)
    return Response(
        body,
        media_type="text/html; charset=utf-8",
        headers={**PAGE_HEADERS, "Referrer-Policy": "no-referrer"},
    )
