"""One route per command, declared as a table.

Each row names the URL suffix, the request model and the use case it runs (`infra/use_cases.py`);
the body's fields (and any path parameters) become the use case's arguments. Every route takes
If-Match and Idempotency-Key and answers with `CommandAccepted`. One more command, following a
resolved global escalation with its linked cases, writes on other streams than its own and has a
route of its own below the table.
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
from api.http.commands import PROBLEM_RESPONSES, accepted, run
from api.http.deps import COMMAND_HEADERS, CommandContextDep, call_store
from api.http.routes.delivery import recipients_queued
from infra.bootstrap import Container
from infra.use_cases import use_case

router = APIRouter(tags=["commands"])


@dataclass(frozen=True)
class CommandRoute:
    path: str
    summary: str
    model: type[BaseModel]
    use_case: str  # the name in infra/use_cases.py
    optional_body: bool = False  # a command with nothing to say may be sent without a body
    answer: Callable[[Container, UUID, JSONResponse], JSONResponse] | None = None
    """Adds to the command's answer what only this command can say."""
    description: str | None = None  # the reference's text; else the domain method's docstring


RESOLVE = """Resolve the escalation: every exit criterion met, or an `override_reason` that says
why the unmet ones no longer apply. Resolving settles what the escalation said: its
`next_update_due` is cleared (updates promised before are released) and its components read
`operational`.

A global escalation's answer lists its linked cases that are still open (`linked_open`). With
`"resolve_linked": true` (or, when the field is omitted, with ESCALATIONS_LINKED_CASES_FOLLOW=true)
each of them is resolved too, on its own stream, by the same actor, with the summary "resolved
with global escalation <title> (<id>)" and `resolved_with` naming this escalation; a case's unmet
exit criteria are overridden with that reason. The answer then says which cases were resolved
(`linked_resolved`), which had ended on their own and were left as they were
(`linked_already_ended`) and which could not follow, with why (`linked_refused`). Send a retry
with the same Idempotency-Key: it completes a follow that a failure cut short, and resolves no
case twice. `POST /escalations/{id}/links/resolve` does the same after the fact."""

COMMANDS = (
    CommandRoute("acknowledge", "Acknowledge", m.Acknowledge, "acknowledge", optional_body=True),
    CommandRoute("severity", "Change severity", m.SeverityChange, "change_severity"),
    CommandRoute("status", "Move to investigating, identified or monitoring", m.StatusChange, "change_status"),
    CommandRoute("impact", "Assess impact", m.ImpactAssessment, "assess_impact"),
    CommandRoute("owner", "Assign the owner", m.OwnerAssignment, "assign_owner"),
    CommandRoute("participants", "Add a participant", m.ParticipantAdd, "add_participant"),
    CommandRoute("participants/{name}/leave", "A participant leaves", m.ParticipantRemove, "remove_participant", optional_body=True),
    CommandRoute("notes", "Add an internal note", m.NoteAdd, "add_note"),
    CommandRoute("exit-criteria", "Define exit criteria", m.ExitCriteriaDefine, "define_exit_criteria"),
    CommandRoute("exit-criteria/{criterion_id}/met", "Mark an exit criterion met", m.ExitCriterionMeet, "meet_exit_criterion", optional_body=True),
    CommandRoute("deescalation", "Plan the de-escalation", m.DeescalationPlan, "plan_deescalation"),
    CommandRoute("action-items", "Add an action item", m.ActionItemAdd, "add_action_item"),
    CommandRoute("action-items/{action_id}/complete", "Complete an action item", m.ActionItemComplete, "complete_action_item", optional_body=True),
    CommandRoute("links", "Link a customer case to this global escalation (recorded on both streams)", m.CaseLink, "link_case"),
    CommandRoute("communications", "Record a communication to an audience, and deliver it to the audience's lists with deliver", m.CommunicationSend, "communicate", answer=recipients_queued),
    CommandRoute("resolve", "Resolve (exit criteria met, or an override reason)", m.Resolve, "resolve", description=RESOLVE),
    CommandRoute("reopen", "Reopen a resolved escalation", m.Reopen, "reopen"),
    CommandRoute("postmortem", "Record the post-mortem", m.PostMortemRecord, "record_postmortem"),
    CommandRoute("postmortem/publish", "Publish the post-mortem", m.PostMortemPublish, "publish_postmortem", optional_body=True),
    CommandRoute("feedback", "Record CSAT / NPS", m.Feedback, "receive_feedback"),
    CommandRoute("close", "Close (final)", m.Close, "close", optional_body=True),
    CommandRoute("dismiss", "Dismiss as spam, duplicate or not actionable (final)", m.Dismiss, "dismiss"),
    CommandRoute("deadline-extension", "Extend a legal deadline, with notice to the requester", m.DeadlineExtension, "extend_deadline"),
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
        context = values["context"]

        def call() -> JSONResponse:
            escalation_id = values["escalation_id"]
            answer = run(values["request"], context, escalation_id, body, spec.use_case, arguments)
            return spec.answer(context.container, escalation_id, answer) if spec.answer else answer

        return await call_store(context.container, call)

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
    endpoint.__name__ = spec.use_case
    endpoint.__doc__ = spec.description or inspect.getdoc(use_case(spec.use_case).method)
    return endpoint


for _spec in COMMANDS:
    router.add_api_route(
        f"/escalations/{{escalation_id}}/{_spec.path}",
        _endpoint(_spec),
        methods=["POST"],
        summary=_spec.summary,
        response_model=m.CommandAccepted,
        responses=PROBLEM_RESPONSES,
        operation_id=_spec.use_case,
        openapi_extra=COMMAND_HEADERS,
        dependencies=[require(Permission.DRIVE)],
    )


@router.post(
    "/escalations/{escalation_id}/links/resolve",
    summary="Resolve the linked cases still open with this resolved global escalation",
    response_model=m.CommandAccepted,
    responses=PROBLEM_RESPONSES,
    operation_id="follow_resolution",
    openapi_extra=COMMAND_HEADERS,
    dependencies=[require(Permission.DRIVE)],
)
async def follow_resolution(escalation_id: UUID, context: CommandContextDep) -> JSONResponse:
    """Resolve every linked case that is still open with this global escalation, which is
    resolved (or closed since): what `resolve_linked` does, for a resolve that did not ask for it
    or was cut short. Each case is resolved as by `resolve_linked`, by the actor who resolved
    this escalation; nothing is written on this escalation's stream. It is idempotent by itself:
    run again, it resolves no case twice (an Idempotency-Key is accepted and changes nothing).
    409 when this escalation is not global or not resolved."""

    def call() -> JSONResponse:
        result = context.container.app.follow_resolution(
            escalation_id, expected_version=context.if_match
        )
        return accepted(context, result)

    return await call_store(context.container, call)
