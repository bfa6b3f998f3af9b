"""Filling the blind index of identifiers (infra/privacy/identifiers.py) for stores written before
it existed, and re-filling it under a new master key after a rotation.

From the first start with the index on, every `Opened` event indexes its customer as it is
written (infra/privacy/mapper.py). What came before is read back once: `serve` runs the backfill
in the background on a store that never had one, and `escalations subjects reindex` runs it on
demand (it also moves every digest to the current master key).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from eventsourcing.utils import get_topic

from domain.escalation import Escalation
from infra.application import Escalations
from infra.polling import Poller

log = logging.getLogger("escalations.privacy")

OPENED_TOPIC = get_topic(Escalation.Opened)


def backfill_identifiers(app: Escalations, *, force: bool = False, batch: int = 500) -> int | None:
    """Indexes the customer of every stored `Opened` event; returns how many, or None when the
    store was backfilled before and `force` is not asked."""
    keys = app.subject_keys
    if not force and keys.backfilled_through() is not None:
        return None
    through = app.recorder.max_notification_id() or 0
    count, position = 0, 1
    while True:
        page = app.recorder.select_notifications(position, batch, topics=[OPENED_TOPIC])
        for notification in page:
            # The full mapper: the identifiers are sealed, and an erased subject reads [erased],
            # which is not indexed.
            customer = getattr(app.mapper.to_domain_event(notification), "customer", None)
            if isinstance(customer, Mapping) and customer.get("subject_id"):
                keys.index(str(customer["subject_id"]), customer)
                count += 1
        if len(page) < batch:
            break
        position = page[-1].id + 1
    if force:
        keys.drop_digests_not_under(keys.master.key_id)
    keys.mark_backfilled(through)
    return count


class IdentifierBackfill(Poller):
    """Runs the backfill once, in the background, if the store never had one."""

    name = "identifier-backfill"

    def __init__(self, app: Escalations) -> None:
        super().__init__(0, log)
        self.app = app
        self.done = threading.Event()

    def _run(self) -> None:
        try:
            count = backfill_identifiers(self.app)
            if count is not None:
                log.info("identifier index: %d stored customers indexed", count)
        except Exception as error:  # logged, retried at the next start or by `subjects reindex`
            log.warning("identifier index backfill failed: %s", error)
        finally:
            self.done.set()
