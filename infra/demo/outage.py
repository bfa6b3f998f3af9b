"""The demo's SEV1 desktop sync outage: a global escalation from alert to published post-mortem,
with two customer cases linked to it."""

from __future__ import annotations

from datetime import datetime

from infra.application import Escalations
from infra.demo.history import History
from infra.demo.ids import LINKED_CASES, SYNC_OUTAGE


def sync_outage(app: Escalations, start: datetime) -> None:
    app.open(
        id=SYNC_OUTAGE,
        actor="monitoring",
        at=start,
        title="Desktop sync failing after client release 212.4",
        description="Desktop clients on 212.4 stop uploading changes; web and mobile unaffected.",
        scope="global",
        source="tools_outage",
        severity="SEV2",
        components=["Sync", "Desktop app"],
        tags=["sync", "release"],
    )
    s = History(app, SYNC_OUTAGE, start)
    manager = "maria.chen"
    s.then(4, "acknowledge", actor=manager)
    s.then(1, "assign_owner", actor=manager, owner=manager, team="cx")
    s.then(
        1,
        "change_severity",
        actor=manager,
        severity="SEV1",
        reason="Error rate above 30% in all regions; support queue tripled in 20 minutes",
    )
    s.then(
        1,
        "change_status",
        actor=manager,
        status="investigating",
        reason="Engineering paged",
    )
    s.then(
        2,
        "add_participant",
        actor=manager,
        name="dev.patel",
        role="liaison",
        team="engineering",
    )
    s.then(1, "add_participant", actor=manager, name="lena.fischer", role="scribe", team="cx")
    s.then(
        1,
        "add_participant",
        actor=manager,
        name="sam.okafor",
        role="participant",
        team="customer_success",
    )
    s.then(
        1,
        "add_participant",
        actor=manager,
        name="tessa.wu",
        role="participant",
        team="vendor",
    )
    s.then(
        3,
        "assess_impact",
        actor=manager,
        customers_affected=48200,
        accounts=["Northwind Traders", "Contoso Health", "Fabrikam"],
        segments=["enterprise", "teams"],
        regions=["EU", "NA"],
        revenue_at_risk=1250000.0,
        currency="USD",
        components={"Sync": "major_outage", "Desktop app": "partial_outage"},
        summary="Every desktop client on 212.4 has stopped uploading; downloads still work.",
    )
    s.then(
        2,
        "define_exit_criteria",
        actor=manager,
        criteria=[
            "Sync error rate below 0.5% for two hours",
            "Backlog of queued uploads replayed",
            "Outsourced support macros updated and agents briefed",
        ],
    )
    s.then(
        1,
        "plan_deescalation",
        actor=manager,
        strategy="Roll clients back to 212.3, replay queued uploads, then proactive outreach to affected enterprise admins.",
        steps=[
            "Halt 212.4 rollout",
            "Force update to 212.3",
            "Replay upload queue",
            "Email enterprise admins",
        ],
    )
    s.then(
        2,
        "communicate",
        actor=manager,
        audience="public",
        channel="status_page",
        subject="Desktop sync delays",
        body="We are investigating reports that the desktop app is not syncing changes. Files already synced are safe and available on the web.",
        next_update_due=s.later(minutes=32),
    )
    s.then(
        3,
        "communicate",
        actor=manager,
        audience="executive",
        channel="email",
        subject="SEV1: desktop sync outage",
        body="Desktop sync is failing for about 48,000 customers after release 212.4. Rollback in progress; next update in 30 minutes.",
        next_update_due=s.later(minutes=33),
    )
    s.then(
        4,
        "add_note",
        actor="dev.patel",
        text="Upload worker crashes on files with extended attributes; suspect the new metadata serializer.",
    )
    s.then(
        10,
        "change_status",
        actor=manager,
        status="identified",
        reason="Metadata serializer regression in 212.4",
    )
    s.then(
        2,
        "communicate",
        actor=manager,
        audience="public",
        channel="status_page",
        subject="Desktop sync delays",
        body="We have identified the cause: a problem in the latest desktop release. We are rolling back and your queued changes will upload automatically.",
        next_update_due=s.later(minutes=30),
    )
    s.then(
        3,
        "communicate",
        actor=manager,
        audience="sales_cs",
        channel="slack",
        subject="Talking points: desktop sync",
        body="Affected: Northwind Traders, Contoso Health, Fabrikam. Tell admins no data is lost; queued changes upload after the rollback.",
        next_update_due=s.later(hours=1),
    )
    s.then(
        2,
        "add_action_item",
        actor=manager,
        description="Halt 212.4 staged rollout",
        owner="dev.patel",
        kind="mitigate",
        phase="response",
    )
    cases = (
        (
            LINKED_CASES[0],
            "Northwind Traders",
            "VND-20417",
            ("Priya Raman", "priya.raman@example.com"),
        ),
        (LINKED_CASES[1], "Contoso Health", "VND-20433", ("Tom Becker", "tom.becker@example.org")),
    )
    for case_id, account, ref, person in cases:
        app.open(
            id=case_id,
            actor="tessa.wu",
            at=s.after(2),
            title=f"{account}: team cannot sync shared folders",
            scope="customer",
            source="vendor",
            severity="SEV2",
            account=account,
            customer={
                "name": person[0],
                "email": person[1],
                "account_id": account.lower().replace(" ", "-"),
            },
            components=["Sync"],
            external_ref=ref,
        )
        s.then(1, "link_case", actor=manager, case_id=case_id)
    s.then(
        1,
        "complete_action_item",
        actor="dev.patel",
        action_id="a1",
        note="Rollout halted at 38%",
    )
    s.then(
        25,
        "change_status",
        actor=manager,
        status="monitoring",
        reason="212.3 forced; error rate falling",
    )
    s.then(
        2,
        "communicate",
        actor=manager,
        audience="public",
        channel="status_page",
        subject="Desktop sync recovering",
        body="A fix has been applied and sync is recovering. Queued changes are uploading now; we are monitoring.",
        next_update_due=s.later(hours=1),
    )
    s.then(
        60,
        "meet_exit_criterion",
        actor="dev.patel",
        criterion_id="ec2",
        evidence="Upload queue drained: 3.1M items replayed",
    )
    s.then(
        60,
        "meet_exit_criterion",
        actor="dev.patel",
        criterion_id="ec1",
        evidence="Error rate 0.08% for 2h on the sync dashboard",
    )
    s.then(
        10,
        "meet_exit_criterion",
        actor="tessa.wu",
        criterion_id="ec3",
        evidence="Macro SYNC-212 live; 140 agents briefed",
    )
    s.then(
        5,
        "resolve",
        actor=manager,
        summary="Clients rolled back to 212.3; all queued uploads replayed; no data lost.",
    )
    s.then(
        2,
        "communicate",
        actor=manager,
        audience="public",
        channel="status_page",
        subject="Desktop sync restored",
        body="Desktop sync is working normally again and all queued changes have uploaded. We are sorry for the disruption.",
    )
    s.then(
        3,
        "communicate",
        actor=manager,
        audience="customer",
        channel="email",
        subject="Your files are syncing again",
        body="Desktop sync was interrupted by a faulty update. It is fixed, and every change you made while it was down has now uploaded.",
        recipient_count=48200,
    )
    s.then(
        60 * 20,
        "record_postmortem",
        actor=manager,
        summary="Release 212.4 shipped a metadata serializer that crashed on extended attributes, halting desktop uploads for 2h50m.",
        impact="48,200 customers could not upload from desktop for up to three hours; 3.1M uploads were delayed, none lost.",
        root_cause="The new serializer assumed every extended attribute is UTF-8; binary attributes raised and killed the upload worker.",
        root_cause_category="release regression",
        trigger="Staged rollout of desktop client 212.4 reached 38% of clients.",
        contributing_factors=[
            "Canary fleet has no files with binary extended attributes",
            "Crash loop alerts were routed to a muted channel",
        ],
        detection="Support queue volume alarm, 18 minutes after rollout started.",
        response="SEV1 declared within 7 minutes of the first alarm; rollout halted; clients rolled back.",
        recovery="Forced update to 212.3 and replay of the upload queue.",
        five_whys=[
            "Uploads stopped because the upload worker crashed.",
            "It crashed because the serializer raised on non-UTF-8 attributes.",
            "The serializer assumed UTF-8 because the spec said so.",
            "The spec was written from canary data only.",
            "Canary data lacks binary attributes common on design teams' machines.",
        ],
        went_well=["Rollback within 40 minutes", "Vendor agents briefed before ticket peak"],
        went_wrong=[
            "Crash alerts went to a muted channel",
            "First public update came 12 minutes after SEV1",
        ],
        where_we_got_lucky=["The rollout was paused for a holiday, capping exposure at 38%"],
    )
    s.then(
        5,
        "add_action_item",
        actor=manager,
        description="Add binary extended attributes to the canary corpus",
        owner="dev.patel",
        kind="prevent",
        phase="postmortem",
        due_at=s.later(days=14),
    )
    s.then(
        1,
        "add_action_item",
        actor=manager,
        description="Route crash-loop alerts to the paging channel",
        owner="dev.patel",
        kind="prevent",
        phase="postmortem",
        due_at=s.later(days=7),
    )
    s.then(30, "publish_postmortem", actor=manager)
    s.then(
        60,
        "receive_feedback",
        actor="survey",
        csat=4,
        nps=8,
        comment="Clear updates, fast rollback.",
    )
    s.then(
        60 * 24,
        "close",
        actor=manager,
        reason="Post-mortem published; action items tracked",
    )
