"""Per-escalation documents: stakeholder updates, the post-mortem and the timeline.

Each is a live projection of one escalation's events, rendered as Markdown, HTML or JSON by
`?format=` or the Accept header, now or `?as_of=` a past moment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from api.http.access import ROLE_PERMISSIONS, Permission, require, roles_with
from api.http.deps import ContainerDep, Moment, sees_personal_data
from api.http.negotiation import negotiate
from api.http.problems import PROBLEM_JSON, Problem, ProblemError
from infra.application import EscalationNotFound
from infra.bootstrap import Container
from infra.keys import Principal
from infra.privacy.redaction import redacted_events
from projections.documents.render import MEDIA_TYPES, DocumentRenderer, Format
from projections.documents.views import (
    AUDIENCES,
    DRAFT,
    NoRegulator,
    NotYetOpened,
    PostmortemMissing,
    PostmortemNotPublished,
    UnknownAudience,
    postmortem_view,
    timeline_view,
    update_view,
)
from projections.plain import to_plain

router = APIRouter(tags=["documents"])


def get_renderer(request: Request) -> DocumentRenderer:
    renderer: DocumentRenderer = request.app.state.container.renderer
    return renderer


RendererDep = Annotated[DocumentRenderer, Depends(get_renderer)]
FormatQuery = Annotated[
    str | None,
    Query(
        alias="format",
        description="`md`, `html` or `json`; when given it wins over the Accept header.",
    ),
]
AsOfQuery = Annotated[
    Moment | None,
    Query(
        description="Render the document as it read at this moment (ISO 8601 with a timezone), "
        "from the events recorded up to then."
    ),
]


def load_events(container: Container, escalation_id: UUID) -> list[Any]:
    app = container.app
    app.current_version(escalation_id)  # an unknown id is a 404 before anything else
    return list(app.events.get(escalation_id))


def moments(container: Container, as_of: datetime | None) -> tuple[datetime, datetime | None]:
    """The application's clock (for "open for ..." and what is overdue) and as_of, in UTC."""
    now = container.app.clock().astimezone(UTC)
    return now, (as_of.astimezone(UTC) if as_of is not None else None)


def answer(
    renderer: DocumentRenderer, name: str, fmt: Format, view: Any, json_body: Any
) -> Response:
    headers = {"Vary": "Accept", "Cache-Control": "no-store"}
    if fmt == "json":
        return JSONResponse(json_body, headers=headers)
    body = renderer.render(name, fmt, view)
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def _not_yet(error: NotYetOpened, escalation_id: UUID) -> EscalationNotFound:
    return EscalationNotFound(escalation_id, f"escalation {escalation_id}: {error}")


@dataclass(frozen=True)
class DocumentRequest:
    """What every document route reads: the store, the templates, the format asked for (by
    `?format=` or Accept) and the moment (`?as_of=`)."""

    request: Request
    container: Container
    renderer: DocumentRenderer
    fmt: str | None
    as_of: datetime | None

    def answer(
        self,
        escalation_id: UUID,
        name: str,
        default_format: Format,
        build: Callable[..., Any],
        plain: Callable[[Any], Any] = to_plain,
    ) -> Response:
        """Build the document's view from the escalation's events and render it."""
        chosen = negotiate(self.request.headers.get("accept"), self.fmt, default_format)
        events = load_events(self.container, escalation_id)
        if not sees_personal_data(self.request):
            events = redacted_events(events)
        now, moment = moments(self.container, self.as_of)
        try:
            view = build(events, now=now, as_of=moment)
        except NotYetOpened as error:
            raise _not_yet(error, escalation_id) from None
        except PostmortemMissing as error:
            raise ProblemError("not-found", str(error)) from None
        except PostmortemNotPublished as error:
            raise ProblemError("postmortem-not-published", str(error)) from None
        except NoRegulator as error:
            raise ProblemError("no-regulator", str(error)) from None
        return answer(self.renderer, name, chosen, view, plain(view))


async def document_request(
    request: Request,
    container: ContainerDep,
    renderer: RendererDep,
    fmt: FormatQuery = None,
    as_of: AsOfQuery = None,
) -> DocumentRequest:
    return DocumentRequest(request, container, renderer, fmt, as_of)


DocumentDep = Annotated[DocumentRequest, Depends(document_request)]


def _responses(what: str, json_schema: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    problem = {"model": Problem, "content": {PROBLEM_JSON: {}}}
    return {
        200: {
            "description": f"{what}, as Markdown, HTML or JSON",
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
                "application/json": {"schema": json_schema},
            },
        },
        404: {**problem, "description": "Unknown escalation, or it did not exist yet at as_of"},
        406: {**problem, "description": "None of the formats asked for is offered"},
        422: {**problem, "description": "as_of is not a date-time with a timezone"},
        503: {**problem, "description": "Event store unavailable; retry after Retry-After seconds"},
    }


UPDATE_RESPONSES = _responses("The update", {"type": "object"})
UPDATE_RESPONSES[404]["description"] = (
    "Unknown escalation or audience, or (`no-regulator`) the regulator's response of an "
    "escalation no regulator is involved in"
)
POSTMORTEM_RESPONSES = _responses("The root-cause report", {"type": "object"})
POSTMORTEM_RESPONSES[404]["description"] = (
    "Unknown escalation, no post-mortem recorded, or (`postmortem-not-published`) none "
    "published yet for a reader who reads only the published revision"
)
POSTMORTEM_RESPONSES[403] = {
    "model": Problem,
    "content": {PROBLEM_JSON: {}},
    "description": "`revision=draft` from a role that reads only the published revision",
}
RevisionQuery = Annotated[
    Literal["published", "draft"] | None,
    Query(
        description="`published`: the revision that was published. `draft`: the latest "
        "revision recorded (roles that drive escalations only). Without it: the published "
        "revision, or, while none is published, the draft for those who may read it."
    ),
]


@router.get(
    "/escalations/{escalation_id}/updates/{audience}",
    response_class=Response,
    responses=UPDATE_RESPONSES,
    summary="A stakeholder update written for one audience",
    description="Audiences: `executive` (status, overview, impact in numbers, next steps, next "
    "update due), `tactical` (conditions, actions, needs), `sales_cs` (affected named accounts, "
    "talking points, what to tell customers), `customer` (what happened, what we are doing, what "
    "you can do, when you will hear next) and `regulator` (formal response to a complaint: "
    "reference, facts, resolution offered). Each is fed only by communications addressed to its "
    "audience. Markdown by default.",
    dependencies=[require(Permission.READ_UPDATES, replaying=Permission.REPLAY)],
)
def read_update(
    escalation_id: UUID,
    audience: Annotated[str, Path(description=f"One of: {', '.join(AUDIENCES)}.")],
    document: DocumentDep,
) -> Response:
    if audience not in AUDIENCES:
        raise ProblemError("not-found", str(UnknownAudience(audience)))
    return document.answer(escalation_id, audience, "md", partial(update_view, audience))


@router.get(
    "/escalations/{escalation_id}/postmortem",
    response_class=Response,
    responses=POSTMORTEM_RESPONSES,
    summary="The post-mortem (root-cause report)",
    description="What the post-mortem recorded, with durations and a timeline computed from the "
    "events, and which revision it is (published revision N at T, or DRAFT). Stakeholders and "
    "analysts read only the published revision (404 `postmortem-not-published` before "
    "publication); managers and admins also read the draft, by default while none is published "
    "or with `?revision=draft`. 404 until a post-mortem is recorded, saying what to do first. "
    "Markdown by default.",
    dependencies=[require(Permission.READ_UPDATES, replaying=Permission.REPLAY)],
)
def read_postmortem(
    escalation_id: UUID,
    document: DocumentDep,
    revision: RevisionQuery = None,
) -> Response:
    drafts = may_read_drafts(document.request)
    if revision == DRAFT and not drafts:
        principal = document.request.state.principal
        raise ProblemError(
            "forbidden",
            f"the key {principal.name!r} has role {principal.role.value}, which reads only the "
            f"published post-mortem; roles that may read a draft: {', '.join(DRAFT_READERS)}",
        )
    build = partial(postmortem_view, revision=revision, may_read_drafts=drafts)
    return document.answer(escalation_id, "postmortem", "md", build)


DRAFT_READERS = roles_with(Permission.DRIVE)


def may_read_drafts(request: Request) -> bool:
    """Whoever may record the post-mortem may read its draft: the roles that drive
    escalations. Everyone else reads only the published revision. With authentication off there
    are no roles, and everyone may."""
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        return not request.app.state.container.settings.auth.enabled
    return Permission.DRIVE in ROLE_PERMISSIONS[principal.role]


TIMELINE_ENTRY = {
    "type": "object",
    "properties": {
        name: {"type": kind}
        for name, kind in {
            "time": "string",
            "version": "integer",
            "actor": "string",
            "kind": "string",
            "text": "string",
            "detail": "string",
            "internal": "boolean",
        }.items()
    },
}


@router.get(
    "/escalations/{escalation_id}/timeline",
    response_class=Response,
    responses=_responses("The timeline", {"type": "array", "items": TIMELINE_ENTRY}),
    summary="The escalation's timeline, one plain sentence per event",
    description="For the team: internal notes included (marked `internal`). JSON by default.",
    dependencies=[require(Permission.READ, replaying=Permission.REPLAY)],
)
def read_timeline(escalation_id: UUID, document: DocumentDep) -> Response:
    return document.answer(
        escalation_id, "timeline", "json", timeline_view, lambda view: to_plain(view.entries)
    )
