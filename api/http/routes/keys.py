"""API keys over HTTP, for admins: issue (the secret is shown once), list, revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.http.access import Permission, require
from api.http.deps import ContainerDep, actor_of
from api.http.problems import PROBLEM_JSON, Problem, ProblemError
from infra.keys import NAME_LIMIT, AccessRole, KeyRefused

router = APIRouter(tags=["keys"], dependencies=[require(Permission.MANAGE_KEYS)])

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Unreadable body"},
    404: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Unknown key"},
    409: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Already revoked"},
    422: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Invalid body"},
}


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str,
        Field(
            min_length=1,
            max_length=NAME_LIMIT,
            pattern=r"^\S(.*\S)?$",
            description="Who holds the key; recorded as the actor on every event it causes.",
            examples=["maria.chen"],
        ),
    ]
    role: AccessRole


class KeyRead(BaseModel):
    id: UUID
    name: str
    role: AccessRole
    hint: str = Field(description="The secret's first characters, to recognise it.")
    active: bool
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None
    revoked_by: str | None


class KeyIssued(KeyRead):
    secret: str = Field(description="Shown this once; only its SHA-256 digest is stored.")


class KeyList(BaseModel):
    items: list[KeyRead]


@router.get("/keys", response_model=KeyList, summary="Every API key issued, revoked ones too")
def list_keys(container: ContainerDep) -> dict[str, Any]:
    return {"items": [key.as_dict() for key in container.keys.all()]}


@router.post(
    "/keys",
    status_code=201,
    response_model=KeyIssued,
    responses=_PROBLEMS,
    summary="Issue an API key (the secret is in this answer only)",
)
def create_key(body: KeyCreate, request: Request, container: ContainerDep) -> JSONResponse:
    try:
        issued = container.keys.create(name=body.name, role=body.role, actor=actor_of(request))
    except KeyRefused as error:
        raise ProblemError("invalid-command", str(error)) from None
    payload = issued.info.as_dict() | {"secret": issued.secret}
    return JSONResponse(
        payload,
        status_code=201,
        headers={"Location": f"/keys/{issued.info.id}", "Cache-Control": "no-store"},
    )


@router.post(
    "/keys/{key_id}/revoke",
    response_model=KeyRead,
    responses=_PROBLEMS,
    summary="Revoke an API key: this server refuses it at once, others within the key cache window",
)
def revoke_key(key_id: UUID, request: Request, container: ContainerDep) -> dict[str, Any]:
    keys = container.keys
    try:
        known = keys.find(str(key_id))
    except KeyRefused as error:
        raise ProblemError("not-found", str(error)) from None
    try:
        return keys.revoke(str(known.id), actor=actor_of(request)).as_dict()
    except KeyRefused as error:
        raise ProblemError("rule-violated", str(error)) from None
