"""Erasure of a data subject (GDPR Art. 17, CCPA deletion) by crypto-shredding.

An erasure deletes the subject's key, so every personal field sealed under it reads as erased in
events, snapshots, exports and replays, and records the fact twice, in one write: a
`CustomerDataErased` event on each of the subject's escalations (so every cache, snapshot and
follower that replays the stream drops the fields too, and the Kafka relay tells consumers) and a
`SubjectErased` event on the subject's own erasure record (who, when, which escalations, at whose
request). Then each registered view is asked to purge what it holds about the subject, the
subject's identifiers leave the blind index, and the deleted key is shredded from the store's
files or pages, or the erasure says it is pending because a reader still holds them
(infra/shredding.py completes it).

Every step can be repeated: the key delete, the events (only where not yet recorded) and the view
purges. So a retry after a crash, or a second request, completes or confirms the first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, RecordConflictError
from eventsourcing.utils import get_topic

from domain.escalation import Escalation
from infra.application import Escalations, WriteConflict
from infra.privacy.erasure import SubjectErasures
from infra.privacy.mapper import PersonalDataMapper
from infra.shredding import settle, shred

log = logging.getLogger("escalations.privacy")

OPENED_TOPIC = get_topic(Escalation.Opened)
MAX_PASSES = 10


class SubjectNotFound(LookupError):
    def __init__(self, subject_id: str) -> None:
        self.subject_id = subject_id
        super().__init__(
            f"no data subject {subject_id!r}: no escalation names it and no key or erasure "
            "exists for it. Subject ids are in the customer field of an escalation"
        )


class IdentifierNotFound(LookupError):
    def __init__(self, identifiers: dict[str, str]) -> None:
        self.identifiers = identifiers
        named = " or ".join(sorted(identifiers))
        super().__init__(
            f"no data subject holds this {named}: no escalation was opened with it, or its "
            "subject was erased already (an erasure forgets the identifiers too)"
        )


class ErasureIncomplete(Exception):
    """The store is erased, but a view failed to purge; repeating the erasure retries it."""


class SubjectErasedListener(Protocol):
    """What a view implements to purge a subject (idempotently: it may be called again)."""

    def on_subject_erased(self, subject_id: str, escalation_ids: Sequence[UUID]) -> None: ...


@dataclass
class ErasureHooks:
    """The views of this process that hold data derived from customers. Register each one in the
    composition root, so that the API and the CLI purge the same views."""

    listeners: dict[str, SubjectErasedListener] = field(default_factory=dict)

    def register(self, name: str, listener: SubjectErasedListener) -> None:
        self.listeners[name] = listener

    def notify(
        self, subject_id: str, escalation_ids: Sequence[UUID]
    ) -> tuple[list[str], list[str]]:
        purged, failed = [], []
        for name, listener in self.listeners.items():
            try:
                listener.on_subject_erased(subject_id, escalation_ids)
            except Exception:
                log.exception("view %s failed to purge data subject %s", name, subject_id)
                failed.append(name)
            else:
                purged.append(name)
        return purged, failed


@dataclass(frozen=True)
class ErasureOutcome:
    subject_id: str
    escalation_ids: list[UUID]
    """Every escalation that held the subject's data; all of them now read as erased."""
    newly_erased: list[UUID]
    """Those on which this request recorded CustomerDataErased."""
    key_deleted: bool
    """Whether this request deleted a key (False when an earlier erasure already had)."""
    first_erased_at: datetime
    views_purged: list[str]
    pending_reason: str | None = None
    """Why a deleted key is still recoverable from the store's files or pages (a reader holds
    them); None once it is not. A pending erasure completes by itself (infra/shredding.py)."""

    @property
    def already_erased(self) -> bool:
        return not self.key_deleted and not self.newly_erased

    @property
    def state(self) -> str:
        return "pending" if self.pending_reason is not None else "erased"


def escalations_of(app: Escalations, subject_id: str, batch: int = 1000) -> list[UUID]:
    """The escalations whose customer is this subject: a scan of the Opened events, reading only
    the subject id, which is stored in clear for this purpose."""
    mapper = app.mapper
    assert isinstance(mapper, PersonalDataMapper)
    found: list[UUID] = []
    position = 1
    while True:
        page = app.recorder.select_notifications(position, batch, topics=[OPENED_TOPIC])
        found.extend(UUID(str(n.originator_id)) for n in page if mapper.subject_of(n) == subject_id)
        if len(page) < batch:
            return found
        position = page[-1].id + 1


def erasure_record(app: Escalations, subject_id: str) -> SubjectErasures | None:
    try:
        record: Any = app.repository.get(SubjectErasures.id_for(subject_id))
    except AggregateNotFoundError:
        return None
    assert isinstance(record, SubjectErasures)
    return record


def erase_subject(
    app: Escalations,
    subject_id: str,
    *,
    actor: str,
    request_id: str | None = None,
    hooks: ErasureHooks | None = None,
) -> ErasureOutcome:
    """Forget a data subject. Repeats its passes until one finds nothing left to do, so a key or an
    escalation made for the subject while the erasure ran is erased too."""
    key_deleted = key_recorded = False
    newly: list[UUID] = []
    escalation_ids: list[UUID] = []
    for _ in range(MAX_PASSES):
        deleted_now = app.subject_keys.delete(subject_id)
        key_deleted = key_deleted or deleted_now
        escalation_ids = escalations_of(app, subject_id)
        record = erasure_record(app, subject_id)
        if not escalation_ids and not key_deleted and record is None:
            raise SubjectNotFound(subject_id)
        try:
            erased_now = _record_erasure(
                app,
                subject_id,
                escalation_ids,
                record,
                actor,
                request_id,
                key_deleted and not key_recorded,
            )
            key_recorded = key_deleted
        except RecordConflictError:
            continue  # another writer touched one of the escalations: look again
        finally:
            # The cached copies may hold the plain fields loaded before the key was deleted.
            app.forget_cached(escalation_ids)
        newly.extend(erased_now)
        if not deleted_now and not erased_now:
            break
    else:
        raise WriteConflict(
            f"the escalations of subject {subject_id} kept changing during the erasure; any key "
            "it had is deleted already; repeat the erasure to record it everywhere"
        )
    purged, failed = (hooks or ErasureHooks()).notify(subject_id, escalation_ids)
    if failed:
        raise ErasureIncomplete(
            f"the store no longer holds subject {subject_id}'s data, but these views failed to "
            f"purge it: {', '.join(failed)}. Repeat the erasure to retry them"
        )
    # Last, so a retry after a crash can still find the subject by its identifiers.
    app.subject_keys.forget_identifiers(subject_id)
    record = erasure_record(app, subject_id)
    assert record is not None
    if record.pending:
        settle(app, [record], shred(app))
        record = erasure_record(app, subject_id)
        assert record is not None
    return ErasureOutcome(
        subject_id=subject_id,
        escalation_ids=escalation_ids,
        newly_erased=newly,
        key_deleted=key_deleted,
        first_erased_at=record.erasures[0]["at"],
        views_purged=purged,
        pending_reason=record.pending_reason,
    )


def erase_by_identifier(
    app: Escalations,
    identifiers: dict[str, str],
    *,
    actor: str,
    request_id: str | None = None,
    hooks: ErasureHooks | None = None,
) -> list[ErasureOutcome]:
    """Erases every subject that holds any of these identifiers (kind -> value, see
    infra/privacy/identifiers.py). Looks again after each round, so a subject indexed while it
    ran is erased too."""
    outcomes: dict[str, ErasureOutcome] = {}
    for _ in range(MAX_PASSES):
        found = {
            subject
            for kind, value in identifiers.items()
            for subject in app.subject_keys.subjects_holding(kind, value)
        } - set(outcomes)
        if not found:
            break
        for subject in sorted(found):
            outcomes[subject] = erase_subject(
                app, subject, actor=actor, request_id=request_id, hooks=hooks
            )
    if not outcomes:
        raise IdentifierNotFound(identifiers)
    return list(outcomes.values())


def _record_erasure(
    app: Escalations,
    subject_id: str,
    escalation_ids: list[UUID],
    record: SubjectErasures | None,
    actor: str,
    request_id: str | None,
    key_deleted: bool,
) -> list[UUID]:
    """One write: CustomerDataErased on each escalation not yet marked, and the record's event."""
    pending: list[Escalation] = []
    for escalation_id in escalation_ids:
        escalation = app.get(escalation_id)
        if not escalation.customer_data_erased:
            at = max(app.clock(), escalation.modified_on)
            escalation.erase_customer_data(actor=actor, at=at, subject_id=subject_id)
            pending.append(escalation)
    if not pending and not key_deleted and record is not None:
        return []
    if record is None:
        record = SubjectErasures._create(
            SubjectErasures.Registered,
            id=SubjectErasures.id_for(subject_id),
            timestamp=app.clock(),
            subject_id=subject_id,
        )
    moment = max([app.clock(), record.modified_on, *(e.modified_on for e in pending)])
    record.trigger_event(
        SubjectErasures.SubjectErased,
        timestamp=moment,
        actor=actor,
        escalation_ids=[str(e.id) for e in pending],
        key_deleted=key_deleted,
        request_id=request_id,
    )
    try:
        app.save(*pending, record)
    except IntegrityError as error:
        raise RecordConflictError(str(error)) from error
    return [e.id for e in pending]
