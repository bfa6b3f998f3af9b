"""The list-and-search view behind `GET /escalations`: one row per escalation, filterable in SQL.

Lifecycle: async, tracked (a runner keeps it up to date; rebuildable from event 1). Holds no customer
personal data: the customer's name and e-mail stay in the event stream, where they can be shredded.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from domain.escalation import Escalation
from domain.policies import REOPENED_STATUS
from domain.values import severity_rank
from projections import event_groups as group
from projections.base import (
    Column,
    Doc,
    Fold,
    TrackedView,
    ViewProjection,
    instant,
    like_pattern,
    opened_doc,
)
from projections.dispatch import Dispatch

SORTS = {"opened_at": "opened_at", "updated_at": "updated_at", "severity": "severity_rank"}


E = Escalation
_ON: Dispatch[Callable[[Doc, Any], None]] = Dispatch()


@_ON.register(E.Acknowledged)
def _acknowledged(doc: Doc, e: Any) -> None:
    doc["acknowledged_at"] = instant(e.timestamp)


@_ON.register(E.SeverityChanged)
def _severity(doc: Doc, e: Any) -> None:
    doc["severity"] = e.to_severity


@_ON.register(E.StatusChanged)
def _status(doc: Doc, e: Any) -> None:
    doc["status"] = e.to_status


@_ON.register(E.ImpactAssessed)
def _impact(doc: Doc, e: Any) -> None:
    doc["components"] = dict(e.components)
    doc["customers_affected"] = e.customers_affected
    doc["revenue_at_risk"] = e.revenue_at_risk
    doc["currency"] = e.currency


@_ON.register(E.OwnerAssigned)
def _owner(doc: Doc, e: Any) -> None:
    doc["owner"], doc["owner_team"] = e.owner, e.team
    doc["participants"][e.owner] = e.team


@_ON.register(E.ParticipantJoined)
def _joined(doc: Doc, e: Any) -> None:
    doc["participants"][e.name] = e.team


@_ON.register(E.ParticipantLeft)
def _left(doc: Doc, e: Any) -> None:
    doc["participants"].pop(e.name, None)


@_ON.register(E.CaseLinked)
def _case_linked(doc: Doc, e: Any) -> None:
    doc["linked_cases"] += 1


@_ON.register(E.LinkedToEscalation)
def _linked_to(doc: Doc, e: Any) -> None:
    doc["linked_to"] = e.escalation_id


@_ON.register(E.SlaBreached)
def _breached(doc: Doc, e: Any) -> None:
    doc["sla_breaches"].append(e.target)


@_ON.register(E.DeadlineExtended)
def _extended(doc: Doc, e: Any) -> None:
    doc["deadline"] = instant(e.new_deadline)


@_ON.register(E.Dismissed)
def _dismissed(doc: Doc, e: Any) -> None:
    doc["status"], doc["closed_at"] = "dismissed", instant(e.timestamp)


@_ON.register(E.Resolved)
def _resolved(doc: Doc, e: Any) -> None:
    doc["status"], doc["resolved_at"] = "resolved", instant(e.timestamp)


@_ON.register(E.Reopened)
def _reopened(doc: Doc, e: Any) -> None:
    doc["status"], doc["resolved_at"] = REOPENED_STATUS.value, None


@_ON.register(E.Closed)
def _closed(doc: Doc, e: Any) -> None:
    doc["status"], doc["closed_at"] = "closed", instant(e.timestamp)


class SearchFold(Fold):
    """Every event stamps the row's `version` and `updated_at`; `ignores` lists the events that
    change nothing else (their words stay in the stream, out of the searchable row)."""

    handles: ClassVar = frozenset({E.Opened}) | _ON.handles
    ignores: ClassVar = (
        group.TEAM_WORK
        | group.AFTERMATH
        | {E.Communicated, E.CommunicationDelivered, E.CustomerDataErased}
    )
    columns: ClassVar = (
        Column("status", "text"),
        Column("severity", "text"),
        Column("severity_rank", "int"),
        Column("source", "text"),
        Column("scope", "text"),
        Column("owner", "text"),
        Column("opened_at", "text"),
        Column("updated_at", "text"),
        Column("resolved_at", "text"),
        Column("sla_breached", "int"),
        Column("text", "text", indexed=False),
    )

    def apply(self, doc: Doc | None, event: Any) -> Doc | None:
        if isinstance(event, E.Opened):
            doc = opened_doc(event) | {
                "external_ref": event.external_ref,
                "owner": None,
                "owner_team": None,
                "components": {c: "" for c in event.components},
                "tags": list(event.tags),
                "opened_at": instant(event.timestamp),
                "received_at": instant(event.received_at),
                "acknowledged_at": None,
                "resolved_at": None,
                "closed_at": None,
                "deadline": instant(event.deadline),
                "sla_breaches": [],
                "linked_to": None,
                "linked_cases": 0,
                "customers_affected": None,
                "revenue_at_risk": None,
                "currency": None,
                "participants": {},
                "_description": event.description,
            }
        if doc is None:
            return None
        doc["version"] = event.originator_version
        doc["updated_at"] = instant(event.timestamp)
        handler = _ON.get(event)
        if handler is not None:
            handler(doc, event)
        return doc

    def values(self, doc: Doc) -> dict[str, Any]:
        words = [doc["title"], doc["_description"], doc["account"] or "", doc["external_ref"] or ""]
        words += doc["tags"] + list(doc["components"])
        return {
            "status": doc["status"],
            "severity": doc["severity"],
            "severity_rank": severity_rank(doc["severity"]),
            "source": doc["source"],
            "scope": doc["scope"],
            "owner": doc["owner"],
            "opened_at": doc["opened_at"],
            "updated_at": doc["updated_at"],
            "resolved_at": doc["resolved_at"],
            "sla_breached": 1 if doc["sla_breaches"] else 0,
            "text": " ".join(words).lower(),
        }

    def labels(self, doc: Doc) -> Iterable[tuple[str, str]]:
        yield from (("tag", t) for t in doc["tags"])
        yield from (("component", c) for c in doc["components"])
        yield from (("team", t) for t in doc["participants"].values())


class InvalidQuery(ValueError):
    """A search parameter the view cannot honour (unknown sort, broken cursor)."""


@dataclass
class SearchQuery:
    status: list[str] = field(default_factory=list)
    severity: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    owner: str | None = None
    team: str | None = None
    component: str | None = None
    tag: str | None = None
    text: str | None = None
    opened_after: datetime | None = None
    opened_before: datetime | None = None
    resolved_after: datetime | None = None
    resolved_before: datetime | None = None
    sla_breached: bool | None = None
    sort: str = "-opened_at"
    limit: int = 50
    cursor: str | None = None


@dataclass
class SearchPage:
    items: list[Doc]
    next_cursor: str | None


def encode_cursor(sort: str, value: Any, key: str) -> str:
    raw = json.dumps([sort, value, key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, key = json.loads(raw)
    except (ValueError, binascii.Error, TypeError) as error:
        raise InvalidQuery("cursor is not one this service issued; start without it") from error
    if cursor_sort != sort:
        raise InvalidQuery(f"cursor was issued for sort={cursor_sort}, not sort={sort}")
    return value, str(key)


class SearchView(TrackedView):
    """Read side of the list-and-search view (the same SQL on both backends)."""

    name: ClassVar[str] = "search"
    fold = SearchFold()

    def search(self, q: SearchQuery) -> SearchPage:
        where, params = self._where(q)
        descending = q.sort.startswith("-")
        sort_name = q.sort.lstrip("-")
        if sort_name not in SORTS:
            raise InvalidQuery(
                f"sort must be one of {', '.join(SORTS)}, optionally with a leading -"
            )
        column = SORTS[sort_name]
        if q.cursor:
            value, key = decode_cursor(q.cursor, q.sort)
            op = "<" if descending else ">"
            where.append(f"({column} {op} ? OR ({column} = ? AND id {op} ?))")
            params += [value, value, key]
        order = "DESC" if descending else "ASC"
        sql = (
            f"SELECT id, doc, {column} AS sort_value FROM {self.docs_ref} "
            f"{'WHERE ' + ' AND '.join(where) if where else ''} "
            f"ORDER BY {column} {order}, id {order} LIMIT ?"
        )
        rows = self.query(sql, [*params, q.limit + 1])
        items = [_public(json.loads(r["doc"])) for r in rows[: q.limit]]
        more = len(rows) > q.limit
        last = rows[q.limit - 1] if more else None
        next_cursor = encode_cursor(q.sort, last["sort_value"], last["id"]) if last else None
        return SearchPage(items, next_cursor)

    def _where(self, q: SearchQuery) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        for column, wanted in (
            ("status", q.status),
            ("severity", q.severity),
            ("source", q.source),
            ("scope", q.scope),
        ):
            if wanted:
                where.append(f"{column} IN ({','.join('?' * len(wanted))})")
                params += wanted
        if q.owner:
            where.append("owner = ?")
            params.append(q.owner)
        for kind, value in (("team", q.team), ("component", q.component), ("tag", q.tag)):
            if value:
                where.append(
                    f"id IN (SELECT id FROM {self.labels_ref} WHERE kind = ? AND value = ?)"
                )
                params += [kind, value]
        if q.text:
            for word in q.text.split():
                where.append("text LIKE ? ESCAPE '\\'")
                params.append(like_pattern(word))
        for column, op, moment in (
            ("opened_at", ">=", q.opened_after),
            ("opened_at", "<", q.opened_before),
            ("resolved_at", ">=", q.resolved_after),
            ("resolved_at", "<", q.resolved_before),
        ):
            if moment is not None:
                where.append(f"{column} {op} ?")
                params.append(instant(moment))
        if q.sla_breached is not None:
            where.append("sla_breached = ?")
            params.append(1 if q.sla_breached else 0)
        return where, params


def _public(doc: Doc) -> Doc:
    """The row as the API lists it: without the fields kept only for searching."""
    item = {k: v for k, v in doc.items() if not k.startswith("_") and k != "participants"}
    item["teams"] = sorted(set(doc["participants"].values()))
    return item


class SearchProjection(ViewProjection):
    """The search view driven by an eventsourcing projection runner."""

    name = "search"
