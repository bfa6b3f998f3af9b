"""The escalation workspace, read-only but for its status moves: `/console/escalations/{id}`.

Each move the domain allows from the current status (`domain/policies.py`'s table, and
acknowledging while unacknowledged) is a form that carries the version the page was rendered at.
The command runs with that version as If-Match: when someone changed the escalation since, nothing
is written and the answer shows what changed and offers to apply the move again on the new
version, never silently over the other person's change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from api.console.auth import PageError, container_of, form_of, signed_in
from api.console.pages import render
from api.console.work import target_label
from api.http.access import ROLE_PERMISSIONS, Permission
from domain.errors import DomainError
from domain.policies import TRANSITIONS
from domain.values import DismissalReason, Status
from infra.application import EscalationNotFound
from infra.commanding import StaleVersion
from infra.privacy.redaction import redacted_events
from infra.serialization import escalation_to_dict
from projections.documents.views import AUDIENCES, timeline_view
from projections.plain import to_plain
from projections.sla import targets

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Move:
    """One button of the workspace: the form's action, its label and the fields it asks for."""

    action: str
    label: str
    use_case: str
    fixed: tuple[tuple[str, str], ...] = ()
    fields: tuple[str, ...] = ()

    def arguments(self, form: dict[str, str]) -> dict[str, Any]:
        given = {name: form.get(name, "").strip() for name in self.fields}
        return {**dict(self.fixed), **given}


FIELD_LABELS = {
    "summary": "Resolution summary",
    "override_reason": "Why unmet exit criteria no longer apply (if any)",
    "reason": "Reason",
    "note": "Note",
}


def moves(state: dict[str, Any]) -> list[Move]:
    status = Status(state["status"])
    found: list[Move] = []
    if state["acknowledged_at"] is None and status.is_open:
        found.append(Move("acknowledge", "Acknowledge", "acknowledge"))
    for target, command in TRANSITIONS[status].items():
        if command == "status":
            found.append(
                Move(
                    f"status-{target.value}",
                    f"Move to {target.value}",
                    "change_status",
                    fixed=(("status", target.value),),
                )
            )
        elif command == "resolve":
            found.append(
                Move("resolve", "Resolve", "resolve", fields=("summary", "override_reason"))
            )
        elif command == "dismiss":
            found.append(Move("dismiss", "Dismiss", "dismiss", fields=("reason", "note")))
        elif command == "reopen":
            found.append(Move("reopen", "Reopen", "reopen", fields=("reason",)))
        elif command == "close":
            found.append(Move("close", "Close", "close", fields=("reason",)))
    return found


def _workspace(request: Request, escalation_id: UUID) -> dict[str, Any]:
    container = container_of(request)
    app = container.app
    try:
        escalation = app.get(escalation_id)
        events = list(app.events.get(escalation_id))
    except EscalationNotFound as error:
        raise PageError(404, "No such escalation", str(error)) from None
    personal = bool(getattr(request.state, "sees_personal_data", False))
    if not personal:
        events = redacted_events(events)
    state = escalation_to_dict(escalation, personal=personal)
    timeline = to_plain(timeline_view(events, now=app.clock()).entries)
    links = container.console.share_links.for_escalation(escalation_id)
    granted = ROLE_PERMISSIONS[request.state.principal.role]
    return {
        "can_drive": Permission.DRIVE in granted,
        "clocks": _clocks(request, str(escalation_id)),
        "state": state,
        "moves": moves(state),
        "timeline": list(reversed(timeline)),
        "field_labels": FIELD_LABELS,
        "dismissal_reasons": [r.value for r in DismissalReason],
        "audiences": AUDIENCES,
        "share_links": links,
        "base_url": container.settings.http.base_url,
        "refused": "",
    }


def _clocks(request: Request, escalation_id: str) -> list[dict[str, Any]]:
    """The SLA targets and legal deadline where they stand now, as the queue measures them
    (from the cases view, which holds open escalations only)."""
    container = container_of(request)
    docs = request.app.state.reads.views["cases"].open_cases()
    doc = next((d for d in docs if d["id"] == escalation_id), None)
    if doc is None:
        return []
    return [
        {"what": target_label(s.target), "state": s.state, "due_at": s.due_at, "met_at": s.met_at}
        for s in targets(doc, container.sla_policy, container.app.clock())
        if s.state != "not_applicable"
    ]


@router.get("/console/escalations/{escalation_id}", dependencies=[signed_in(Permission.READ)])
async def workspace(request: Request, escalation_id: UUID) -> Response:
    context = await run_in_threadpool(_workspace, request, escalation_id)
    return render(request, "escalation.html.j2", context)


@router.post(
    "/console/escalations/{escalation_id}/moves/{action}",
    dependencies=[signed_in(Permission.DRIVE)],
)
async def make_move(request: Request, escalation_id: UUID, action: str) -> Response:
    form = await form_of(request)
    return await run_in_threadpool(_make_move, request, escalation_id, action, form)


def _make_move(
    request: Request, escalation_id: UUID, action: str, form: dict[str, str]
) -> Response:
    container = container_of(request)
    actor = request.state.principal.name
    context = _workspace(request, escalation_id)
    # The move is looked up among those of the state it was rendered at: a move that was
    # offered then but is gone now is still a conflict to show, not an unknown button.
    try:
        version = int(form.get("version", ""))
    except ValueError:
        raise PageError(
            422, "The form is incomplete", "The form has no version; reload the page."
        ) from None
    try:
        rendered_at = container.app.get(escalation_id, version=version) if version >= 1 else None
    except EscalationNotFound:
        rendered_at = None
    offered = moves(escalation_to_dict(rendered_at)) if rendered_at is not None else []
    move = next((m for m in offered if m.action == action), None)
    if move is None:
        raise PageError(404, "No such action", f"{action!r} is not a move this page offered.")
    try:
        container.app.run(
            move.use_case,
            escalation_id,
            actor=actor,
            expected_version=version,
            **move.arguments(form),
        )
    except StaleVersion as stale:
        changed = [entry for entry in context["timeline"] if entry["version"] > stale.expected]
        still_offered = any(m.action == action for m in context["moves"])
        return render(
            request,
            "conflict.html.j2",
            {
                **context,
                "move": move,
                "form": form,
                "changed": changed,
                "rendered_version": stale.expected,
                "still_offered": still_offered,
            },
            status=409,
        )
    except DomainError as refused:
        return render(
            request, "escalation.html.j2", {**context, "refused": str(refused)}, status=409
        )
    return RedirectResponse(f"/console/escalations/{escalation_id}", status_code=303)
