"""What every tracked view shares: a fold from events to documents, and the interface a runner drives.

A view keeps one JSON document per key (usually per escalation) plus a few indexed columns and
labels extracted from it, so that the read side can filter in SQL. A runner hands the view a batch of
events together with the position of the batch's last notification; the view applies the batch in
memory and writes the changed documents and the new tracking position in ONE transaction. A crash
before the commit loses the whole batch, so it is processed again from the old position: no gap and
no duplicate.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from domain.escalation import Escalation
from domain.moments import sortable_utc_text

Doc = dict[str, Any]


def instant(moment: datetime | None) -> str | None:
    """A timezone-aware moment as fixed-width UTC text (microseconds kept), or None."""
    return None if moment is None else sortable_utc_text(moment)


def parse_instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text)  # 40 times faster than strptime; reads "Z" as UTC


def opened_doc(event: Any) -> Doc:
    """The fields every per-escalation view starts its document with, from the Opened event."""
    return {
        "id": str(event.originator_id),
        "title": event.title,
        "status": "triage",
        "severity": event.severity,
        "source": event.source,
        "scope": event.scope,
        "account": event.account,
    }


@dataclass(frozen=True)
class Column:
    """An indexed column a view extracts from its documents for filtering and sorting."""

    name: str
    type: str  # "text", "int" or "real"
    indexed: bool = True


@dataclass(frozen=True)
class Fault:
    """A view failing on an event: it is at `position` and the page up to `failing` (the event
    itself once narrowed to one) fails to apply; `attempts` so far, failing `since` (UTC text)."""

    position: int
    failing: int
    error: str
    attempts: int
    since: str


class PositionMoved(Exception):
    """The view's tracking position is not where the runner left it: another runner (or a rebuild)
    wrote in between. Nothing of the batch was written; re-read the position and carry on."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"view position is {actual}, not {expected}; nothing was written")
        self.expected = expected
        self.actual = actual


class Fold(ABC):
    """The pure part of a view: which document an event touches and how it changes it.

    A tracked view keeps its own fold rather than the aggregate's state: its documents are JSON
    rows shaped for SQL filters, written batch by batch without loading any aggregate.
    `handles` and `ignores` together name every event of the catalogue (checked in
    `infra/readers.py`)."""

    handles: ClassVar[frozenset[type]] = frozenset()
    ignores: ClassVar[frozenset[type]] = frozenset()
    columns: ClassVar[Sequence[Column]] = ()

    def key(self, event: Any) -> str | None:
        """The document an event changes; None when the view ignores the event."""
        return str(event.originator_id)

    @abstractmethod
    def apply(self, doc: Doc | None, event: Any) -> Doc | None:
        """The document after the event (None: the view keeps nothing for this key)."""

    def values(self, doc: Doc) -> dict[str, Any]:
        """The indexed columns' values for a document."""
        return {column.name: doc.get(column.name) for column in self.columns}

    def labels(self, doc: Doc) -> Iterable[tuple[str, str]]:
        """Multi-valued facts to filter on (kind, value), e.g. ("tag", "billing")."""
        return ()


@dataclass
class Changes:
    """What one batch does to a view's tables."""

    rows: list[tuple[Any, ...]]  # (key, JSON document, *column values), to upsert
    labels: list[tuple[str, str, str]]  # (key, kind, value), to insert
    gone: list[str]  # keys whose document is to be deleted
    touched: list[str]  # keys that had a document: their labels are written again


class TrackedView(TrackingRecorder):
    """The interface a projection runner and the read side use, whatever the database.

    A tracking recorder of the eventsourcing library: implementations derive from its SQLite or
    PostgreSQL tracking recorder, so the tracking row lives in the same datastore as the view's rows.
    """

    name: ClassVar[str]
    fold: Fold
    docs_ref: str  # the documents table as queries name it (schema-qualified where needed)
    labels_ref: str

    @abstractmethod
    def process_batch(
        self, events: Sequence[Any], tracking: Tracking, *, expected: int | None
    ) -> None:
        """Apply `events` and record `tracking` in one transaction. `expected` is the position the
        caller believes the view is at; PositionMoved when it is not (nothing is written)."""

    @abstractmethod
    def reset(self, application_name: str) -> None:
        """Forget every document and set the position back to 0 (before a rebuild)."""

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a read-only SELECT written with `?` placeholders; rows as dicts."""

    def close(self) -> None:
        """Release connections."""

    # --------------------------------------------------- faults and skipped events
    # A view that keeps failing on an event records it (`<view>_faults`, one row) so that every
    # process sees it (`/healthz?ready`, `escalations projections status`), and an operator may
    # skip that one event, which is recorded for good (`<view>_skips`) with the reason given.

    faults_ref: str
    skips_ref: str

    @abstractmethod
    def writing(self) -> AbstractContextManager[Any]:
        """One write transaction on the view's datastore; yields a cursor taking `?` SQL."""

    @abstractmethod
    def position_for_update(self, cursor: Any, application_name: str) -> int:
        """The view's position, held until the transaction ends (as a batch holds it)."""

    def sql(self, statement: str) -> str:
        """A statement written with `?` placeholders as this backend's driver takes it."""
        return statement

    def record_fault(self, application_name: str, fault: Fault) -> None:
        with self.writing() as c:
            c.execute(self.sql(f"DELETE FROM {self.faults_ref} WHERE application_name = ?"),
                      (application_name,))  # fmt: skip
            c.execute(
                self.sql(f"INSERT INTO {self.faults_ref} VALUES (?, ?, ?, ?, ?, ?)"),
                (application_name, fault.position, fault.failing, without_nul(fault.error),
                 fault.attempts, fault.since),
            )  # fmt: skip

    def clear_fault(self, application_name: str) -> None:
        with self.writing() as c:
            c.execute(self.sql(f"DELETE FROM {self.faults_ref} WHERE application_name = ?"),
                      (application_name,))  # fmt: skip

    def fault(self, application_name: str) -> Fault | None:
        rows = self.query(
            f"SELECT position, failing, error, attempts, since FROM {self.faults_ref} "
            "WHERE application_name = ?",
            (application_name,),
        )
        return Fault(**rows[0]) if rows else None

    def skips(self, application_name: str) -> list[dict[str, Any]]:
        return self.query(
            f"SELECT position, reason, error, skipped_at FROM {self.skips_ref} "
            "WHERE application_name = ? ORDER BY position",
            (application_name,),
        )

    def skip(
        self, application_name: str, position: int, *, expected: int, reason: str, at: str
    ) -> None:
        """Move past the event at `position` without applying it, the reason recorded in the
        same transaction; PositionMoved when the view is no longer at `expected`."""
        with self.writing() as c:
            actual = self.position_for_update(c, application_name)
            if actual != expected:
                raise PositionMoved(expected, actual)
            c.execute(self.sql(f"SELECT error FROM {self.faults_ref} WHERE application_name = ?"),
                      (application_name,))  # fmt: skip
            row = c.fetchone()
            error = (row["error"] if isinstance(row, dict) else row[0]) if row else ""
            c.execute(
                self.sql(f"INSERT INTO {self.skips_ref} VALUES (?, ?, ?, ?, ?)"),
                (application_name, position, without_nul(reason), error, at),
            )
            c.execute(self.sql(f"DELETE FROM {self.faults_ref} WHERE application_name = ?"),
                      (application_name,))  # fmt: skip
            self.record_position(c, Tracking(application_name, position))

    def fault_tables(self) -> list[str]:
        """CREATE statements of the faults and skips tables (the same SQL on both backends)."""
        return [
            f"CREATE TABLE IF NOT EXISTS {self.faults_ref} (application_name TEXT PRIMARY KEY, "
            "position BIGINT NOT NULL, failing BIGINT NOT NULL, error TEXT NOT NULL, "
            "attempts INTEGER NOT NULL, since TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.skips_ref} (application_name TEXT NOT NULL, "
            "position BIGINT NOT NULL, reason TEXT NOT NULL, error TEXT NOT NULL, "
            "skipped_at TEXT NOT NULL, PRIMARY KEY (application_name, position))",
        ]

    def record_position(self, cursor: Any, tracking: Tracking) -> None:
        """Move the view's position forward within the batch's transaction; IntegrityError when
        the view is already past it (the batch was applied before)."""
        cursor.execute(
            self.insert_tracking_statement,  # type: ignore[attr-defined]
            {
                "application_name": tracking.application_name,
                "notification_id": tracking.notification_id,
            },
        )
        if cursor.fetchone() is None:
            msg = f"{self.name} is already past {tracking.notification_id}"
            raise IntegrityError(msg)

    def apply_events(
        self, events: Sequence[Any], load: Callable[[list[str]], Iterable[tuple[str, Doc]]]
    ) -> Changes:
        """Fold `events` into the documents `load` reads by key, in memory; what to write."""
        keyed = [(self.fold.key(e), e) for e in events]
        keys = list(dict.fromkeys(k for k, _ in keyed if k is not None))
        docs: dict[str, Doc | None] = dict(load(keys)) if keys else {}
        existing = set(docs)
        for key, event in keyed:
            if key is not None:
                docs[key] = self.fold.apply(docs.get(key), event)
        changes = Changes([], [], [], [key for key in docs if key in existing])
        names = [column.name for column in self.fold.columns]
        for key, doc in docs.items():
            if doc is None:
                if key in existing:
                    changes.gone.append(key)
                continue
            document = json.dumps(doc, separators=(",", ":"))
            if "\\u0000" in document:  # rare, so the common document is not walked twice
                doc = docs[key] = without_nul(doc)
                document = json.dumps(doc, separators=(",", ":"))
            values = self.fold.values(doc)
            changes.rows.append((key, document, *[values[n] for n in names]))
            changes.labels.extend((key, kind, value) for kind, value in set(self.fold.labels(doc)))
        return changes

    def documents(self) -> list[Doc]:
        """Every document, ordered by key (for comparing a rebuilt view with a live one)."""
        rows = self.query(f"SELECT id, doc FROM {self.docs_ref}")
        return [json.loads(row["doc"]) for row in sorted(rows, key=lambda r: str(r["id"]))]


NUL_REPLACEMENT = "\ufffd"


def without_nul(value: Any) -> Any:
    """`value` with every U+0000 replaced by U+FFFD, in strings, keys, lists and dicts.

    PostgreSQL text cannot hold NUL, and a store written by an earlier release (or through a way
    in that missed the check) may carry it in any text field; a view that refused the event would
    stop for good. Both backends store the replacement, so they answer the same."""
    if isinstance(value, str):
        return value.replace("\x00", NUL_REPLACEMENT)
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_nul(v) for v in value]
    return value


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped (ESCAPE '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


class ViewProjection(Projection[TrackedView]):
    """A tracked view as the library's `Projection`, so the library's `ProjectionRunner` can drive it
    (one event per transaction) as well as our batching runner (`process_batch`).

    Events of other aggregates in the store are skipped, but their position is still recorded.
    """

    topic_prefix: ClassVar[str] = get_topic(Escalation) + "."

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.process_batch([domain_event], tracking, expected=None)

    def process_batch(
        self, events: Sequence[Any], tracking: Tracking, *, expected: int | None
    ) -> None:
        wanted = [e for e in events if _topic(e).startswith(self.topic_prefix)]
        self.view.process_batch(wanted, tracking, expected=expected)


def _topic(event: Any) -> str:
    return get_topic(type(event))
