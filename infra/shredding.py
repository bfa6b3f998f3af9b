"""Finishing erasures: making deleted subject keys unrecoverable from the store's files or pages.

Deleting a key's row is immediate, but its bytes stay reachable while a reader holds an older view
of the store (see `SubjectKeys.shred`). An erasure tries once at once; if a reader is in the way it
records `ShreddingPending` (with the reason) on the subject's erasure record and answers pending.
`ShreddingWatch` runs inside `serve` (and once with `escalations subjects shred`): it keeps the set
of pending records from the notification log, retries, and records `Shredded` on each once the
bytes are gone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import IntegrityError, RecordConflictError
from eventsourcing.utils import get_topic

from infra.application import Escalations
from infra.polling import Poller
from infra.privacy.erasure import SubjectErasures

log = logging.getLogger("escalations.privacy")

RECORD_TOPICS = [
    get_topic(SubjectErasures.SubjectErased),
    get_topic(SubjectErasures.ShreddingPending),
    get_topic(SubjectErasures.Shredded),
]
ATTEMPTS = 10
PAUSE = 0.1
"""Tries within one erasure request (about a second at most): a short query that happens to hold a
snapshot ends soon; a backup or a report left open does not, and the erasure answers pending."""


def shred(app: Escalations, attempts: int = ATTEMPTS, pause: float = PAUSE) -> str | None:
    """Why deleted keys are still reachable, or None when none is."""
    reason = app.subject_keys.shred()
    for _ in range(attempts - 1):
        if reason is None:
            break
        time.sleep(pause)
        reason = app.subject_keys.shred()
    return reason


def settle(app: Escalations, records: Iterable[SubjectErasures], reason: str | None) -> list[UUID]:
    """Records on each pending record what `shred` found; returns the ids now shredded."""
    done: list[UUID] = []
    for record in records:
        if not record.pending:
            continue
        if reason is None:
            record.trigger_event(SubjectErasures.Shredded, timestamp=_after(app, record))
        elif reason != record.pending_reason:
            record.trigger_event(
                SubjectErasures.ShreddingPending, timestamp=_after(app, record), reason=reason
            )
        else:
            continue
        try:
            app.save(record)
        except (IntegrityError, RecordConflictError):
            continue  # another process recorded it first; the next poll reads what it wrote
        if reason is None:
            done.append(record.id)
    return done


def _after(app: Escalations, record: SubjectErasures) -> datetime:
    return max(app.clock(), record.modified_on)


class ShreddingWatch(Poller):
    """Completes pending erasures once no reader holds the deleted keys any more."""

    name = "shredding-watch"

    def __init__(self, app: Escalations, interval: float = 5.0) -> None:
        super().__init__(interval, log)
        self.app = app
        self.position = 0
        self.pending: set[UUID] = set()

    def poll(self) -> list[UUID]:
        """One round: read new erasure events, retry the pending ones; returns those completed."""
        self._follow()
        records = [self._record(record_id) for record_id in sorted(self.pending)]
        pending = [record for record in records if record.pending]
        self.pending = {record.id for record in pending}
        if not pending:
            return []
        done = settle(self.app, pending, shred(self.app, attempts=1))
        self.pending -= set(done)
        for record_id in done:
            log.info("erasure record %s: the deleted key is gone from the store", record_id)
        return done

    def _follow(self) -> None:
        while True:
            page = self.app.recorder.select_notifications(
                self.position, 500, topics=RECORD_TOPICS, inclusive_of_start=False
            )
            self.pending.update(UUID(str(n.originator_id)) for n in page)
            if page:
                self.position = page[-1].id
            if len(page) < 500:
                return

    def _record(self, record_id: UUID) -> SubjectErasures:
        record: object = self.app.repository.get(record_id)
        assert isinstance(record, SubjectErasures)
        return record
