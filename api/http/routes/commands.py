"""One route per command (DESIGN.md section 5), declared as a table.

Each row names the URL suffix, the request model and the `Escalation` method it calls; the body's
fields (and any path parameters) become the method's keyword arguments. Every route takes
If-Match and Idempotency-Key and answers with `CommandAccepted`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.http import models as m
from api.http.access import Permission, require
from api.http.commands import PROBLEM_RESPONSES, act, run
from api.http.deps import COMMAND_HEADERS, CommandContextDep, call_store
from domain.escalation import Escalation

router = APIRouter(tags=["commands"])


@dataclass(frozen=True)
class CommandRoute:
    path: str
    summary: str
    model: type[BaseModel]
    method: Callable[..., Any]
    created: str | None = None  # key under which the method's return value is reported
    optional_body: bool = False  # a command with nothing to say may be sent without a body
    other_escalation: str | None = None  # body field naming a second escalation to load and save


COMMANDS = (
    CommandRoute("acknowledge", "Acknowledge", m.Acknowledge, Escalation.acknowledge, optional_body=True),
    CommandRoute("severity", "Change severity", m.SeverityChange, Escalation.change_severity),
    CommandRoute("status", "Move to investigating, identified or monitoring", m.StatusChange, Escalation.change_status),
    CommandRoute("impact", "Assess impact", m.ImpactAssessment, Escalation.assess_impact),
    CommandRoute("owner", "Assign the owner", m.OwnerAssignment, Escalation.assign_owner),
    CommandRoute("participants", "Add a participant", m.ParticipantAdd, Escalation.add_participant),
    CommandRoute("participants/{name}/leave", "A participant leaves", m.ParticipantRemove, Escalation.remove_participant, optional_body=True),
    CommandRoute("notes", "Add an internal note", m.NoteAdd, Escalation.add_note, created="note_id"),
    CommandRoute("exit-criteria", "Define exit criteria", m.ExitCriteriaDefine, Escalation.define_exit_criteria, created="criterion_ids"),
    CommandRoute("exit-criteria/{criterion_id}/met", "Mark an exit criterion met", m.ExitCriterionMeet, Escalation.meet_exit_criterion, optional_body=True),
    CommandRoute("deescalation", "Plan the de-escalation", m.DeescalationPlan, Escalation.plan_deescalation),
    CommandRoute("action-items", "Add an action item", m.ActionItemAdd, Escalation.add_action_item, created="action_item_id"),
    CommandRoute("action-items/{action_id}/complete", "Complete an action item", m.ActionItemComplete, Escalation.complete_action_item, optional_body=True),
    CommandRoute("links", "Link a customer case to this global escalation (recorded on both streams)", m.CaseLink, Escalation.link_case, other_escalation="case_id"),
    CommandRoute("communications", "Record a communication to an audience", m.CommunicationSend, Escalation.communicate, created="communication_id"),
    CommandRoute("resolve", "Resolve (exit criteria met, or an override reason)", m.Resolve, Escalation.resolve),
    CommandRoute("reopen", "Reopen a resolved escalation", m.Reopen, Escalation.reopen),
    CommandRoute("postmortem", "Record the post-mortem", m.PostMortemRecord, Escalation.record_postmortem),
    CommandRoute("postmortem/publish", "Publish the post-mortem", m.PostMortemPublish, Escalation.publish_postmortem, optional_body=True),
    CommandRoute("feedback", "Record CSAT / NPS", m.Feedback, Escalation.receive_feedback),
    CommandRoute("close", "Close (final)", m.Close, Escalation.close, optional_body=True),
    CommandRoute("dismiss", "Dismiss as spam, duplicate or not actionable (final)", m.Dismiss, Escalation.dismiss),
    CommandRoute("deadline-extension", "Extend a legal deadline, with notice to the requester", m.DeadlineExtension, Escalation.extend_deadline),
)  # fmt: skip


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _arguments(model: BaseModel) -> dict[str, Any]:
    """The body's fields as the domain method's keyword arguments (ids as text, as stored)."""
    return {k: str(v) if isinstance(v, UUID) else v for k, v in model.model_dump().items()}


def _endpoint(spec: CommandRoute) -> Callable[..., Awaitable[JSONResponse]]:
    path_params = _path_params(spec.path)

    async def endpoint(**values: Any) -> JSONResponse:
        body: BaseModel | None = values["body"]
        arguments = _arguments(body if body is not None else spec.model())
        arguments.update({name: values[name] for name in path_params})
        also: list[UUID] = []
        if spec.other_escalation:
            also.append(UUID(arguments.pop(spec.other_escalation)))
        context = values["context"]
        action = act(spec.method, spec.created, actor=context.actor, **arguments)
        return await call_store(
            context.container,
            lambda: run(
                values["request"], context, values["escalation_id"], body, action, also=also
            ),
        )

    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter("escalation_id", keyword, annotation=UUID),
        *(inspect.Parameter(name, keyword, annotation=str) for name in path_params),
        inspect.Parameter("request", keyword, annotation=Request),
        inspect.Parameter("context", keyword, annotation=CommandContextDep),
        inspect.Parameter("body", keyword, annotation=spec.model | None, default=Body(default=None))
        if spec.optional_body
        else inspect.Parameter("body", keyword, annotation=spec.model),
    ]
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = spec.method.__name__
    endpoint.__doc__ = inspect.getdoc(spec.method)
    return endpoint


for _spec in COMMANDS:
    router.add_api_route(
        f"/escalations/{{escalation_id}}/{_spec.path}",
        _endpoint(_spec),
        methods=["POST"],
        summary=_spec.summary,
        response_model=m.CommandAccepted,
        responses=PROBLEM_RESPONSES,
        operation_id=_spec.method.__name__,
        openapi_extra=COMMAND_HEADERS,
        dependencies=[require(Permission.DRIVE)],
    )
