"""Data subjects: erasure (GDPR Art. 17, CCPA deletion) and its record. See docs/privacy.md.

An erasure is synchronous: when it answers 200, the subject's key is deleted, every escalation of
the subject records `CustomerDataErased`, and the registered views have purged the subject.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, ConfigDict, Field

from api.http.access import Permission, require
from api.http.commands import PROBLEM_RESPONSES
from api.http.deps import CommandContextDep, ContainerDep
from api.http.problems import ProblemError
from infra.erasure import erase_subject, erasure_record

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


class ErasureRecordRead(BaseModel):
    subject_id: str
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
    return {
        "subject_id": outcome.subject_id,
        "escalations": outcome.escalation_ids,
        "newly_erased": outcome.newly_erased,
        "key_deleted": outcome.key_deleted,
        "already_erased": outcome.already_erased,
        "first_erased_at": outcome.first_erased_at,
        "views_purged": outcome.views_purged,
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
    return {"subject_id": record.subject_id, "erasures": record.erasures}
