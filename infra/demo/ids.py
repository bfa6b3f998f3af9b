"""The demo's fixed escalation ids: loading the demo twice changes nothing."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

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
