"""Two escalations told through their events, with a marker string in every piece of text that
has one audience, so that a test can see exactly which words reached which document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from infra.application import Escalations

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=2)

MARKERS = {
    "note": "NOTE-7F3A-internal-only",
    "internal": "INTERNAL-UPDATE-51C2",
    "executive": "EXEC-BRIEF-88D1",
    "sales_cs": "SALES-BRIEF-4B7E",
    "customer": "CUSTOMER-LETTER-2C9D",
    "public": "PUBLIC-STATEMENT-6A0F",
    "regulator": "REGULATOR-STATEMENT-93E4",
    "description": "DESCRIPTION-INTAKE-0D5B",
    "resolution": "RESOLUTION-SUMMARY-7E21",
}
PERSON = {"name": "Jane Okafor", "email": "jane.okafor@example.org", "phone": "+1 410 555 0142"}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _run(
    app: Escalations, escalation_id: UUID, minutes: float, command: Callable[..., Any]
) -> None:
    def action(escalation: Any, at: datetime) -> None:
        command(escalation, at)

    app.execute(escalation_id, action, at=at(minutes))


def global_outage(app: Escalations, *, through_postmortem: bool = True) -> UUID:
    """A SEV1 sync outage: acknowledged, assessed, communicated to every audience, mitigated,
    resolved, and (optionally) written up."""
    escalation_id = app.open(
        actor="dana",
        at=at(0),
        title="Sync stalls for EU customers",
        scope="global",
        source="tools_outage",
        severity="SEV1",
        description=f"Monitoring alert on sync latency. {MARKERS['description']}",
        components=["Sync", "Sign-in"],
    ).escalation_id
    steps: list[tuple[float, Callable[..., Any]]] = [
        (5, lambda e, t: e.acknowledge(actor="dana", at=t)),
        (6, lambda e, t: e.assign_owner(actor="dana", at=t, owner="Dana Reyes", team="cx")),
        (8, lambda e, t: e.change_status(actor="dana", at=t, status="investigating")),
        (
            10,
            lambda e, t: e.assess_impact(
                actor="dana",
                at=t,
                customers_affected=12400,
                accounts=["Globex", "Initech"],
                regions=["EU"],
                segments=["Enterprise"],
                revenue_at_risk=250000,
                components={"Sync": "major_outage", "Sign-in": "degraded_performance"},
                summary="Files saved in the EU are not syncing to other devices.",
            ),
        ),
        (11, lambda e, t: e.add_note(actor="sam", at=t, text=f"Suspect cache {MARKERS['note']}")),
        (
            12,
            lambda e, t: e.define_exit_criteria(
                actor="dana", at=t, criteria=["Sync latency under 5 s for 1 hour"]
            ),
        ),
        (
            13,
            lambda e, t: e.plan_deescalation(
                actor="dana", at=t, strategy="Roll back the cache change, then monitor."
            ),
        ),
        (
            14,
            lambda e, t: e.add_action_item(
                actor="dana", at=t, description="Roll back cache", owner="Sam Lee", kind="mitigate"
            ),
        ),
        (15, lambda e, t: _say(e, t, "internal", "slack", MARKERS["internal"], 30)),
        (16, lambda e, t: _say(e, t, "executive", "email", MARKERS["executive"], 60)),
        (17, lambda e, t: _say(e, t, "sales_cs", "email", MARKERS["sales_cs"], 60)),
        (18, lambda e, t: _say(e, t, "public", "status_page", MARKERS["public"], 30, 12400)),
        (19, lambda e, t: _say(e, t, "customer", "email", MARKERS["customer"], 30, 300)),
        (40, lambda e, t: e.change_status(actor="sam", at=t, status="identified")),
        (55, lambda e, t: e.change_status(actor="sam", at=t, status="monitoring")),
        (56, lambda e, t: e.complete_action_item(actor="sam", at=t, action_id="a1")),
        (120, lambda e, t: e.meet_exit_criterion(actor="dana", at=t, criterion_id="ec1")),
        (
            125,
            lambda e, t: e.resolve(
                actor="dana", at=t, summary=f"Cache rolled back. {MARKERS['resolution']}"
            ),
        ),
    ]
    if through_postmortem:
        steps += [
            (
                130,
                lambda e, t: e.add_action_item(
                    actor="dana",
                    at=t,
                    description="Canary cache changes in one region first",
                    owner="Priya Shah",
                    kind="prevent",
                    phase="postmortem",
                    due_at=T0 + timedelta(days=14),
                ),
            ),
            (
                24 * 60,
                lambda e, t: e.record_postmortem(
                    actor="dana",
                    at=t,
                    summary="EU sync stalled for two hours after a cache change.",
                    impact="12,400 customers could not sync.",
                    root_cause="A cache eviction setting was applied to every region at once.",
                    root_cause_category="change management",
                    trigger="Deploy 4411",
                    contributing_factors=["No canary for config changes"],
                    detection="Latency alert after 4 minutes.",
                    response="Rolled back.",
                    recovery="Backlog drained in 30 minutes.",
                    five_whys=["Sync stalled", "Cache evicted", "Config applied globally"],
                    went_well=["Fast detection"],
                    went_wrong=["No canary"],
                    where_we_got_lucky=["Low weekend traffic"],
                ),
            ),
        ]
    for minutes, command in steps:
        _run(app, escalation_id, minutes, command)
    return escalation_id


def _say(
    e: Any,
    t: datetime,
    audience: str,
    channel: str,
    body: str,
    next_in_minutes: float | None = None,
    recipients: int = 0,
) -> None:
    e.communicate(
        actor="dana",
        at=t,
        audience=audience,
        channel=channel,
        subject=f"Update for {audience}",
        body=f"{body}\n\nSecond paragraph for {audience}.",
        recipient_count=recipients,
        next_update_due=t + timedelta(minutes=next_in_minutes) if next_in_minutes else None,
    )


def bbb_complaint(app: Escalations) -> UUID:
    """One customer's BBB complaint, answered and resolved."""
    escalation_id = app.open(
        actor="lee",
        at=at(0),
        title="Refund not received",
        scope="customer",
        source="bbb_complaint",
        severity="SEV3",
        description=f"Complaint forwarded by BBB. {MARKERS['description']}",
        customer=PERSON,
        account="Okafor Household",
        external_ref="BBB-2026-118842",
        received_at=at(-60 * 24),
    ).escalation_id
    for minutes, command in [
        (30, lambda e, t: e.acknowledge(actor="lee", at=t)),
        (31, lambda e, t: e.assign_owner(actor="lee", at=t, owner="Lee Morgan", team="cx")),
        (32, lambda e, t: e.add_note(actor="lee", at=t, text=f"Angry tone. {MARKERS['note']}")),
        (40, lambda e, t: _say(e, t, "customer", "email", MARKERS["customer"], 24 * 60)),
        (50, lambda e, t: _say(e, t, "regulator", "portal", MARKERS["regulator"])),
        (60, lambda e, t: _say(e, t, "internal", "slack", MARKERS["internal"])),
        (
            90,
            lambda e, t: e.resolve(
                actor="lee", at=t, summary=f"Refund reissued. {MARKERS['resolution']}"
            ),
        ),
    ]:
        _run(app, escalation_id, minutes, command)
    return escalation_id
