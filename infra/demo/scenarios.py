"""A believable history, driven through the same named use cases the API runs.

Times are laid out backwards from `now` over about three weeks so that the status page, queue and
reports have something to show; ids are fixed (`infra/demo/ids.py`) so that loading twice changes
nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from infra.application import EscalationNotFound, Escalations
from infra.demo import cases
from infra.demo.ids import SYNC_OUTAGE
from infra.demo.outage import sync_outage

__all__ = ["SYNC_OUTAGE", "load_demo"]


def load_demo(app: Escalations, now: datetime) -> bool:
    """Load the demo history; returns False when it is already there."""
    try:
        app.get(SYNC_OUTAGE)
        return False
    except EscalationNotFound:
        pass
    sync_outage(app, now - timedelta(days=6, hours=3))
    cases.sso_degradation(app, now - timedelta(hours=2, minutes=10))
    cases.bbb_complaint(app, now - timedelta(days=4, hours=5))
    cases.gdpr_erasure(app, now - timedelta(days=21))
    cases.priority_case(app, now - timedelta(days=1, hours=6))
    cases.spam(app, now - timedelta(hours=9))
    return True
