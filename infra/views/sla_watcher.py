"""The deadline watcher: records `SlaBreached` once per missed target, through the application.

It reads the open cases from the case ledger, so it may see a breach that is already recorded but
not yet projected; the domain refuses a second record of the same target (RuleViolated), which the
watcher counts as done. Running any number of watchers, any number of times, records each breach once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from domain.errors import DomainError, RuleViolated
from infra.application import EscalationNotFound, Escalations
from infra.bootstrap import Container
from infra.views.lifecycle import open_view
from projections.cases.base import CasesView
from projections.cases.reports import unrecorded_breaches
from projections.sla import SlaPolicy

log = logging.getLogger("escalations.sla")
WATCHER = "sla-watcher"


def record_breaches(
    app: Escalations, cases: CasesView, policy: SlaPolicy, now: datetime
) -> list[tuple[str, str]]:
    """One pass: every missed, unrecorded target of every open case. Returns (id, target) recorded."""
    recorded = []
    for doc in cases.open_cases():
        for state in unrecorded_breaches(doc, policy, now):
            try:
                app.run(
                    "record_sla_breach",
                    UUID(doc["id"]),
                    actor=WATCHER,
                    target=state.target,
                    due_at=state.due_at,
                    detail=f"due {state.due_at.isoformat()}",
                )
            except RuleViolated:
                continue  # recorded already (by us earlier, or by another watcher)
            except (DomainError, EscalationNotFound) as error:
                log.info("not recording %s on %s: %s", state.target, doc["id"], error)
                continue
            recorded.append((doc["id"], state.target))
    return recorded


class DeadlineWatcher(threading.Thread):
    def __init__(
        self,
        container: Container,
        interval: float,
        policy: SlaPolicy,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(name="sla-watcher", daemon=True)
        self.app = container.app
        self.cases: CasesView = open_view(container, "cases")  # type: ignore[assignment]
        self.interval = interval
        self.policy = policy
        self.clock = clock or container.app.clock
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                record_breaches(self.app, self.cases, self.policy, self.clock())
            except Exception:  # keep watching; the next pass retries
                log.exception("deadline watcher pass failed")

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=10)
        self.cases.close()


def start_deadline_watcher(container: Container) -> DeadlineWatcher:
    watcher = DeadlineWatcher(
        container, container.settings.views.sla_watch_interval, container.sla_policy
    )
    watcher.start()
    return watcher
