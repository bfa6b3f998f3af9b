"""Distribution lists and the outcomes of delivered communications, for those who drive
escalations (managers, admins): a list's members are people's work addresses, webhook endpoints
and Slack incoming webhooks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.http.access import Permission, require
from api.http.commands import PROBLEM_RESPONSES
from api.http.deps import ContainerDep, Moment, actor_of, call_store
from api.http.problems import ProblemError
from domain.distribution_list import ADDRESS_MAX, LIST_NAME_MAX, URL_MAX, MemberKind
from domain.values import Audience
from infra.bootstrap import Container
from infra.delivery.lists import ListNotFound

router = APIRouter(tags=["delivery"])
_DRIVE = [require(Permission.DRIVE)]


class ListCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=LIST_NAME_MAX, examples=["Executive team"])
    audience: Audience = Field(description="Every list of this audience receives its updates.")


class MemberAdd(BaseModel):
    """Exactly one of `address`, `webhook` and `slack`."""

    model_config = ConfigDict(extra="forbid")

    address: str | None = Field(
        default=None, min_length=1, max_length=ADDRESS_MAX, examples=["maria.chen@example.com"]
    )
    webhook: str | None = Field(
        default=None,
        min_length=1,
        max_length=URL_MAX,
        description="A webhook endpoint (https) that receives signed JSON; the answer shows its "
        "signing secret once.",
        examples=["https://hooks.example.com/escalations"],
    )
    slack: str | None = Field(
        default=None,
        min_length=1,
        max_length=URL_MAX,
        description="A Slack incoming-webhook URL.",
        examples=["https://hooks.slack.com/services/T000/B000/XXXX"],
    )
    owner: str | None = Field(
        default=None,
        max_length=ADDRESS_MAX,
        description="For an endpoint: the e-mail address told if it is disabled (by default "
        "the adding actor's, when that is an address).",
    )


class EndpointDisabledRead(BaseModel):
    at: str
    reason: str
    owner_notice: str


class EndpointRead(BaseModel):
    id: str = Field(description="Names the endpoint in DELETE .../members/{id}.")
    kind: str
    url: str
    recipient: str
    added_by: str
    owner: str
    added_at: str
    disabled: EndpointDisabledRead | None


class ListRead(BaseModel):
    id: UUID
    name: str
    audience: Audience
    members: list[str]
    created_at: str
    created_by: str
    version: int
    endpoints: list[EndpointRead] = Field(
        description="The webhook and Slack members (never their secrets)."
    )


class MemberAdded(ListRead):
    secret: str | None = Field(
        default=None,
        description="For a webhook: its `whsec_` signing secret, shown this once and never again.",
    )


class ListPage(BaseModel):
    items: list[ListRead]


class DeliveryRead(BaseModel):
    address: str = Field(
        description="The recipient: an e-mail address, webhook:<url> or slack:<url>"
    )
    kind: str = Field(description="email, webhook or slack")
    endpoint: str | None = Field(description="For a webhook or Slack recipient: its URL")
    state: str = Field(description="queued, sent, failed or bounced")
    attempts: int
    last_error: str | None
    sent_at: str | None
    retry_at: str | None = Field(description="When a failed recipient is tried again; null: never")
    message_id: str


class DeliveryPage(BaseModel):
    communication_id: str
    deliver: bool = Field(description="Whether the communication was sent for delivery at all.")
    taken_in: bool = Field(description="Whether the worker has resolved its recipients yet.")
    items: list[DeliveryRead]


async def _on_list(container: Container, call: Callable[[], Any]) -> Any:
    """Runs a store call on one list off the event loop; a list that is not there is a 404."""

    def found() -> Any:
        try:
            return call()
        except ListNotFound as missing:
            detail = f"{missing}; GET /distribution-lists lists them"
            raise ProblemError("not-found", detail) from None

    return await call_store(container, found)


@router.post(
    "/distribution-lists",
    status_code=201,
    response_model=ListRead,
    responses=PROBLEM_RESPONSES,
    summary="Create a distribution list for an audience",
    dependencies=_DRIVE,
)
async def create_list(body: ListCreate, request: Request, container: ContainerDep) -> JSONResponse:
    actor = actor_of(request)
    created = await call_store(
        container,
        lambda: container.lists.create(name=body.name, audience=body.audience, actor=actor),
    )
    return JSONResponse(
        created.as_dict(),
        status_code=201,
        headers={"Location": f"/distribution-lists/{created.id}"},
    )


@router.get(
    "/distribution-lists",
    response_model=ListPage,
    summary="Every distribution list, with its members",
    dependencies=_DRIVE,
)
async def list_lists(
    container: ContainerDep, audience: Annotated[Audience | None, Query()] = None
) -> dict[str, Any]:
    found = await call_store(container, lambda: container.lists.all(audience))
    return {"items": [lst.as_dict() for lst in found]}


@router.get(
    "/distribution-lists/{list_id}",
    response_model=ListRead,
    responses=PROBLEM_RESPONSES,
    summary="One distribution list, now or as it was",
    dependencies=[require(Permission.DRIVE, replaying=Permission.REPLAY)],
)
async def read_list(
    list_id: UUID,
    container: ContainerDep,
    as_of: Annotated[
        Moment | None,
        Query(description="The members at this moment (ISO 8601 with timezone)."),
    ] = None,
) -> dict[str, Any]:
    found = await _on_list(container, lambda: container.lists.get(list_id, as_of))
    return dict(found.as_dict())


@router.post(
    "/distribution-lists/{list_id}/members",
    status_code=201,
    response_model=MemberAdded,
    responses=PROBLEM_RESPONSES,
    summary="Add a member (an e-mail address, a webhook or a Slack webhook) to a list",
    dependencies=_DRIVE,
)
async def add_member(
    list_id: UUID, body: MemberAdd, request: Request, container: ContainerDep
) -> JSONResponse:
    actor = actor_of(request)
    given = {k: v for k, v in (("address", body.address), ("webhook", body.webhook),
                               ("slack", body.slack)) if v is not None}  # fmt: skip
    if len(given) != 1:
        raise ProblemError(
            "invalid-command",
            'send exactly one of "address" (e-mail), "webhook" or "slack" (a URL), e.g. '
            '{"webhook": "https://hooks.example.com/escalations"}',
        )
    [(field, value)] = given.items()
    if field == "address":
        if body.owner is not None:
            raise ProblemError("invalid-command", '"owner" is for webhook and Slack members only')
        changed = await _on_list(
            container, lambda: container.lists.add(list_id, address=value, actor=actor)
        )
        return JSONResponse(changed.as_dict(), status_code=201)
    allow_private = container.settings.delivery.webhook_allow_private

    def add() -> Any:
        return container.lists.add_endpoint(
            list_id, kind=MemberKind(field), url=value, actor=actor,
            allow_private=allow_private, owner=body.owner or "",
        )  # fmt: skip

    info, secret = await _on_list(container, add)
    return JSONResponse({**info.as_dict(), "secret": secret}, status_code=201)


@router.delete(
    "/distribution-lists/{list_id}/members/{address}",
    response_model=ListRead,
    responses=PROBLEM_RESPONSES,
    summary="Remove a member (its address, or an endpoint's id) from a list",
    dependencies=_DRIVE,
)
async def remove_member(
    list_id: UUID, address: str, request: Request, container: ContainerDep
) -> dict[str, Any]:
    actor = actor_of(request)
    changed = await _on_list(
        container, lambda: container.lists.remove(list_id, address=address, actor=actor)
    )
    return dict(changed.as_dict())


@router.get(
    "/escalations/{escalation_id}/communications/{communication_id}/deliveries",
    response_model=DeliveryPage,
    responses=PROBLEM_RESPONSES,
    summary="What became of a delivered communication, recipient by recipient",
    dependencies=_DRIVE,
)
async def deliveries(
    escalation_id: UUID, communication_id: str, container: ContainerDep
) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        escalation = container.app.get(escalation_id)
        communication = next(
            (c for c in escalation.communications if c["id"] == communication_id), None
        )
        if communication is None:
            raise ProblemError(
                "unknown-item",
                f"escalation {escalation_id} has no communication {communication_id!r}; "
                "GET /escalations/{id} lists its communications",
            )
        rows = container.outcomes.deliveries(str(escalation_id), communication_id)
        return {
            "communication_id": communication_id,
            "deliver": bool(communication.get("deliver")),
            "taken_in": rows is not None,
            "items": [row.as_dict() for row in rows or []],
        }

    return await call_store(container, read)


def recipients_queued(
    container: Container, escalation_id: UUID, response: JSONResponse
) -> JSONResponse:
    """The answer to a communication sent with `deliver` says how many recipients it goes to:
    the members of the audience's lists at the communication's time, as the worker will find."""
    payload = json.loads(bytes(response.body))
    communication_id = payload.get("created", {}).get("communication_id")
    escalation = container.app.get(escalation_id)
    communication = next(
        (c for c in escalation.communications if c["id"] == communication_id), None
    )
    if communication is None or not communication.get("deliver"):
        return response
    recipients = container.lists.recipients(communication["audience"], communication["at"])
    payload["delivery"] = {"recipients_queued": len(recipients)}
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return JSONResponse(payload, status_code=response.status_code, headers=headers)
