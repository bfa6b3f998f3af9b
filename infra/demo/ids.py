"""The demo's fixed escalation ids, derived from the names its stories give them: loading the demo
twice changes nothing."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

DEMO_NAMESPACE = uuid5(NAMESPACE_URL, "urn:escalations:demo")


def demo_id(name: str) -> UUID:
    return uuid5(DEMO_NAMESPACE, name)


SYNC_OUTAGE = demo_id("sync-outage")
"""The escalation the demo points to first (its stakeholder updates, post-mortem, timeline)."""
