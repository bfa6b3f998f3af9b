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

from adapters.webhooks.signing import new_secret
from adapters.webhooks.ssrf import EndpointRefused, check_endpoint
from domain.distribution_list import (
    LIST_EVENTS,
    DistributionList,
    MemberKind,
    endpoint_id,
    endpoint_url,
    mailbox_key,
    members_at,
)
from domain.errors import InvalidCommand
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
    endpoints: list[dict[str, Any]]
    """The webhook and Slack members, as shown: never their secrets."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "audience": self.audience,
            "members": list(self.members),
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "version": self.version,
            "endpoints": self.endpoints,
        }


@dataclass(frozen=True)
class Endpoint:
    """What sending to an endpoint needs: its secret and where it is listed."""

    list_id: UUID
    recipient: str
    secret: str
    added_by: str
    owner: str
    """The address told when the endpoint is disabled; may be empty."""
    disabled: bool


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

    def add_endpoint(
        self,
        list_id: UUID,
        *,
        kind: MemberKind,
        url: str,
        actor: str,
        allow_private: bool,
        owner: str = "",
    ) -> tuple[ListInfo, str | None]:
        """Add a webhook or Slack member; answers the list and, for a webhook, its new signing
        secret (shown this once). A URL that may not be called is an `InvalidCommand`."""
        checked = endpoint_url(url, kind, allow_http=allow_private)
        try:
            check_endpoint(checked, allow_private=allow_private)
        except EndpointRefused as refused:
            raise InvalidCommand(f"{kind.value} URL refused: {refused}") from None
        secret = new_secret() if kind is MemberKind.WEBHOOK else None
        info = self._change(
            list_id,
            lambda lst, at: lst.add_endpoint(
                actor=actor, at=at, kind=kind, url=checked, secret=secret or "",
                allow_http=allow_private, owner=owner,
            ),
        )  # fmt: skip
        return info, secret

    def disable(self, endpoint: Endpoint, *, reason: str, owner_notice: str, actor: str) -> None:
        self._change(
            endpoint.list_id,
            lambda lst, at: lst.disable_endpoint(
                actor=actor, at=at, recipient=endpoint.recipient, reason=reason,
                owner_notice=owner_notice,
            ),
        )  # fmt: skip

    def endpoints(self) -> dict[str, Endpoint]:
        """Every endpoint on a list now, by recipient string (the first list's, when two lists
        hold the same URL)."""
        found: dict[str, Endpoint] = {}
        for list_id in self._ids():
            current = self._load(list_id)
            for recipient, e in current.endpoints.items():
                found.setdefault(
                    recipient,
                    Endpoint(
                        list_id,
                        recipient,
                        e["secret"],
                        e["added_by"],
                        e["owner"],
                        bool(e["disabled"]),
                    ),
                )
        return found

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
        shown = [e for e in _endpoints(found) if e["recipient"] in members]
        return ListInfo(
            found.id, found.name, found.audience, members, found.created_on, found.created_by,
            version, shown,
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
        found.created_by, found.version, _endpoints(found),
    )  # fmt: skip


def _endpoints(found: DistributionList) -> list[dict[str, Any]]:
    shown = []
    for recipient, e in found.endpoints.items():
        disabled = e["disabled"]
        shown.append(
            {
                "id": endpoint_id(recipient),
                "kind": e["kind"],
                "url": recipient.split(":", 1)[1],
                "recipient": recipient,
                "added_by": e["added_by"],
                "owner": e["owner"],
                "added_at": e["added_at"].isoformat(),
                "disabled": None if disabled is None else {
                    "at": disabled["at"].isoformat(), "reason": disabled["reason"],
                    "owner_notice": disabled["owner_notice"],
                },
            }
        )  # fmt: skip
    return shown
