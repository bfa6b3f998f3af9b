"""A distribution list: the people one audience's communications are delivered to.

A list belongs to one audience (`executive`, `sales_cs`, `internal`, `regulator`...); every list
of that audience receives what is delivered to it. Membership is a stream of events, so who was on
a list when a message went out is read back from its history (`members_at`), never guessed from
today's members.

A member is of one of three kinds: an e-mail address (an employee's or a partner's work address),
a Slack incoming webhook, or a webhook endpoint (a URL that receives signed JSON). A member is
named by its recipient string: the address itself for e-mail, `slack:<url>` or `webhook:<url>`
otherwise, which is also how the delivery worker's outcome rows name it.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from eventsourcing.domain import Aggregate

from domain import limits
from domain.errors import InvalidCommand, RuleViolated
from domain.validation import actor_and_time, enum_value, required_text, utc
from domain.values import Audience, Channel

LIST_NAME_MAX = 100
ADDRESS_MAX = 254
"""RFC 5321 bounds a forward path to 256 octets including the angle brackets."""
LOCAL_PART_MAX = 64

URL_MAX = 2048
SLACK_HOST = "hooks.slack.com"
SLACK_PATH = "/services/"


class MemberKind(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    SLACK = "slack"


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
    """Mailboxes compare case-insensitively in practice, so one person is on a list once; an
    endpoint's recipient string compares exactly (URL paths are case-sensitive)."""
    kind, _ = split_recipient(address)
    return address.lower() if kind is MemberKind.EMAIL else address


def endpoint_url(value: object, kind: MemberKind, *, allow_http: bool) -> str:
    """A webhook or Slack URL as stored; refuses what cannot be an endpoint. Whether its host
    resolves to an address one may call is checked outside the domain (it needs DNS)."""
    example = (
        "https://hooks.slack.com/services/T000/B000/XXXX"
        if kind is MemberKind.SLACK
        else "https://hooks.example.com/escalations"
    )
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{kind.value} is required: a URL such as {example}")
    url = value.strip()
    hint = f"send an absolute https URL such as {example}"
    if len(url) > URL_MAX or any(c.isspace() for c in url):
        raise InvalidCommand(f"{kind.value} URL is too long or contains spaces; {hint}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidCommand(f"{kind.value} URL {url!r} is not a valid URL; {hint}") from None
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        raise InvalidCommand(
            f"{kind.value} URL must use https, not {parts.scheme or 'nothing'}; {hint}"
        )
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise InvalidCommand(f"{kind.value} URL needs a host and no user or password; {hint}")
    if parts.fragment:
        raise InvalidCommand(f"{kind.value} URL must not have a #fragment; {hint}")
    if (
        kind is MemberKind.SLACK
        and not allow_http
        and (parts.hostname != SLACK_HOST or not parts.path.startswith(SLACK_PATH) or port)
    ):
        raise InvalidCommand(
            f"a Slack member is an incoming-webhook URL on {SLACK_HOST}{SLACK_PATH}; {hint}"
        )
    return url


def _address_in(actor: str) -> str:
    """The e-mail address an actor name carries (`cli:ana@example.com`), or empty."""
    try:
        return mail_address(actor.rpartition(":")[2])
    except InvalidCommand:
        return ""


def recipient_of(kind: MemberKind, address: str) -> str:
    return address if kind is MemberKind.EMAIL else f"{kind.value}:{address}"


def split_recipient(recipient: str) -> tuple[MemberKind, str]:
    """The kind and the address or URL of a recipient string (an e-mail local part has no
    colon, so the prefixes cannot be mistaken for an address)."""
    for kind in (MemberKind.WEBHOOK, MemberKind.SLACK):
        prefix = f"{kind.value}:"
        if recipient.startswith(prefix):
            return kind, recipient[len(prefix) :]
    return MemberKind.EMAIL, recipient


def endpoint_id(recipient: str) -> str:
    """A short, stable name for an endpoint, to remove it without putting its URL in a path."""
    return hashlib.sha256(recipient.encode()).hexdigest()[:16]


class DistributionList(Aggregate):
    """One list of one audience; its members are e-mail addresses and endpoints."""

    class Event(Aggregate.Event):
        actor: str

    class ListCreated(Event, Aggregate.Created):
        name: str
        audience: str

    class MemberAdded(Event):
        address: str
        kind: str = MemberKind.EMAIL.value
        """Events stored before endpoints existed are e-mail addresses."""
        secret: str = ""
        """A webhook endpoint's signing secret, shown once when it is added, never again."""
        owner: str = ""
        """An endpoint's contact address, told when it is disabled; empty: the actor's own,
        when the actor is an address."""

        def apply(self, aggregate: DistributionList) -> None:
            recipient = recipient_of(MemberKind(self.kind), self.address)
            aggregate.members.append(recipient)
            aggregate.mailboxes.add(mailbox_key(recipient))
            if self.kind != MemberKind.EMAIL.value:
                aggregate.endpoints[recipient] = {
                    "kind": self.kind, "secret": self.secret, "added_by": self.actor,
                    "added_at": self.timestamp, "disabled": None, "owner": self.owner,
                }  # fmt: skip

    class MemberRemoved(Event):
        address: str

        def apply(self, aggregate: DistributionList) -> None:
            key = mailbox_key(self.address)
            aggregate.members = [m for m in aggregate.members if mailbox_key(m) != key]
            aggregate.mailboxes.discard(key)
            aggregate.endpoints.pop(self.address, None)

    class EndpointDisabled(Event):
        """An endpoint that kept failing: it stays on the list, shown as disabled, and receives
        nothing until it is removed and added again."""

        address: str
        """The endpoint's recipient string."""
        reason: str
        owner_notice: str
        """Whether and how the member's owner (who added it) was told."""

        def apply(self, aggregate: DistributionList) -> None:
            endpoint = aggregate.endpoints.get(self.address)
            if endpoint is not None:
                endpoint["disabled"] = {
                    "at": self.timestamp, "reason": self.reason, "owner_notice": self.owner_notice
                }  # fmt: skip

    def __init__(self, actor: str, name: str, audience: str) -> None:
        self.name = name
        self.audience = audience
        self.created_by = actor
        self.members: list[str] = []
        self.mailboxes: set[str] = set()
        """The members' `mailbox_key`s, so a check for a member does not scan the list."""
        self.endpoints: dict[str, dict[str, Any]] = {}
        """Per endpoint's recipient string: kind, secret, who added it, whether disabled."""

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

    def add_endpoint(
        self,
        *,
        actor: str,
        at: datetime,
        kind: MemberKind,
        url: str,
        secret: str,
        allow_http: bool,
        owner: str = "",
    ) -> str:
        """Add a webhook or Slack endpoint (`url` checked by `endpoint_url`); answers its
        recipient string."""
        actor, at = self._checked(actor, at)
        url = endpoint_url(url, kind, allow_http=allow_http)
        owner = mail_address(owner) if owner else _address_in(actor)
        recipient = recipient_of(kind, url)
        if self.has_member(recipient):
            raise RuleViolated(f"that {kind.value} endpoint is already on the list {self.name!r}")
        self.trigger_event(
            self.MemberAdded, timestamp=at, actor=actor, address=url, kind=kind.value,
            secret=secret if kind is MemberKind.WEBHOOK else "", owner=owner,
        )  # fmt: skip
        return recipient

    def remove_member(self, *, actor: str, at: datetime, address: str) -> None:
        """Remove a member named by its address, its recipient string or its endpoint id."""
        actor, at = self._checked(actor, at)
        wanted = address.strip() if isinstance(address, str) else ""
        by_id = {endpoint_id(r): r for r in self.endpoints}
        recipient = by_id.get(wanted, wanted)
        if not wanted or not self.has_member(recipient):
            raise RuleViolated(f"that member is not on the list {self.name!r}")
        stored = next(m for m in self.members if mailbox_key(m) == mailbox_key(recipient))
        self.trigger_event(self.MemberRemoved, timestamp=at, actor=actor, address=stored)

    def disable_endpoint(
        self, *, actor: str, at: datetime, recipient: str, reason: str, owner_notice: str
    ) -> None:
        actor, at = self._checked(actor, at)
        endpoint = self.endpoints.get(recipient)
        if endpoint is None:
            raise RuleViolated(f"that endpoint is not on the list {self.name!r}")
        if endpoint["disabled"] is not None:
            raise RuleViolated("that endpoint is disabled already")
        self.trigger_event(
            self.EndpointDisabled, timestamp=at, actor=actor, address=recipient, reason=reason,
            owner_notice=owner_notice,
        )  # fmt: skip

    def has_member(self, address: str) -> bool:
        return mailbox_key(address) in self.mailboxes

    def _checked(self, actor: str, at: datetime) -> tuple[str, datetime]:
        return actor_and_time(actor, at, self.modified_on, "the list's last change")


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
            recipient = recipient_of(MemberKind(event.kind), event.address)
            members[mailbox_key(recipient)] = recipient
        elif isinstance(event, DistributionList.MemberRemoved) and members is not None:
            members.pop(mailbox_key(event.address), None)
        elif isinstance(event, DistributionList.EndpointDisabled) and members is not None:
            members.pop(mailbox_key(event.address), None)  # receives nothing from then on
    return None if members is None else list(members.values())


LIST_EVENTS: tuple[type[DistributionList.Event], ...] = (
    DistributionList.ListCreated,
    DistributionList.MemberAdded,
    DistributionList.MemberRemoved,
    DistributionList.EndpointDisabled,
)
