"""A believable history, driven through the same application commands the API uses.

Times are laid out backwards from `now` over about three weeks so that the status page, queue and
reports have something to show; ids are fixed so that loading twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.escalation import Escalation
from infra.application import EscalationNotFound, Escalations

DEMO_NAMESPACE = uuid5(NAMESPACE_URL, "urn:escalations:demo")


def demo_id(name: str) -> UUID:
    return uuid5(DEMO_NAMESPACE, name)


SYNC_OUTAGE = demo_id("sync-outage")
SSO_DEGRADATION = demo_id("sso-degradation")
BBB_COMPLAINT = demo_id("bbb-complaint")
GDPR_ERASURE = demo_id("gdpr-erasure")
PRIORITY_CASE = demo_id("priority-globex")
SPAM_EMAIL = demo_id("spam-email")
LINKED_CASES = (demo_id("case-northwind"), demo_id("case-contoso"))


class _Script:
    """Runs commands on one escalation at explicit times."""

    def __init__(self, app: Escalations, escalation_id: UUID, start: datetime) -> None:
        self.app = app
        self.id = escalation_id
        self.clock = start

    def at(self, minutes: float) -> datetime:
        self.clock = self.clock + timedelta(minutes=minutes)
        return self.clock

    def do(self, after_minutes: float, method: Callable[..., Any], **kwargs: Any) -> Any:
        moment = self.at(after_minutes)
        result: dict[str, Any] = {}

        def action(escalation: Escalation, *others: Escalation, at: datetime) -> dict[str, Any]:
            result["value"] = method(escalation, *others, at=at, **kwargs)
            return {}

        also = kwargs.pop("also", ())
        self.app.execute(self.id, action, at=moment, also=also)
        return result.get("value")


def load_demo(app: Escalations, now: datetime) -> bool:
    """Load the demo history; returns False when it is already there."""
    try:
        app.get(SYNC_OUTAGE)
        return False
    except EscalationNotFound:
        pass
    _sync_outage(app, now - timedelta(days=6, hours=3))
    _sso_degradation(app, now - timedelta(hours=2, minutes=10))
    _bbb_complaint(app, now - timedelta(days=4, hours=5))
    _gdpr_erasure(app, now - timedelta(days=21))
    _priority_case(app, now - timedelta(days=1, hours=6))
    _spam(app, now - timedelta(hours=9))
    return True


def _sync_outage(app: Escalations, start: datetime) -> None:
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
    s = _Script(app, SYNC_OUTAGE, start)
    manager = "maria.chen"
    s.do(4, Escalation.acknowledge, actor=manager)
    s.do(1, Escalation.assign_owner, actor=manager, owner=manager, team="cx")
    s.do(
        1,
        Escalation.change_severity,
        actor=manager,
        severity="SEV1",
        reason="Error rate above 30% in all regions; support queue tripled in 20 minutes",
    )
    s.do(
        1,
        Escalation.change_status,
        actor=manager,
        status="investigating",
        reason="Engineering paged",
    )
    s.do(
        2,
        Escalation.add_participant,
        actor=manager,
        name="dev.patel",
        role="liaison",
        team="engineering",
    )
    s.do(
        1, Escalation.add_participant, actor=manager, name="lena.fischer", role="scribe", team="cx"
    )
    s.do(
        1,
        Escalation.add_participant,
        actor=manager,
        name="sam.okafor",
        role="participant",
        team="customer_success",
    )
    s.do(
        1,
        Escalation.add_participant,
        actor=manager,
        name="tessa.wu",
        role="participant",
        team="vendor",
    )
    s.do(
        3,
        Escalation.assess_impact,
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
    s.do(
        2,
        Escalation.define_exit_criteria,
        actor=manager,
        criteria=[
            "Sync error rate below 0.5% for two hours",
            "Backlog of queued uploads replayed",
            "Outsourced support macros updated and agents briefed",
        ],
    )
    s.do(
        1,
        Escalation.plan_deescalation,
        actor=manager,
        strategy="Roll clients back to 212.3, replay queued uploads, then proactive outreach to affected enterprise admins.",
        steps=[
            "Halt 212.4 rollout",
            "Force update to 212.3",
            "Replay upload queue",
            "Email enterprise admins",
        ],
    )
    s.do(
        2,
        Escalation.communicate,
        actor=manager,
        audience="public",
        channel="status_page",
        subject="Desktop sync delays",
        body="We are investigating reports that the desktop app is not syncing changes. Files already synced are safe and available on the web.",
        next_update_due=s.clock + timedelta(minutes=32),
    )
    s.do(
        3,
        Escalation.communicate,
        actor=manager,
        audience="executive",
        channel="email",
        subject="SEV1: desktop sync outage",
        body="Desktop sync is failing for about 48,000 customers after release 212.4. Rollback in progress; next update in 30 minutes.",
        next_update_due=s.clock + timedelta(minutes=33),
    )
    s.do(
        4,
        Escalation.add_note,
        actor="dev.patel",
        text="Upload worker crashes on files with extended attributes; suspect the new metadata serializer.",
    )
    s.do(
        10,
        Escalation.change_status,
        actor=manager,
        status="identified",
        reason="Metadata serializer regression in 212.4",
    )
    s.do(
        2,
        Escalation.communicate,
        actor=manager,
        audience="public",
        channel="status_page",
        subject="Desktop sync delays",
        body="We have identified the cause: a problem in the latest desktop release. We are rolling back and your queued changes will upload automatically.",
        next_update_due=s.clock + timedelta(minutes=30),
    )
    s.do(
        3,
        Escalation.communicate,
        actor=manager,
        audience="sales_cs",
        channel="slack",
        subject="Talking points: desktop sync",
        body="Affected: Northwind Traders, Contoso Health, Fabrikam. Tell admins no data is lost; queued changes upload after the rollback.",
        next_update_due=s.clock + timedelta(hours=1),
    )
    s.do(
        2,
        Escalation.add_action_item,
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
            at=s.at(2),
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
        s.do(1, Escalation.link_case, actor=manager, also=[case_id])
    s.do(
        1,
        Escalation.complete_action_item,
        actor="dev.patel",
        action_id="a1",
        note="Rollout halted at 38%",
    )
    s.do(
        25,
        Escalation.change_status,
        actor=manager,
        status="monitoring",
        reason="212.3 forced; error rate falling",
    )
    s.do(
        2,
        Escalation.communicate,
        actor=manager,
        audience="public",
        channel="status_page",
        subject="Desktop sync recovering",
        body="A fix has been applied and sync is recovering. Queued changes are uploading now; we are monitoring.",
        next_update_due=s.clock + timedelta(hours=1),
    )
    s.do(
        60,
        Escalation.meet_exit_criterion,
        actor="dev.patel",
        criterion_id="ec2",
        evidence="Upload queue drained: 3.1M items replayed",
    )
    s.do(
        60,
        Escalation.meet_exit_criterion,
        actor="dev.patel",
        criterion_id="ec1",
        evidence="Error rate 0.08% for 2h on the sync dashboard",
    )
    s.do(
        10,
        Escalation.meet_exit_criterion,
        actor="tessa.wu",
        criterion_id="ec3",
        evidence="Macro SYNC-212 live; 140 agents briefed",
    )
    s.do(
        5,
        Escalation.resolve,
        actor=manager,
        summary="Clients rolled back to 212.3; all queued uploads replayed; no data lost.",
    )
    s.do(
        2,
        Escalation.communicate,
        actor=manager,
        audience="public",
        channel="status_page",
        subject="Desktop sync restored",
        body="Desktop sync is working normally again and all queued changes have uploaded. We are sorry for the disruption.",
    )
    s.do(
        3,
        Escalation.communicate,
        actor=manager,
        audience="customer",
        channel="email",
        subject="Your files are syncing again",
        body="Desktop sync was interrupted by a faulty update. It is fixed, and every change you made while it was down has now uploaded.",
        recipient_count=48200,
    )
    s.do(
        60 * 20,
        Escalation.record_postmortem,
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
    s.do(
        5,
        Escalation.add_action_item,
        actor=manager,
        description="Add binary extended attributes to the canary corpus",
        owner="dev.patel",
        kind="prevent",
        phase="postmortem",
        due_at=s.clock + timedelta(days=14),
    )
    s.do(
        1,
        Escalation.add_action_item,
        actor=manager,
        description="Route crash-loop alerts to the paging channel",
        owner="dev.patel",
        kind="prevent",
        phase="postmortem",
        due_at=s.clock + timedelta(days=7),
    )
    s.do(30, Escalation.publish_postmortem, actor=manager)
    s.do(
        60,
        Escalation.receive_feedback,
        actor="survey",
        csat=4,
        nps=8,
        comment="Clear updates, fast rollback.",
    )
    s.do(
        60 * 24,
        Escalation.close,
        actor=manager,
        reason="Post-mortem published; action items tracked",
    )


def _sso_degradation(app: Escalations, start: datetime) -> None:
    app.open(
        id=SSO_DEGRADATION,
        actor="monitoring",
        at=start,
        title="Slow sign-in for single sign-on users",
        description="SAML assertions take 20-40 s to validate for some identity providers.",
        scope="global",
        source="tools_outage",
        severity="SEV2",
        components=["Sign-in"],
        tags=["sso", "latency"],
    )
    s = _Script(app, SSO_DEGRADATION, start)
    s.do(6, Escalation.acknowledge, actor="arjun.mehta")
    s.do(1, Escalation.assign_owner, actor="arjun.mehta", owner="arjun.mehta", team="cx")
    s.do(2, Escalation.change_status, actor="arjun.mehta", status="investigating")
    s.do(
        3,
        Escalation.assess_impact,
        actor="arjun.mehta",
        customers_affected=3100,
        accounts=["Globex"],
        segments=["enterprise"],
        regions=["NA"],
        components={"Sign-in": "degraded_performance"},
        summary="SSO users wait up to 40 s to sign in; password users unaffected.",
    )
    s.do(
        2,
        Escalation.define_exit_criteria,
        actor="arjun.mehta",
        criteria=["p95 SSO sign-in under 3 s for one hour"],
    )
    s.do(
        4,
        Escalation.communicate,
        actor="arjun.mehta",
        audience="public",
        channel="status_page",
        subject="Slow single sign-on",
        body="Some customers using single sign-on are seeing slow sign-ins. We are investigating. Password sign-in is not affected.",
        next_update_due=start + timedelta(hours=3),
    )
    s.do(
        5,
        Escalation.add_note,
        actor="arjun.mehta",
        text="IdP metadata cache keeps expiring; engineering checking the cache TTL change from Tuesday.",
    )


def _bbb_complaint(app: Escalations, start: datetime) -> None:
    app.open(
        id=BBB_COMPLAINT,
        actor="lena.fischer",
        at=start,
        title="BBB complaint: charged twice for annual plan",
        description="Customer reports a duplicate annual charge and no reply from support in nine days.",
        scope="customer",
        source="bbb_complaint",
        severity="SEV3",
        customer={"name": "Jane Doe", "email": "jane.doe@example.com", "phone": "+1 410 555 0142"},
        external_ref="BBB-14829377",
        tags=["billing", "duplicate-charge"],
        received_at=start - timedelta(hours=3),
        deadline=start - timedelta(hours=3) + timedelta(days=14),
    )
    s = _Script(app, BBB_COMPLAINT, start)
    s.do(45, Escalation.acknowledge, actor="lena.fischer")
    s.do(2, Escalation.assign_owner, actor="lena.fischer", owner="lena.fischer", team="cx")
    s.do(5, Escalation.change_status, actor="lena.fischer", status="investigating")
    s.do(
        20,
        Escalation.add_note,
        actor="lena.fischer",
        text="Billing confirms two captures on the same card 40 seconds apart; gateway retry.",
    )
    s.do(
        5,
        Escalation.change_status,
        actor="lena.fischer",
        status="identified",
        reason="Duplicate capture by payment gateway retry",
    )
    s.do(
        30,
        Escalation.plan_deescalation,
        actor="lena.fischer",
        strategy="Refund the duplicate charge, add one free month as an appeasement, reply to BBB with the facts.",
        steps=[
            "Refund duplicate charge",
            "Credit one month",
            "Written reply to customer",
            "Formal response on BBB portal",
        ],
    )
    s.do(
        10,
        Escalation.define_exit_criteria,
        actor="lena.fischer",
        criteria=["Refund confirmed by billing", "Formal response filed with BBB"],
    )
    s.do(
        60,
        Escalation.meet_exit_criterion,
        actor="lena.fischer",
        criterion_id="ec1",
        evidence="Refund RF-88213 settled",
    )
    s.do(
        15,
        Escalation.communicate,
        actor="lena.fischer",
        audience="customer",
        channel="email",
        subject="Your refund is on its way",
        body="We are sorry you were charged twice. We have refunded the duplicate charge and added a free month to your plan. The refund shows on your statement within five business days.",
        next_update_due=s.clock + timedelta(days=6),
    )
    s.do(
        40,
        Escalation.communicate,
        actor="lena.fischer",
        audience="regulator",
        channel="portal",
        subject="Response to complaint BBB-14829377",
        body="The customer was charged twice for an annual plan because our payment gateway retried a capture. We refunded the duplicate charge of USD 119.88 in full (refund RF-88213), credited one free month to the account, and wrote to the customer to apologise. We have asked our payment provider to stop automatic capture retries.",
    )
    s.do(
        5,
        Escalation.meet_exit_criterion,
        actor="lena.fischer",
        criterion_id="ec2",
        evidence="Filed on the BBB portal",
    )
    s.do(
        10,
        Escalation.resolve,
        actor="lena.fischer",
        summary="Duplicate charge refunded, one month credited, BBB response filed.",
    )


def _gdpr_erasure(app: Escalations, start: datetime) -> None:
    app.open(
        id=GDPR_ERASURE,
        actor="privacy-portal",
        at=start,
        title="Data erasure request (GDPR Art. 17)",
        description="Requester asks for deletion of their account and all support history.",
        scope="customer",
        source="privacy_request",
        severity="SEV3",
        privacy_regime="gdpr",
        privacy_request_type="erasure",
        customer={"name": "Lukas Schmidt", "email": "lukas.schmidt@example.de"},
        external_ref="DSAR-2026-0412",
        received_at=start,
    )
    s = _Script(app, GDPR_ERASURE, start)
    s.do(60 * 5, Escalation.acknowledge, actor="noor.haddad")
    s.do(2, Escalation.assign_owner, actor="noor.haddad", owner="noor.haddad", team="legal")
    s.do(60, Escalation.change_status, actor="noor.haddad", status="investigating")
    s.do(
        30,
        Escalation.add_action_item,
        actor="noor.haddad",
        description="Confirm no legal hold on the account",
        owner="noor.haddad",
        kind="mitigate",
        due_at=s.clock + timedelta(days=3),
    )
    s.do(
        60 * 24 * 2,
        Escalation.complete_action_item,
        actor="noor.haddad",
        action_id="a1",
        note="No hold",
    )
    s.do(
        10,
        Escalation.add_action_item,
        actor="noor.haddad",
        description="Erase records in CRM, billing and the support tool",
        owner="dev.patel",
        kind="mitigate",
        due_at=s.clock + timedelta(days=20),
    )
    s.do(
        20,
        Escalation.communicate,
        actor="noor.haddad",
        audience="customer",
        channel="email",
        subject="We have received your erasure request",
        body="We have received your request and will complete it within the legal time limit. We will write to you when it is done.",
    )


def _priority_case(app: Escalations, start: datetime) -> None:
    app.open(
        id=PRIORITY_CASE,
        actor="sam.okafor",
        at=start,
        title="Globex: admin console exports failing before audit",
        description="Globex's compliance team cannot export audit logs ahead of their SOC 2 audit on Friday.",
        scope="customer",
        source="priority_support",
        severity="SEV2",
        account="Globex",
        customer={
            "name": "Alicia Moreno",
            "email": "alicia.moreno@example.com",
            "account_id": "globex",
        },
        components=["Admin console"],
        tags=["key-account", "export"],
        deadline=start + timedelta(days=3),
    )
    s = _Script(app, PRIORITY_CASE, start)
    s.do(12, Escalation.acknowledge, actor="maria.chen")
    s.do(1, Escalation.assign_owner, actor="maria.chen", owner="maria.chen", team="cx")
    s.do(3, Escalation.change_status, actor="maria.chen", status="investigating")
    s.do(
        10,
        Escalation.assess_impact,
        actor="maria.chen",
        customers_affected=1,
        accounts=["Globex"],
        segments=["enterprise"],
        regions=["NA"],
        revenue_at_risk=480000.0,
        summary="Renewal in 30 days; audit deadline Friday.",
    )
    s.do(
        5,
        Escalation.add_participant,
        actor="maria.chen",
        name="sam.okafor",
        role="liaison",
        team="customer_success",
    )
    s.do(
        20,
        Escalation.communicate,
        actor="maria.chen",
        audience="customer",
        channel="email",
        subject="Audit log export",
        body="We are working on the export failure with engineering and will send a manual export by Thursday noon if the fix is not live.",
        next_update_due=s.clock + timedelta(days=2),
    )


def _spam(app: Escalations, start: datetime) -> None:
    app.open(
        id=SPAM_EMAIL,
        actor="inbox",
        at=start,
        title="URGENT!!! claim your prize",
        description="Unsolicited bulk e-mail to the escalations inbox.",
        scope="customer",
        source="email",
        severity="SEV4",
    )
    s = _Script(app, SPAM_EMAIL, start)
    s.do(8, Escalation.dismiss, actor="lena.fischer", reason="spam", note="Bulk phishing mail")
