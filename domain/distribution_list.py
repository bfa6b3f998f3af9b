"""A distribution list: the people one audience's communications are delivered to.

A list belongs to one audience (`executive`, `sales_cs`, `internal`, `regulator`...); every list
of that audience receives what is delivered to it. Membership is a stream of events, so who was on
a list when a message went out is read back from its history (`members_at`), never guessed from
today's members.

Members are e-mail addresses for now (an employee's or a partner's work address); other kinds of
member (a Slack channel, a webhook) will be further events of this aggregate.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain import limits
from domain.errors import InvalidCommand, RuleViolated
from domain.validation import enum_value, required_text, utc
from domain.values import Audience, Channel

LIST_NAME_MAX = 100
ADDRESS_MAX = 254
"""RFC 5321 bounds a forward path to 256 octets including the angle brackets."""
LOCAL_PART_MAX = 64

DELIVERABLE_CHANNELS: frozenset[str] = frozenset({Channel.EMAIL.value})
"""The channels whose communications can be delivered to distribution lists."""

# The dot-atom form of RFC 5322 for the local part (no quoted strings, no comments), and a host
# name of letters, digits and hyphens with at least one dot: what a relay accepts everywhere.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def mail_address(value: object) -> str:
    """The address as stored: trimmed, the domain in lower case; refuses anything a mail relay
    might read differently (display names, comments, quoted local parts, IP literals)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand("address is required, e.g. maria.chen@example.com")
    address = value.strip()
    hint = "send a bare address such as maria.chen@example.com (no name, no angle brackets)"
    if len(address) > ADDRESS_MAX or address.count("@") != 1:
        raise InvalidCommand(f"address is not a single e-mail address; {hint}")
    local, domain = address.split("@")
    labels = domain.split(".")
    if (
        not local
        or len(local) > LOCAL_PART_MAX
        or not _LOCAL.match(local)
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidCommand(f"address {address!r} is not a valid e-mail address; {hint}")
    return f"{local}@{domain.lower()}"


def mailbox_key(address: str) -> str:
    """Mailboxes compare case-insensitively in practice, so one person is on a list once."""
    return address.lower()


class DistributionList(Aggregate):
    """One list of one audience; its members are e-mail addresses."""

    class Event(Aggregate.Event):
        actor: str

    class ListCreated(Event, Aggregate.Created):
        name: str
        audience: str

    class MemberAdded(Event):
        address: str

        def apply(self, aggregate: DistributionList) -> None:
            aggregate.members.append(self.address)
            aggregate.mailboxes.add(mailbox_key(self.address))

    class MemberRemoved(Event):
        address: str

        def apply(self, aggregate: DistributionList) -> None:
            key = mailbox_key(self.address)
            aggregate.members = [m for m in aggregate.members if mailbox_key(m) != key]
            aggregate.mailboxes.discard(key)

    def __init__(self, actor: str, name: str, audience: str) -> None:
        self.name = name
        self.audience = audience
        self.created_by = actor
        self.members: list[str] = []
        self.mailboxes: set[str] = set()
        """The members' `mailbox_key`s, so a check for a member does not scan the list."""

    @classmethod
    def create(cls, *, actor: str, at: datetime, name: str, audience: str) -> DistributionList:
        return cls._create(
            cls.ListCreated,
            timestamp=utc(at, "at"),
            actor=required_text(actor, "actor", limits.ACTOR_MAX),
            name=required_text(name, "name", LIST_NAME_MAX),
            audience=enum_value(Audience, audience, "audience"),
        )

    def add_member(self, *, actor: str, at: datetime, address: str) -> str:
        actor, at = self._checked(actor, at)
        member = mail_address(address)
        if self.has_member(member):
            raise RuleViolated(f"{member} is already on the list {self.name!r}")
        self.trigger_event(self.MemberAdded, timestamp=at, actor=actor, address=member)
        return member

    def remove_member(self, *, actor: str, at: datetime, address: str) -> None:
        actor, at = self._checked(actor, at)
        if not isinstance(address, str) or not self.has_member(address.strip()):
            raise RuleViolated(f"that address is not on the list {self.name!r}")
        self.trigger_event(self.MemberRemoved, timestamp=at, actor=actor, address=address.strip())

    def has_member(self, address: str) -> bool:
        return mailbox_key(address) in self.mailboxes

    def _checked(self, actor: str, at: datetime) -> tuple[str, datetime]:
        actor = required_text(actor, "actor", limits.ACTOR_MAX)
        at = utc(at, "at")
        if at < self.modified_on:
            raise InvalidCommand(
                f"at={at.isoformat()} is earlier than the list's last change "
                f"({self.modified_on.isoformat()})"
            )
        return actor, at


def members_at(events: list[Any], moment: datetime) -> list[str] | None:
    """The members a list had at `moment`, from its events in order; None when the list did not
    exist yet. A change recorded at exactly `moment` counts as made before it."""
    members: dict[str, str] | None = None  # by mailbox key, in the order they were added
    for event in events:
        if event.timestamp > moment:
            break
        if isinstance(event, DistributionList.ListCreated):
            members = {}
        elif isinstance(event, DistributionList.MemberAdded) and members is not None:
            members[mailbox_key(event.address)] = event.address
        elif isinstance(event, DistributionList.MemberRemoved) and members is not None:
            members.pop(mailbox_key(event.address), None)
    return None if members is None else list(members.values())


LIST_EVENTS: tuple[type[DistributionList.Event], ...] = (
    DistributionList.ListCreated,
    DistributionList.MemberAdded,
    DistributionList.MemberRemoved,
)
