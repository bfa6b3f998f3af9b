"""Escalations walked through every status, with the moment each status was reached, so a test can
read every document as it stood in each status (`?as_of=`).

The messages are the kind the team really writes: a letter to the customer that greets by name
and promises a reply "within 2 business days" while the case is investigated. Later documents must
neither repeat such words once they no longer hold nor greet twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from infra.application import Escalations
from infra.demo.history import History
from tests.documents.scenarios import PERSON, T0

STALE_PROMISE = "We are looking into your refund and will reply within 2 business days."


@dataclass
class Walk:
    escalation_id: UUID
    scope: str
    moments: dict[str, datetime] = field(default_factory=dict)
    """Each status (`reopened` for investigating again after a resolution) and a moment in it."""


def _at(story: History, walk: Walk, status: str) -> None:
    """Remember a moment one minute into `status`, after what the step recorded."""
    walk.moments[status] = story.later(minutes=1)


def _say(story: History, minutes: float, audience: str, body: str, due_hours: float = 0) -> None:
    story.then(
        minutes,
        "communicate",
        actor="lee",
        audience=audience,
        channel="email",
        subject=f"News for {audience}",
        body=body,
        recipient_count=1,
        next_update_due=story.later(minutes=minutes, hours=due_hours) if due_hours else None,
    )


def walk_through_every_status(app: Escalations, scope: str) -> Walk:
    """triage, investigating, identified, monitoring, resolved, reopened, resolved again, closed."""
    if scope == "customer":
        fields = dict(
            title="Refund not received",
            scope="customer",
            source="bbb_complaint",
            severity="SEV3",
            customer=PERSON,
            account="Okafor Household",
            external_ref="BBB-2026-5521",
        )
    else:
        fields = dict(
            title="Sync stalls",
            scope="global",
            source="tools_outage",
            severity="SEV1",
            components=["Sync", "Sign-in"],
        )
    story = History.open(app, at=T0, actor="lee", **fields)
    walk = Walk(story.id, scope)
    _at(story, walk, "triage")
    story.then(5, "acknowledge", actor="lee")
    story.then(1, "assign_owner", actor="lee", owner="Lee Morgan", team="cx")
    story.then(1, "change_status", actor="lee", status="investigating")
    story.then(
        1,
        "assess_impact",
        actor="lee",
        customers_affected=1 if scope == "customer" else 12000,
        accounts=["Globex"],
        components={"Sync": "major_outage", "Sign-in": "degraded_performance"}
        if scope == "global"
        else {},
        summary="Customers cannot sync.",
    )
    greeting = "Hi Jane," if scope == "customer" else "Hello everyone,"
    _say(story, 1, "public", "We are investigating sync problems.", due_hours=1)
    _say(story, 1, "customer", f"{greeting}\n\n{STALE_PROMISE}", due_hours=48)
    _say(story, 1, "executive", "Investigating; next brief in an hour.", due_hours=1)
    _say(story, 1, "sales_cs", "Tell customers we are investigating.", due_hours=1)
    _say(story, 1, "internal", "Investigating the cache.", due_hours=1)
    _at(story, walk, "investigating")
    story.then(10, "change_status", actor="lee", status="identified")
    _at(story, walk, "identified")
    story.then(10, "change_status", actor="lee", status="monitoring")
    _at(story, walk, "monitoring")
    story.then(30, "resolve", actor="lee", summary="Rolled back.")
    _at(story, walk, "resolved")
    story.then(60, "reopen", actor="lee", reason="It came back.")
    _at(story, walk, "reopened")
    story.then(30, "resolve", actor="lee", summary="Fixed for good.")
    story.then(5, "close", actor="lee")
    _at(story, walk, "closed")
    return walk


def dismissed(app: Escalations, scope: str) -> Walk:
    """Received, then dismissed as not actionable from triage."""
    if scope == "customer":
        fields = dict(
            title="Question about the logo",
            scope="customer",
            source="email",
            severity="SEV4",
            customer=PERSON,
        )
    else:
        fields = dict(
            title="Reported slowness",
            scope="global",
            source="social",
            severity="SEV3",
            components=["Sync"],
        )
    story = History.open(app, at=T0 + timedelta(minutes=1), actor="lee", **fields)
    walk = Walk(story.id, scope)
    story.then(2, "dismiss", actor="lee", reason="not_actionable")
    _at(story, walk, "dismissed")
    return walk
