"""The stored record of each erasure of a data subject.

`infra/erasure.py` performs erasures and records them here; this aggregate's topic is stored, so
it keeps this module path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

ERASURE_NAMESPACE = uuid5(NAMESPACE_URL, "urn:escalations:erasure")


class SubjectErasures(Aggregate):
    """The record of each erasure of one data subject; its id is derived from the subject id.
    It names the subject by pseudonym only."""

    class Registered(Aggregate.Created):
        subject_id: str

    class SubjectErased(Aggregate.Event):
        actor: str
        escalation_ids: list[str]
        key_deleted: bool
        request_id: str | None

        def apply(self, aggregate: SubjectErasures) -> None:
            aggregate.erasures.append(
                {
                    "at": self.timestamp,
                    "by": self.actor,
                    "escalation_ids": list(self.escalation_ids),
                    "key_deleted": self.key_deleted,
                    "request_id": self.request_id,
                }
            )
            if self.key_deleted:
                # Deleted, not yet known to be gone from the files: Shredded says when it is.
                aggregate.shredded_at = None
                aggregate.pending_reason = "not yet checked"

    class ShreddingPending(Aggregate.Event):
        """The key's row is deleted but its bytes are still reachable in the store, and why."""

        reason: str

        def apply(self, aggregate: SubjectErasures) -> None:
            aggregate.pending_reason = self.reason

    class Shredded(Aggregate.Event):
        """Every key this subject's erasures deleted is now gone from the store's files or pages."""

        def apply(self, aggregate: SubjectErasures) -> None:
            aggregate.shredded_at = self.timestamp
            aggregate.pending_reason = None

    def __init__(self, subject_id: str) -> None:
        self.subject_id = subject_id
        self.erasures: list[dict[str, Any]] = []
        self.shredded_at: datetime | None = None
        self.pending_reason: str | None = None

    @property
    def pending(self) -> bool:
        """A deleted key may still be recovered from the store's files (a reader holds them)."""
        return self.pending_reason is not None

    @staticmethod
    def id_for(subject_id: str) -> UUID:
        return uuid5(ERASURE_NAMESPACE, subject_id)
