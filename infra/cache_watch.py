"""Drops erased escalations from this process's aggregate cache soon after any process erases them.

Correctness does not depend on it: a cached escalation is fast-forwarded on every load, so it
replays `CustomerDataErased` before anyone reads it. This watcher makes sure a cached copy that
nobody loads again does not keep the plain fields in memory until the process restarts. It polls
the notification log for that one event type, from the position at which it started.
"""

from __future__ import annotations

import logging
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.escalation import Escalation
from infra.application import Escalations
from infra.polling import Poller

log = logging.getLogger("escalations.privacy")

ERASED_TOPIC = get_topic(Escalation.CustomerDataErased)


class ErasedFromCache(Poller):
    name = "erased-from-cache"

    def __init__(self, app: Escalations, interval: float = 1.0) -> None:
        super().__init__(interval, log)
        self.app = app
        self.position = app.recorder.max_notification_id() or 0

    def poll(self) -> list[UUID]:
        evicted: list[UUID] = []
        while True:
            page = self.app.recorder.select_notifications(
                self.position, 500, topics=[ERASED_TOPIC], inclusive_of_start=False
            )
            evicted.extend(UUID(str(n.originator_id)) for n in page)
            if page:
                self.position = page[-1].id
            if len(page) < 500:
                break
        self.app.forget_cached(evicted)
        return evicted
