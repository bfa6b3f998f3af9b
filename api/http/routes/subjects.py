"""Data subjects: erasure (GDPR Art. 17, CCPA deletion) and its record. See docs/privacy.md.

An erasure is synchronous: when it answers, the subject's key is deleted, every escalation of the
subject records `CustomerDataErased`, and the registered views have purged the subject. Its
`state` says whether the key's bytes are gone from the store's files or pages (`erased`) or still
reachable because a reader holds them (`pending`, with the reason); a pending erasure completes by
itself (infra/shredding.py) and `GET /subjects/{id}/erasure` shows when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.http.access import Permission, require
from api.http.commands import PROBLEM_RESPONSES
from api.http.deps import CommandContextDep, ContainerDep
from api.http.problems import ProblemError
from infra.erasure import ErasureOutcome, erase_by_identifier, erase_subject, erasure_record
from infra.privacy.identifiers import KINDS, UnusableIdentifier, normalised

# Erasing, and reading who was erased when, are the admins' (docs/privacy.md).
router = APIRouter(tags=["privacy"], dependencies=[require(Permission.ERASE)])

SubjectPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        description="The data subject id: `customer.subject_id` of the subject's escalations.",
    ),
]


class ErasureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: UUID | None = Field(
        default=None,
        description="The privacy-request escalation that asked for this erasure, kept in the "
        "erasure record so the legal case and its outcome point at each other.",
    )


class ErasureByIdentifier(ErasureRequest):
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=320)
    account_id: str | None = Field(default=None, max_length=320)

    @field_validator(*KINDS)
    @classmethod
    def _usable(cls, value: str | None, info: Any) -> str | None:
        if value is not None:
            try:
                normalised(info.field_name, value)
            except UnusableIdentifier as error:
                raise ValueError(str(error)) from None
        return value

    @model_validator(mode="after")
    def _names_someone(self) -> ErasureByIdentifier:
        if not self.identifiers():
            raise ValueError(f"name the person by at least one of: {', '.join(KINDS)}")
        return self

    def identifiers(self) -> dict[str, str]:
        return {kind: v for kind in KINDS if (v := getattr(self, kind)) is not None}


State = Field(
    description="`erased`: the key can no longer be recovered from the store's files or pages. "
    "`pending`: deleted, but a reader still holds its bytes (see `pending_reason`); it "
    "completes by itself once the readers are gone."
)


class ErasureDone(BaseModel):
    subject_id: str
    escalations: list[UUID] = Field(
        description="Every escalation that held the subject's data; all now read as erased."
    )
    newly_erased: list[UUID] = Field(description="Where this request recorded CustomerDataErased.")
    key_deleted: bool = Field(description="This request deleted the subject's key.")
    already_erased: bool = Field(description="An earlier erasure had done everything already.")
    first_erased_at: datetime
    views_purged: list[str]
    state: str = State
    pending_reason: str | None


class ErasuresDone(BaseModel):
    subjects: list[ErasureDone] = Field(description="Every subject that held the identifiers.")
    state: str = State


class ErasureRecordRead(BaseModel):
    subject_id: str
    state: str = State
    pending_reason: str | None
    shredded_at: datetime | None = Field(
        description="When the deleted key was last found gone from the store."
    )
    erasures: list[dict[str, Any]] = Field(
        description="Each erasure: when (`at`), by whom (`by`), the escalations it marked, "
        "whether it deleted the key, and the request it answered."
    )


@router.post(
    "/subjects/{subject_id}/erasure",
    response_model=ErasureDone,
    responses={k: v for k, v in PROBLEM_RESPONSES.items() if k in (400, 404, 409, 422, 503)},
    summary="Erase a data subject's personal data (crypto-shredding)",
)
def erase(
    subject_id: SubjectPath,
    context: CommandContextDep,
    body: Annotated[ErasureRequest | None, Body()] = None,
) -> dict[str, Any]:
    container = context.container
    outcome = erase_subject(
        container.app,
        subject_id,
        actor=context.actor,
        request_id=str(body.request_id) if body and body.request_id else None,
        hooks=container.erasure_hooks,
    )
    return done(outcome)


@router.post(
    "/erasures",
    response_model=ErasuresDone,
    responses={k: v for k, v in PROBLEM_RESPONSES.items() if k in (400, 404, 409, 422, 503)},
    summary="Erase every data subject holding an e-mail address, phone number or account id",
)
def erase_identified(body: ErasureByIdentifier, context: CommandContextDep) -> dict[str, Any]:
    container = context.container
    outcomes = erase_by_identifier(
        container.app,
        body.identifiers(),
        actor=context.actor,
        request_id=str(body.request_id) if body.request_id else None,
        hooks=container.erasure_hooks,
    )
    pending = any(outcome.state == "pending" for outcome in outcomes)
    return {"subjects": [done(o) for o in outcomes], "state": "pending" if pending else "erased"}


def done(outcome: ErasureOutcome) -> dict[str, Any]:
    return {
        "subject_id": outcome.subject_id,
        "escalations": outcome.escalation_ids,
        "newly_erased": outcome.newly_erased,
        "key_deleted": outcome.key_deleted,
        "already_erased": outcome.already_erased,
        "first_erased_at": outcome.first_erased_at,
        "views_purged": outcome.views_purged,
        "state": outcome.state,
        "pending_reason": outcome.pending_reason,
    }


@router.get(
    "/subjects/{subject_id}/erasure",
    response_model=ErasureRecordRead,
    responses={k: v for k, v in PROBLEM_RESPONSES.items() if k in (404, 422, 503)},
    summary="The record of a data subject's erasures",
)
def read_erasure(subject_id: SubjectPath, container: ContainerDep) -> dict[str, Any]:
    record = erasure_record(container.app, subject_id)
    if record is None:
        raise ProblemError("subject-not-found", f"data subject {subject_id!r} was never erased")
    return {
        "subject_id": record.subject_id,
        "erasures": record.erasures,
        "state": "pending" if record.pending else "erased",
        "pending_reason": record.pending_reason,
        "shredded_at": record.shredded_at,
    }
