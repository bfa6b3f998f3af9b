"""The outcome store: per-recipient outcomes of every delivered communication, the worker's
tracked position and its lease, in tables of the event store's own database.

One implementation for both backends: the statements are the same SQL (`ON CONFLICT`, `RETURNING`
and `CASE` mean the same in SQLite and PostgreSQL); what differs is the placeholder, the schema
prefix of table names and how a moment is stored (ISO text in SQLite, `timestamptz` in PostgreSQL),
which `SQLiteOutcomes` and `PostgresOutcomes` in `outcomes_sql.py` supply.

The intake of a communication (its recipients as `queued` rows) and the worker's new position are
written in one transaction, so a communication is either taken in with all its recipients or not
at all, and taken in once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from infra.delivery.rows import Delivery, Due, Intake, Progress, Result, State

POSITION_TABLE = "delivery_position"
LEASE_TABLE = "delivery_lease"
COMMUNICATION_TABLE = "delivery_communications"
OUTCOME_TABLE = "delivery_outcomes"


class Outcomes(ABC):
    """The statements, over a backend's connection and conventions."""

    placeholder = "?"

    @abstractmethod
    def transaction(self, commit: bool) -> AbstractContextManager[Any]: ...

    @abstractmethod
    def table(self, name: str) -> str: ...

    @abstractmethod
    def moment_type(self) -> str: ...

    @abstractmethod
    def key_column(self) -> str: ...

    @abstractmethod
    def to_db(self, moment: datetime | None) -> Any: ...

    @abstractmethod
    def from_db(self, value: Any) -> datetime | None: ...

    def sql(self, statement: str) -> str:
        tables = {
            "positions": self.table(POSITION_TABLE),
            "leases": self.table(LEASE_TABLE),
            "communications": self.table(COMMUNICATION_TABLE),
            "outcomes": self.table(OUTCOME_TABLE),
        }
        return statement.format(**tables).replace("?", self.placeholder)

    # ---------------------------------------------------------------------- schema

    def create_tables(self) -> None:
        moment = self.moment_type()
        statements = [
            "CREATE TABLE IF NOT EXISTS {positions} (name TEXT PRIMARY KEY, "
            "position BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS {leases} (name TEXT PRIMARY KEY, holder TEXT NOT NULL, "
            f"expires_at {moment} NOT NULL)",
            "CREATE TABLE IF NOT EXISTS {communications} (escalation_id TEXT NOT NULL, "
            "communication_id TEXT NOT NULL, position BIGINT NOT NULL, audience TEXT NOT NULL, "
            "title TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, "
            "recipients INTEGER NOT NULL, reported_round INTEGER NOT NULL DEFAULT 0, "
            "finished INTEGER NOT NULL DEFAULT 0, "
            "PRIMARY KEY (escalation_id, communication_id))",
            f"CREATE TABLE IF NOT EXISTS {{outcomes}} (id {self.key_column()}, "
            "escalation_id TEXT NOT NULL, communication_id TEXT NOT NULL, "
            "address TEXT NOT NULL, message_id TEXT NOT NULL, state TEXT NOT NULL, "
            "attempts INTEGER NOT NULL DEFAULT 0, reason TEXT, last_error TEXT, "
            f"next_attempt_at {moment}, sent_at {moment}, "
            "UNIQUE (escalation_id, communication_id, address))",
        ]
        with self.transaction(commit=True) as c:
            for statement in statements:
                c.execute(self.sql(statement))
            c.execute(
                self.sql(
                    f"CREATE INDEX IF NOT EXISTS {OUTCOME_TABLE}_due "
                    "ON {outcomes} (next_attempt_at)"
                )
            )

    # -------------------------------------------------------------------- position

    def position(self, name: str) -> int:
        with self.transaction(commit=False) as c:
            c.execute(self.sql("SELECT position FROM {positions} WHERE name = ?"), (name,))
            row = c.fetchone()
        return 0 if row is None else int(row[0])

    def take_in(self, name: str, position: int, intakes: Sequence[Intake], now: datetime) -> None:
        """Record the communications and their queued recipients, and the new position, at
        once. Taking in the same communication again changes nothing."""
        with self.transaction(commit=True) as c:
            for intake in intakes:
                c.execute(
                    self.sql(
                        "INSERT INTO {communications} (escalation_id, communication_id, "
                        "position, audience, title, subject, body, recipients) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (escalation_id, communication_id) DO NOTHING"
                    ),
                    (
                        intake.escalation_id,
                        intake.communication_id,
                        intake.position,
                        intake.audience,
                        intake.title,
                        intake.subject,
                        intake.body,
                        len(intake.recipients),
                    ),
                )
                c.executemany(
                    self.sql(
                        "INSERT INTO {outcomes} (escalation_id, communication_id, address, "
                        "message_id, state, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (escalation_id, communication_id, address) DO NOTHING"
                    ),
                    [
                        (
                            intake.escalation_id,
                            intake.communication_id,
                            address,
                            message_id,
                            State.QUEUED.value,
                            self.to_db(now),
                        )
                        for address, message_id in intake.recipients
                    ],
                )
            c.execute(
                self.sql(
                    "INSERT INTO {positions} (name, position) VALUES (?, ?) ON CONFLICT (name) "
                    "DO UPDATE SET position = excluded.position"
                ),
                (name, position),
            )

    # -------------------------------------------------------------------- sending

    def due(self, now: datetime, limit: int) -> list[Due]:
        """The recipients to try now, oldest first: queued ones, and failed ones whose retry is
        due."""
        with self.transaction(commit=False) as c:
            c.execute(
                self.sql(
                    "SELECT o.id, o.escalation_id, o.communication_id, o.address, o.message_id, "
                    "o.attempts, c.audience, c.title, c.subject, c.body FROM {outcomes} o "
                    "JOIN {communications} c ON c.escalation_id = o.escalation_id "
                    "AND c.communication_id = o.communication_id "
                    "WHERE o.next_attempt_at <= ? AND o.state IN (?, ?) "
                    "ORDER BY o.next_attempt_at, o.id LIMIT ?"
                ),
                (self.to_db(now), State.QUEUED.value, State.FAILED.value, limit),
            )
            return [
                Due(
                    key=int(r[0]),
                    escalation_id=str(r[1]),
                    communication_id=str(r[2]),
                    address=str(r[3]),
                    message_id=str(r[4]),
                    attempts=int(r[5]),
                    audience=str(r[6]),
                    title=str(r[7]),
                    subject=str(r[8]),
                    body=str(r[9]),
                )
                for r in c.fetchall()
            ]

    def record(self, results: Sequence[Result]) -> None:
        if not results:
            return
        with self.transaction(commit=True) as c:
            c.executemany(
                self.sql(
                    "UPDATE {outcomes} SET state = ?, attempts = ?, next_attempt_at = ?, "
                    "sent_at = ?, reason = ?, last_error = ? WHERE id = ?"
                ),
                [
                    (
                        r.state.value,
                        r.attempts,
                        self.to_db(r.next_attempt_at),
                        self.to_db(r.sent_at),
                        r.reason,
                        r.last_error,
                        r.key,
                    )
                    for r in results
                ],
            )

    # ------------------------------------------------------------------ reporting

    def progress(self) -> list[Progress]:
        """Every communication whose delivery is not finished, with its counts."""
        retry_open = "o.state = 'failed' AND o.next_attempt_at IS NOT NULL"
        with self.transaction(commit=False) as c:
            c.execute(
                self.sql(
                    "SELECT c.escalation_id, c.communication_id, c.reported_round, c.recipients, "
                    "COALESCE(SUM(CASE WHEN o.state = 'sent' THEN 1 ELSE 0 END), 0), "
                    "COALESCE(SUM(CASE WHEN o.state IN ('failed', 'bounced') "
                    "AND o.next_attempt_at IS NULL THEN 1 ELSE 0 END), 0), "
                    f"COALESCE(SUM(CASE WHEN {retry_open} THEN 1 ELSE 0 END), 0), "
                    f"MIN(CASE WHEN o.state = 'queued' OR ({retry_open}) THEN o.attempts END), "
                    "COALESCE(MAX(o.attempts), 0) "
                    "FROM {communications} c LEFT JOIN {outcomes} o "
                    "ON c.escalation_id = o.escalation_id "
                    "AND c.communication_id = o.communication_id "
                    "WHERE c.finished = 0 GROUP BY c.escalation_id, c.communication_id, "
                    "c.reported_round, c.recipients, c.position ORDER BY c.position"
                )
            )
            return [
                Progress(
                    escalation_id=str(r[0]),
                    communication_id=str(r[1]),
                    reported_round=int(r[2]),
                    recipients=int(r[3]),
                    sent=int(r[4]),
                    failed=int(r[5]),
                    retrying=int(r[6]),
                    open_attempts=None if r[7] is None else int(r[7]),
                    most_attempts=int(r[8]),
                )
                for r in c.fetchall()
            ]

    def reasons(self, escalation_id: str, communication_id: str) -> dict[str, int]:
        """Why recipients failed for good, counted by reason."""
        with self.transaction(commit=False) as c:
            c.execute(
                self.sql(
                    "SELECT reason, COUNT(*) FROM {outcomes} WHERE escalation_id = ? "
                    "AND communication_id = ? AND state IN ('failed', 'bounced') "
                    "AND next_attempt_at IS NULL GROUP BY reason ORDER BY reason"
                ),
                (escalation_id, communication_id),
            )
            return {str(reason or "unknown"): int(count) for reason, count in c.fetchall()}

    def mark_reported(
        self, escalation_id: str, communication_id: str, round_: int, finished: bool
    ) -> None:
        with self.transaction(commit=True) as c:
            c.execute(
                self.sql(
                    "UPDATE {communications} SET reported_round = ?, finished = ? "
                    "WHERE escalation_id = ? AND communication_id = ?"
                ),
                (round_, int(finished), escalation_id, communication_id),
            )

    # ------------------------------------------------------------------- reading

    def deliveries(self, escalation_id: str, communication_id: str) -> list[Delivery] | None:
        """The recipients' outcomes; None when the communication was never taken in."""
        with self.transaction(commit=False) as c:
            c.execute(
                self.sql(
                    "SELECT 1 FROM {communications} WHERE escalation_id = ? "
                    "AND communication_id = ?"
                ),
                (escalation_id, communication_id),
            )
            if c.fetchone() is None:
                return None
            c.execute(
                self.sql(
                    "SELECT address, state, attempts, last_error, sent_at, next_attempt_at, "
                    "message_id FROM {outcomes} WHERE escalation_id = ? "
                    "AND communication_id = ? ORDER BY address"
                ),
                (escalation_id, communication_id),
            )
            return [
                Delivery(
                    str(r[0]),
                    str(r[1]),
                    int(r[2]),
                    r[3],
                    self.from_db(r[4]),
                    self.from_db(r[5]),
                    str(r[6]),
                )
                for r in c.fetchall()
            ]

    def message_ids(self) -> Iterator[tuple[str, str]]:
        """(address, message id) of every outcome; for the proofs and the benchmark."""
        with self.transaction(commit=False) as c:
            c.execute(self.sql("SELECT address, message_id FROM {outcomes}"))
            rows = c.fetchall()
        yield from ((str(a), str(m)) for a, m in rows)

    # --------------------------------------------------------------------- lease

    def acquire_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew the lease: granted to `holder` when it holds it already, or when the
        holder's lease has lapsed. Answers whether `holder` holds it now."""
        with self.transaction(commit=True) as c:
            c.execute(
                self.sql(
                    "INSERT INTO {leases} (name, holder, expires_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                    "expires_at = excluded.expires_at "
                    "WHERE {leases}.holder = excluded.holder OR {leases}.expires_at < ?"
                ),
                (name, holder, self.to_db(until), self.to_db(now)),
            )
            c.execute(self.sql("SELECT holder FROM {leases} WHERE name = ?"), (name,))
            row = c.fetchone()
        return row is not None and row[0] == holder

    def release_lease(self, name: str, holder: str) -> None:
        with self.transaction(commit=True) as c:
            c.execute(
                self.sql("DELETE FROM {leases} WHERE name = ? AND holder = ?"), (name, holder)
            )
