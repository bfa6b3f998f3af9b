"""The case ledger: one row per escalation with the times and numbers the queue, SLA, metrics and
trend reports need (no message bodies, no customer personal data).

Lifecycle: async, tracked. The reports on top are computed at read time, because they depend on the
current time and on the SLA policy in the settings: changing a policy needs no rebuild.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar

from domain.escalation import Escalation
from domain.policies import REOPENED_STATUS
from domain.values import OPEN_STATUS_VALUES, Status
from projections import event_groups as group
from projections.base import Column, Doc, Fold, TrackedView, ViewProjection, instant, opened_doc
from projections.dispatch import Dispatch

OPEN_STATUSES = OPEN_STATUS_VALUES
PARKED_STATUS = Status.MONITORING.value


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _seconds(start: str | None, end: str | None) -> float | None:
    if start is None or end is None:
        return None
    a = datetime.fromisoformat(start.replace("Z", "+00:00"))
    b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    return (b - a).total_seconds()


E = Escalation
_ON: Dispatch[Callable[[Doc, Any, str], None]] = Dispatch()


@_ON.register(E.Acknowledged)
def _acknowledged(doc: Doc, e: Any, at: str) -> None:
    doc["acknowledged_at"] = at


@_ON.register(E.SeverityChanged)
def _severity(doc: Doc, e: Any, at: str) -> None:
    doc["severity"] = e.to_severity


@_ON.register(E.StatusChanged)
def _status(doc: Doc, e: Any, at: str) -> None:
    _park(doc, e.to_status, at)
    doc["status"] = e.to_status


def _park(doc: Doc, to_status: str, at: str) -> None:
    """Keeps the intervals spent in `monitoring` (the fix is out, nobody works the case), which
    handle time leaves out. Documents folded before this was kept have no `parked` list."""
    parked = doc.setdefault("parked", [])
    if to_status == PARKED_STATUS and doc["status"] != PARKED_STATUS:
        parked.append([at, None])
    elif to_status != PARKED_STATUS and parked and parked[-1][1] is None:
        parked[-1][1] = at


@_ON.register(E.ImpactAssessed)
def _impact(doc: Doc, e: Any, at: str) -> None:
    doc["customers_affected"] = e.customers_affected
    doc["revenue_at_risk"] = e.revenue_at_risk
    doc["currency"] = e.currency
    doc["components"] = list(e.components)


@_ON.register(E.OwnerAssigned)
def _owner(doc: Doc, e: Any, at: str) -> None:
    doc["owner"] = e.owner


@_ON.register(E.Communicated)
def _communicated(doc: Doc, e: Any, at: str) -> None:
    due = instant(e.next_update_due)
    doc["comms"].append({"id": e.communication_id, "audience": e.audience, "at": at, "due": due})


@_ON.register(E.SlaBreached)
def _breached(doc: Doc, e: Any, at: str) -> None:
    doc["breaches"][e.target] = {"due_at": instant(e.due_at), "at": at}


@_ON.register(E.DeadlineExtended)
def _extended(doc: Doc, e: Any, at: str) -> None:
    doc["deadline"] = instant(e.new_deadline)


@_ON.register(E.Resolved)
def _resolved(doc: Doc, e: Any, at: str) -> None:
    _park(doc, "resolved", at)
    doc["status"], doc["resolved_at"], doc["ended_at"] = "resolved", at, at
    doc["first_resolved_at"] = doc["first_resolved_at"] or at


@_ON.register(E.Reopened)
def _reopened(doc: Doc, e: Any, at: str) -> None:
    doc["status"], doc["resolved_at"], doc["ended_at"] = REOPENED_STATUS.value, None, None


@_ON.register(E.Closed)
def _closed(doc: Doc, e: Any, at: str) -> None:
    _park(doc, "closed", at)
    doc["status"] = "closed"
    doc["ended_at"] = doc["ended_at"] or at


@_ON.register(E.Dismissed)
def _dismissed(doc: Doc, e: Any, at: str) -> None:
    _park(doc, "dismissed", at)
    doc["status"], doc["ended_at"] = "dismissed", at


@_ON.register(E.FeedbackReceived)
def _feedback(doc: Doc, e: Any, at: str) -> None:
    if e.csat is not None:
        doc["csat"].append(e.csat)
    if e.nps is not None:
        doc["nps"].append(e.nps)


@_ON.register(E.PostMortemRecorded)
def _postmortem(doc: Doc, e: Any, at: str) -> None:
    doc["root_cause_category"] = e.root_cause_category or None


class CasesFold(Fold):
    """`ignores`: events that move no time, number or label the reports read."""

    handles: ClassVar = frozenset({E.Opened}) | _ON.handles
    ignores: ClassVar = (
        group.TEAM_WORK
        | group.PEOPLE
        | group.LINKS
        | {E.CustomerDataErased, E.PostMortemPublished, E.CommunicationDelivered}
    )
    columns: ClassVar = (
        Column("status", "text"),
        Column("open", "int"),
        Column("source", "text"),
        Column("severity", "text"),
        Column("opened_at", "text"),
        Column("week", "text"),
        Column("ack_seconds", "real", indexed=False),
        Column("resolve_seconds", "real", indexed=False),
        Column("csat_sum", "int", indexed=False),
        Column("csat_count", "int", indexed=False),
        Column("nps_promoters", "int", indexed=False),
        Column("nps_detractors", "int", indexed=False),
        Column("nps_count", "int", indexed=False),
    )

    def apply(self, doc: Doc | None, event: Any) -> Doc | None:
        at = instant(event.timestamp)
        if isinstance(event, E.Opened):
            privacy = event.privacy or {}
            doc = opened_doc(event) | {
                "received_at": instant(event.received_at),
                "opened_at": at,
                "acknowledged_at": None,
                "first_resolved_at": None,
                "resolved_at": None,
                "ended_at": None,
                "deadline": instant(event.deadline),
                "acknowledge_by": instant(privacy.get("acknowledge_by")),
                "privacy_regime": privacy.get("regime"),
                "customers_affected": 0,
                "revenue_at_risk": 0.0,
                "currency": None,
                "comms": [],
                "breaches": {},
                "tags": list(event.tags),
                "components": list(event.components),
                "root_cause_category": None,
                "csat": [],
                "nps": [],
                "owner": None,
                "parked": [],
            }
        if doc is None:
            return None
        handler = _ON.get(event)
        if handler is not None:
            assert at is not None
            handler(doc, event, at)
        return doc

    def values(self, doc: Doc) -> dict[str, Any]:
        opened = datetime.fromisoformat(doc["opened_at"].replace("Z", "+00:00"))
        return {
            "status": doc["status"],
            "open": 1 if doc["status"] in OPEN_STATUSES else 0,
            "source": doc["source"],
            "severity": doc["severity"],
            "opened_at": doc["opened_at"],
            "week": iso_week(opened),
            "ack_seconds": _seconds(doc["received_at"], doc["acknowledged_at"]),
            "resolve_seconds": _seconds(doc["received_at"], doc["first_resolved_at"]),
            "csat_sum": sum(doc["csat"]),
            "csat_count": len(doc["csat"]),
            "nps_promoters": sum(1 for n in doc["nps"] if n >= 9),
            "nps_detractors": sum(1 for n in doc["nps"] if n <= 6),
            "nps_count": len(doc["nps"]),
        }

    def labels(self, doc: Doc) -> Iterable[tuple[str, str]]:
        yield ("source", doc["source"])
        yield from (("tag", t) for t in doc["tags"])
        yield from (("component", c) for c in doc["components"])
        if doc["root_cause_category"]:
            yield ("root_cause", doc["root_cause_category"])


class CasesView(TrackedView):
    name: ClassVar[str] = "cases"
    fold = CasesFold()

    def open_cases(self) -> list[Doc]:
        rows = self.query(f"SELECT doc FROM {self.docs_ref} WHERE open = 1 ORDER BY id")
        return [json.loads(r["doc"]) for r in rows]

    def cases_since(self, since: datetime) -> list[Doc]:
        """Cases opened since `since`, and every case still open."""
        rows = self.query(
            f"SELECT doc FROM {self.docs_ref} WHERE opened_at >= ? OR open = 1 ORDER BY id",
            [instant(since)],
        )
        return [json.loads(r["doc"]) for r in rows]

    def cases_opened(self, since: datetime | None = None) -> list[Doc]:
        """Cases opened since `since` (every case without it), open or not."""
        where, params = self._since(since)
        rows = self.query(f"SELECT doc FROM {self.docs_ref}{where} ORDER BY id", params)
        return [json.loads(r["doc"]) for r in rows]

    def cases_opened_by(self, moment: datetime) -> list[Doc]:
        """Every case opened by `moment`: what a report as of that moment starts from."""
        rows = self.query(
            f"SELECT doc FROM {self.docs_ref} WHERE opened_at <= ? ORDER BY id", [instant(moment)]
        )
        return [json.loads(r["doc"]) for r in rows]

    def counts(self, column: str, since: datetime | None = None) -> dict[str, int]:
        if column not in ("status", "severity", "source"):
            raise ValueError(column)
        where, params = self._since(since)
        rows = self.query(
            f"SELECT {column} AS k, COUNT(*) AS n FROM {self.docs_ref}{where} GROUP BY {column}",
            params,
        )
        return {str(r["k"]): int(r["n"]) for r in sorted(rows, key=lambda r: str(r["k"]))}

    def aggregates(self, since: datetime | None = None) -> dict[str, Any]:
        where, params = self._since(since)
        rows = self.query(
            "SELECT COUNT(*) AS cases, AVG(ack_seconds) AS mtta, AVG(resolve_seconds) AS mttr, "
            "SUM(csat_sum) AS csat_sum, SUM(csat_count) AS csat_count, "
            "SUM(nps_promoters) AS promoters, SUM(nps_detractors) AS detractors, "
            f"SUM(nps_count) AS nps_count FROM {self.docs_ref}{where}",
            params,
        )
        return rows[0]

    def weekly_labels(self, first_week_start: datetime) -> list[tuple[str, str, str, int]]:
        """(week, kind, value, count) for cases opened since `first_week_start`."""
        rows = self.query(
            f"SELECT d.week AS week, l.kind AS kind, l.value AS value, COUNT(*) AS n "
            f"FROM {self.labels_ref} l JOIN {self.docs_ref} d ON d.id = l.id "
            "WHERE d.opened_at >= ? GROUP BY d.week, l.kind, l.value",
            [instant(first_week_start)],
        )
        return sorted((r["week"], r["kind"], r["value"], int(r["n"])) for r in rows)

    @staticmethod
    def _since(since: datetime | None) -> tuple[str, list[Any]]:
        if since is None:
            return "", []
        return " WHERE opened_at >= ?", [instant(since)]


class CasesProjection(ViewProjection):
    """The cases view driven by an eventsourcing projection runner."""

    name = "cases"
