"""Two escalations told through their events, with a marker string in every piece of text that
has one audience, so that a test can see exactly which words reached which document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from infra.application import Escalations
from infra.demo.history import History, Step

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
PERSON = {
    "name": "Jane Okafor",
    "email": "jane.okafor@example.org",
    "phone": "+1 410 555 0142",
    "account_id": "ACCT-7731-OKAFOR",
}


OUTAGE_POSTMORTEM: dict[str, object] = dict(
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
)
"""What the outage's post-mortem says (any story may reuse it: the words are not what is tested)."""


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _tell(app: Escalations, escalation_id: UUID, steps: list[Step]) -> None:
    """Each step at its minute after T0."""
    story = History(app, escalation_id, T0)
    for minutes, name, arguments in steps:
        story.at(at(minutes), name, **arguments)


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
    steps: list[Step] = [
        (5, "acknowledge", dict(actor="dana")),
        (6, "assign_owner", dict(actor="dana", owner="Dana Reyes", team="cx")),
        (8, "change_status", dict(actor="dana", status="investigating")),
        (
            10,
            "assess_impact",
            dict(
                actor="dana",
                customers_affected=12400,
                accounts=["Globex", "Initech"],
                regions=["EU"],
                segments=["Enterprise"],
                revenue_at_risk=250000,
                components={"Sync": "major_outage", "Sign-in": "degraded_performance"},
                summary="Files saved in the EU are not syncing to other devices.",
            ),
        ),
        (11, "add_note", dict(actor="sam", text=f"Suspect cache {MARKERS['note']}")),
        (
            12,
            "define_exit_criteria",
            dict(actor="dana", criteria=["Sync latency under 5 s for 1 hour"]),
        ),
        (
            13,
            "plan_deescalation",
            dict(actor="dana", strategy="Roll back the cache change, then monitor."),
        ),
        (
            14,
            "add_action_item",
            dict(actor="dana", description="Roll back cache", owner="Sam Lee", kind="mitigate"),
        ),
        _say(15, "internal", "slack", MARKERS["internal"], 30),
        _say(16, "executive", "email", MARKERS["executive"], 60),
        _say(17, "sales_cs", "email", MARKERS["sales_cs"], 60),
        _say(18, "public", "status_page", MARKERS["public"], 30, 12400),
        _say(19, "customer", "email", MARKERS["customer"], 30, 300),
        (40, "change_status", dict(actor="sam", status="identified")),
        (55, "change_status", dict(actor="sam", status="monitoring")),
        (56, "complete_action_item", dict(actor="sam", action_id="a1")),
        (120, "meet_exit_criterion", dict(actor="dana", criterion_id="ec1")),
        (
            125,
            "resolve",
            dict(actor="dana", summary=f"Cache rolled back. {MARKERS['resolution']}"),
        ),
    ]
    if through_postmortem:
        steps += [
            (
                130,
                "add_action_item",
                dict(
                    actor="dana",
                    description="Canary cache changes in one region first",
                    owner="Priya Shah",
                    kind="prevent",
                    phase="postmortem",
                    due_at=T0 + timedelta(days=14),
                ),
            ),
            (
                24 * 60,
                "record_postmortem",
                dict(actor="dana", **OUTAGE_POSTMORTEM),
            ),
        ]
    _tell(app, escalation_id, steps)
    return escalation_id


def _say(
    minutes: float,
    audience: str,
    channel: str,
    body: str,
    next_in_minutes: float | None = None,
    recipients: int = 0,
) -> Step:
    return (
        minutes,
        "communicate",
        {
            "actor": "dana",
            "audience": audience,
            "channel": channel,
            "subject": f"Update for {audience}",
            "body": f"{body}\n\nSecond paragraph for {audience}.",
            "recipient_count": recipients,
            "next_update_due": at(minutes + next_in_minutes) if next_in_minutes else None,
        },
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
    _tell(
        app,
        escalation_id,
        [
            (30, "acknowledge", dict(actor="lee")),
            (31, "assign_owner", dict(actor="lee", owner="Lee Morgan", team="cx")),
            (32, "add_note", dict(actor="lee", text=f"Angry tone. {MARKERS['note']}")),
            _say(40, "customer", "email", MARKERS["customer"], 24 * 60),
            _say(50, "regulator", "portal", MARKERS["regulator"]),
            _say(60, "internal", "slack", MARKERS["internal"]),
            (
                90,
                "resolve",
                dict(actor="lee", summary=f"Refund reissued. {MARKERS['resolution']}"),
            ),
        ],
    )
    return escalation_id
