"""The demo's other stories: an SSO degradation in progress, a BBB complaint, a GDPR erasure
request, a key-account case and a dismissed spam mail."""

from __future__ import annotations

from datetime import datetime, timedelta

from infra.application import Escalations
from infra.demo.history import History
from infra.demo.ids import BBB_COMPLAINT, GDPR_ERASURE, PRIORITY_CASE, SPAM_EMAIL, SSO_DEGRADATION


def sso_degradation(app: Escalations, start: datetime) -> None:
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
    s = History(app, SSO_DEGRADATION, start)
    s.then(6, "acknowledge", actor="arjun.mehta")
    s.then(1, "assign_owner", actor="arjun.mehta", owner="arjun.mehta", team="cx")
    s.then(2, "change_status", actor="arjun.mehta", status="investigating")
    s.then(
        3,
        "assess_impact",
        actor="arjun.mehta",
        customers_affected=3100,
        accounts=["Globex"],
        segments=["enterprise"],
        regions=["NA"],
        components={"Sign-in": "degraded_performance"},
        summary="SSO users wait up to 40 s to sign in; password users unaffected.",
    )
    s.then(
        2,
        "define_exit_criteria",
        actor="arjun.mehta",
        criteria=["p95 SSO sign-in under 3 s for one hour"],
    )
    s.then(
        4,
        "communicate",
        actor="arjun.mehta",
        audience="public",
        channel="status_page",
        subject="Slow single sign-on",
        body="Some customers using single sign-on are seeing slow sign-ins. We are investigating. Password sign-in is not affected.",
        next_update_due=start + timedelta(hours=3),
    )
    s.then(
        5,
        "add_note",
        actor="arjun.mehta",
        text="IdP metadata cache keeps expiring; engineering checking the cache TTL change from Tuesday.",
    )


def bbb_complaint(app: Escalations, start: datetime) -> None:
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
    s = History(app, BBB_COMPLAINT, start)
    s.then(45, "acknowledge", actor="lena.fischer")
    s.then(2, "assign_owner", actor="lena.fischer", owner="lena.fischer", team="cx")
    s.then(5, "change_status", actor="lena.fischer", status="investigating")
    s.then(
        20,
        "add_note",
        actor="lena.fischer",
        text="Billing confirms two captures on the same card 40 seconds apart; gateway retry.",
    )
    s.then(
        5,
        "change_status",
        actor="lena.fischer",
        status="identified",
        reason="Duplicate capture by payment gateway retry",
    )
    s.then(
        30,
        "plan_deescalation",
        actor="lena.fischer",
        strategy="Refund the duplicate charge, add one free month as an appeasement, reply to BBB with the facts.",
        steps=[
            "Refund duplicate charge",
            "Credit one month",
            "Written reply to customer",
            "Formal response on BBB portal",
        ],
    )
    s.then(
        10,
        "define_exit_criteria",
        actor="lena.fischer",
        criteria=["Refund confirmed by billing", "Formal response filed with BBB"],
    )
    s.then(
        60,
        "meet_exit_criterion",
        actor="lena.fischer",
        criterion_id="ec1",
        evidence="Refund RF-88213 settled",
    )
    s.then(
        15,
        "communicate",
        actor="lena.fischer",
        audience="customer",
        channel="email",
        subject="Your refund is on its way",
        body="We are sorry you were charged twice. We have refunded the duplicate charge and added a free month to your plan. The refund shows on your statement within five business days.",
        next_update_due=s.later(days=6),
    )
    s.then(
        40,
        "communicate",
        actor="lena.fischer",
        audience="regulator",
        channel="portal",
        subject="Response to complaint BBB-14829377",
        body="The customer was charged twice for an annual plan because our payment gateway retried a capture. We refunded the duplicate charge of USD 119.88 in full (refund RF-88213), credited one free month to the account, and wrote to the customer to apologise. We have asked our payment provider to stop automatic capture retries.",
    )
    s.then(
        5,
        "meet_exit_criterion",
        actor="lena.fischer",
        criterion_id="ec2",
        evidence="Filed on the BBB portal",
    )
    s.then(
        10,
        "resolve",
        actor="lena.fischer",
        summary="Duplicate charge refunded, one month credited, BBB response filed.",
    )


def gdpr_erasure(app: Escalations, start: datetime) -> None:
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
    s = History(app, GDPR_ERASURE, start)
    s.then(60 * 5, "acknowledge", actor="noor.haddad")
    s.then(2, "assign_owner", actor="noor.haddad", owner="noor.haddad", team="legal")
    s.then(60, "change_status", actor="noor.haddad", status="investigating")
    s.then(
        30,
        "add_action_item",
        actor="noor.haddad",
        description="Confirm no legal hold on the account",
        owner="noor.haddad",
        kind="mitigate",
        due_at=s.later(days=3),
    )
    s.then(
        60 * 24 * 2,
        "complete_action_item",
        actor="noor.haddad",
        action_id="a1",
        note="No hold",
    )
    s.then(
        10,
        "add_action_item",
        actor="noor.haddad",
        description="Erase records in CRM, billing and the support tool",
        owner="dev.patel",
        kind="mitigate",
        due_at=s.later(days=20),
    )
    s.then(
        20,
        "communicate",
        actor="noor.haddad",
        audience="customer",
        channel="email",
        subject="We have received your erasure request",
        body="We have received your request and will complete it within the legal time limit. We will write to you when it is done.",
    )


def priority_case(app: Escalations, start: datetime) -> None:
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
    s = History(app, PRIORITY_CASE, start)
    s.then(12, "acknowledge", actor="maria.chen")
    s.then(1, "assign_owner", actor="maria.chen", owner="maria.chen", team="cx")
    s.then(3, "change_status", actor="maria.chen", status="investigating")
    s.then(
        10,
        "assess_impact",
        actor="maria.chen",
        customers_affected=1,
        accounts=["Globex"],
        segments=["enterprise"],
        regions=["NA"],
        revenue_at_risk=480000.0,
        summary="Renewal in 30 days; audit deadline Friday.",
    )
    s.then(
        5,
        "add_participant",
        actor="maria.chen",
        name="sam.okafor",
        role="liaison",
        team="customer_success",
    )
    s.then(
        20,
        "communicate",
        actor="maria.chen",
        audience="customer",
        channel="email",
        subject="Audit log export",
        body="We are working on the export failure with engineering and will send a manual export by Thursday noon if the fix is not live.",
        next_update_due=s.later(days=2),
    )


def spam(app: Escalations, start: datetime) -> None:
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
    s = History(app, SPAM_EMAIL, start)
    s.then(8, "dismiss", actor="lena.fischer", reason="spam", note="Bulk phishing mail")
