"""The distribution lists, kept as aggregates in the escalations' own event store (as the API keys
are): their history is backed up and restored with everything else, and who was on a list at a
moment is read back from it (`members_at`), which is how the delivery worker resolves the
recipients of a communication as they were when it was recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from domain.distribution_list import LIST_EVENTS, DistributionList, mailbox_key, members_at
from infra.application import Clock, Escalations

CREATED_TOPIC = get_topic(DistributionList.ListCreated)
LIST_TOPICS = tuple(get_topic(event) for event in LIST_EVENTS)
_PAGE = 500
_RACES = 5


class ListNotFound(LookupError):
    pass


@dataclass(frozen=True)
class ListInfo:
    id: UUID
    name: str
    audience: str
    members: list[str]
    created_at: datetime
    created_by: str
    version: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "audience": self.audience,
            "members": list(self.members),
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "version": self.version,
        }


class DistributionLists:
    def __init__(self, app: Escalations, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    # ------------------------------------------------------------------- writes

    def create(self, *, name: str, audience: str, actor: str) -> ListInfo:
        created = DistributionList.create(
            actor=actor, at=self.clock(), name=name, audience=audience
        )
        self.app.save(created)
        return _info(created)

    def add(self, list_id: UUID, *, address: str, actor: str) -> ListInfo:
        return self._change(
            list_id, lambda lst, at: lst.add_member(actor=actor, at=at, address=address)
        )

    def remove(self, list_id: UUID, *, address: str, actor: str) -> ListInfo:
        return self._change(
            list_id, lambda lst, at: lst.remove_member(actor=actor, at=at, address=address)
        )

    def _change(
        self, list_id: UUID, change: Callable[[DistributionList, datetime], Any]
    ) -> ListInfo:
        for attempt in range(_RACES):
            found = self._load(list_id)
            change(found, max(self.clock(), found.modified_on))
            try:
                self.app.save(found)
            except IntegrityError:  # another change won the race for this version: read again
                if attempt == _RACES - 1:
                    raise
                continue
            return _info(found)
        raise AssertionError("unreachable")  # pragma: no cover

    # -------------------------------------------------------------------- reads

    def get(self, list_id: UUID, as_of: datetime | None = None) -> ListInfo:
        found = self._load(list_id)
        if as_of is None:
            return _info(found)
        events: list[Any] = list(self.app.events.get(list_id))
        members = members_at(events, as_of)
        if members is None:
            raise ListNotFound(f"distribution list {list_id} did not exist at {as_of.isoformat()}")
        version = max(e.originator_version for e in events if e.timestamp <= as_of)
        return ListInfo(
            found.id, found.name, found.audience, members, found.created_on, found.created_by,
            version,
        )  # fmt: skip

    def all(self, audience: str | None = None) -> list[ListInfo]:
        lists = [_info(self._load(list_id)) for list_id in self._ids()]
        return [lst for lst in lists if audience is None or lst.audience == audience]

    def recipients(self, audience: str, at: datetime) -> list[str]:
        """Every address on a list of `audience` at `at`, once each (the first spelling met),
        in the order the lists were created and their members added."""
        found: dict[str, str] = {}
        for list_id in self._ids():
            events: list[Any] = list(self.app.events.get(list_id))
            if not events or events[0].audience != audience:
                continue
            for address in members_at(events, at) or ():
                found.setdefault(mailbox_key(address), address)
        return list(found.values())

    def _ids(self) -> list[UUID]:
        ids: list[UUID] = []
        start: int | None = 1
        while start is not None:
            page = self.app.recorder.select_notifications(start, _PAGE, topics=[CREATED_TOPIC])
            ids.extend(n.originator_id for n in page)  # type: ignore[misc]
            start = page[-1].id + 1 if len(page) == _PAGE else None
        return ids

    def _load(self, list_id: UUID) -> DistributionList:
        try:
            found: Any = self.app.repository.get(list_id)
        except AggregateNotFoundError:
            raise ListNotFound(f"no distribution list {list_id}") from None
        if not isinstance(found, DistributionList):
            raise ListNotFound(f"no distribution list {list_id}")
        return found


def _info(found: DistributionList) -> ListInfo:
    return ListInfo(
        found.id, found.name, found.audience, list(found.members), found.created_on,
        found.created_by, found.version,
    )  # fmt: skip
