"""One route per command (DESIGN.md section 5). Each takes If-Match and Idempotency-Key."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from api.http import models as m
from api.http.commands import PROBLEM_RESPONSES, act, run
from api.http.deps import ActorDep, ContainerDep, IdempotencyKeyDep, IfMatchDep
from domain.escalation import Escalation

router = APIRouter(tags=["commands"])

_ROUTE: dict[str, Any] = {"response_model": m.CommandAccepted, "responses": PROBLEM_RESPONSES}
_NO_BODY = Body(default=None)


@router.post("/escalations/{escalation_id}/acknowledge", summary="Acknowledge", **_ROUTE)
def acknowledge(
    escalation_id: UUID,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
    body: m.Acknowledge | None = _NO_BODY,
) -> JSONResponse:
    action = act(Escalation.acknowledge, actor=actor)
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/escalations/{escalation_id}/severity", summary="Change severity", **_ROUTE)
def change_severity(
    escalation_id: UUID,
    body: m.SeverityChange,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(
        Escalation.change_severity, actor=actor, severity=body.severity, reason=body.reason
    )
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/escalations/{escalation_id}/status", summary="Move to another status", **_ROUTE)
def change_status(
    escalation_id: UUID,
    body: m.StatusChange,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(Escalation.change_status, actor=actor, status=body.status, reason=body.reason)
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/escalations/{escalation_id}/impact", summary="Assess impact", **_ROUTE)
def assess_impact(
    escalation_id: UUID,
    body: m.ImpactAssessment,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(Escalation.assess_impact, actor=actor, **body.model_dump())
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/escalations/{escalation_id}/owner", summary="Assign the owner", **_ROUTE)
def assign_owner(
    escalation_id: UUID,
    body: m.OwnerAssignment,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(Escalation.assign_owner, actor=actor, owner=body.owner, team=body.team)
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/escalations/{escalation_id}/participants", summary="Add a participant", **_ROUTE)
def add_participant(
    escalation_id: UUID,
    body: m.ParticipantAdd,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(
        Escalation.add_participant, actor=actor, name=body.name, role=body.role, team=body.team
    )
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/escalations/{escalation_id}/participants/{name}/leave",
    summary="A participant leaves",
    **_ROUTE,
)
def remove_participant(
    escalation_id: UUID,
    name: str,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
    body: m.ParticipantRemove | None = _NO_BODY,
) -> JSONResponse:
    reason = body.reason if body else ""
    action = act(Escalation.remove_participant, actor=actor, name=name, reason=reason)
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/escalations/{escalation_id}/notes", summary="Add an internal note", **_ROUTE)
def add_note(
    escalation_id: UUID,
    body: m.NoteAdd,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(Escalation.add_note, "note_id", actor=actor, text=body.text)
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/escalations/{escalation_id}/exit-criteria", summary="Define exit criteria", **_ROUTE)
def define_exit_criteria(
    escalation_id: UUID,
    body: m.ExitCriteriaDefine,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(
        Escalation.define_exit_criteria, "criterion_ids", actor=actor, criteria=body.criteria
    )
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/escalations/{escalation_id}/exit-criteria/{criterion_id}/met",
    summary="Mark an exit criterion met",
    **_ROUTE,
)
def meet_exit_criterion(
    escalation_id: UUID,
    criterion_id: str,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
    body: m.ExitCriterionMeet | None = _NO_BODY,
) -> JSONResponse:
    evidence = body.evidence if body else ""
    action = act(
        Escalation.meet_exit_criterion, actor=actor, criterion_id=criterion_id, evidence=evidence
    )
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/escalations/{escalation_id}/deescalation", summary="Plan the de-escalation", **_ROUTE
)
def plan_deescalation(
    escalation_id: UUID,
    body: m.DeescalationPlan,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(
        Escalation.plan_deescalation, actor=actor, strategy=body.strategy, steps=body.steps
    )
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/escalations/{escalation_id}/action-items", summary="Add an action item", **_ROUTE)
def add_action_item(
    escalation_id: UUID,
    body: m.ActionItemAdd,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(Escalation.add_action_item, "action_item_id", actor=actor, **body.model_dump())
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/escalations/{escalation_id}/action-items/{action_id}/complete",
    summary="Complete an action item",
    **_ROUTE,
)
def complete_action_item(
    escalation_id: UUID,
    action_id: str,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
    body: m.ActionItemComplete | None = _NO_BODY,
) -> JSONResponse:
    note = body.note if body else ""
    action = act(Escalation.complete_action_item, actor=actor, action_id=action_id, note=note)
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/escalations/{escalation_id}/links",
    summary="Link a customer case to this global escalation (recorded on both streams)",
    **_ROUTE,
)
def link_case(
    escalation_id: UUID,
    body: m.CaseLink,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(Escalation.link_case, actor=actor)
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key, also=[body.case_id],
    )  # fmt: skip


@router.post(
    "/escalations/{escalation_id}/communications", summary="Record a communication", **_ROUTE
)
def communicate(
    escalation_id: UUID,
    body: m.CommunicationSend,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(Escalation.communicate, "communication_id", actor=actor, **body.model_dump())
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/escalations/{escalation_id}/resolve", summary="Resolve", **_ROUTE)
def resolve(
    escalation_id: UUID,
    body: m.Resolve,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(Escalation.resolve, actor=actor, **body.model_dump())
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/escalations/{escalation_id}/reopen", summary="Reopen a resolved escalation", **_ROUTE
)
def reopen(
    escalation_id: UUID,
    body: m.Reopen,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(Escalation.reopen, actor=actor, reason=body.reason)
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/escalations/{escalation_id}/postmortem", summary="Record the post-mortem", **_ROUTE)
def record_postmortem(
    escalation_id: UUID,
    body: m.PostMortemRecord,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(Escalation.record_postmortem, actor=actor, **body.model_dump())
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/escalations/{escalation_id}/postmortem/publish", summary="Publish the post-mortem", **_ROUTE
)
def publish_postmortem(
    escalation_id: UUID,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
    body: m.PostMortemPublish | None = _NO_BODY,
) -> JSONResponse:
    action = act(Escalation.publish_postmortem, actor=actor)
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/escalations/{escalation_id}/feedback", summary="Record CSAT / NPS", **_ROUTE)
def receive_feedback(
    escalation_id: UUID,
    body: m.Feedback,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(Escalation.receive_feedback, actor=actor, **body.model_dump())
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/escalations/{escalation_id}/close", summary="Close (final)", **_ROUTE)
def close(
    escalation_id: UUID,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
    body: m.Close | None = _NO_BODY,
) -> JSONResponse:
    action = act(Escalation.close, actor=actor, reason=body.reason if body else "")
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/escalations/{escalation_id}/dismiss",
    summary="Dismiss as spam, duplicate or not actionable (final)",
    **_ROUTE,
)
def dismiss(
    escalation_id: UUID,
    body: m.Dismiss,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    duplicate_of = str(body.duplicate_of) if body.duplicate_of else None
    action = act(
        Escalation.dismiss,
        actor=actor,
        reason=body.reason,
        note=body.note,
        duplicate_of=duplicate_of,
    )
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/escalations/{escalation_id}/deadline-extension",
    summary="Extend a legal deadline, with notice to the requester",
    **_ROUTE,
)
def extend_deadline(
    escalation_id: UUID,
    body: m.DeadlineExtension,
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    action = act(Escalation.extend_deadline, actor=actor, **body.model_dump())
    return run(
        request, container, escalation_id, body, action,
        if_match=if_match, idempotency_key=idempotency_key,
    )  # fmt: skip
