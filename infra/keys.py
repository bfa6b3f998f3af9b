"""API keys, kept as aggregates in the escalations' own event store.

Creating and revoking a key are events with an actor and a time, so who was let in, by whom and
until when is read from the same kind of stream as everything else, and it is backed up and
restored with it (an `events export` carries escalation events only, so keys are not in one). No second table has to be migrated on two backends.

A secret is 32 random bytes (`esk_` + URL-safe base64). Only its SHA-256 digest is stored; a slow
password hash would add nothing for a secret that cannot be guessed. The key's aggregate id is
derived from the digest, so authenticating is one read of one short stream by primary key; a key
that checked out is then remembered briefly (see `ApiKeys`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from infra.application import Clock, Escalations

KEY_PREFIX = "esk_"
KEY_NAMESPACE = uuid5(NAMESPACE_URL, "urn:escalations:api-key")
NAME_LIMIT = 100


class AccessRole(StrEnum):
    """What a key's holder is, and so what it may do (the permissions are in api/http/access)."""

    MANAGER = "manager"
    STAKEHOLDER = "stakeholder"
    ANALYST = "analyst"
    ADMIN = "admin"


class KeyRefused(ValueError):
    """A key command that cannot be carried out; the message says what to do instead."""


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def key_id_for(digest: str) -> UUID:
    return uuid5(KEY_NAMESPACE, digest)


class ApiKey(Aggregate):
    """One API key: its holder's name (the actor recorded on every event it causes) and role."""

    class Issued(Aggregate.Created):
        name: str
        role: str
        digest: str
        hint: str
        actor: str

    class Revoked(Aggregate.Event):
        actor: str

        def apply(self, aggregate: ApiKey) -> None:
            aggregate.revoked_at = self.timestamp
            aggregate.revoked_by = self.actor

    def __init__(self, name: str, role: str, digest: str, hint: str, actor: str) -> None:
        self.name = name
        self.role = role
        self.digest = digest
        self.hint = hint
        self.issued_by = actor
        self.revoked_at: datetime | None = None
        self.revoked_by: str | None = None

    def revoke(self, *, actor: str, at: datetime) -> None:
        if self.revoked_at is not None:
            raise KeyRefused(f"key {self.id} was already revoked at {self.revoked_at.isoformat()}")
        self.trigger_event(self.Revoked, timestamp=at, actor=actor)


API_KEY_TOPICS = (get_topic(ApiKey.Issued), get_topic(ApiKey.Revoked))


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the key's name is the actor written on the events it causes."""

    key_id: UUID
    name: str
    role: AccessRole

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class KeyInfo:
    id: UUID
    name: str
    role: AccessRole
    hint: str
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None
    revoked_by: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "role": self.role.value,
            "hint": self.hint,
            "active": self.active,
            "issued_at": self.issued_at.isoformat(),
            "issued_by": self.issued_by,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoked_by": self.revoked_by,
        }


@dataclass(frozen=True)
class IssuedKey:
    info: KeyInfo
    secret: str
    """Shown once, at creation; only its digest is stored."""


def _info(key: ApiKey) -> KeyInfo:
    return KeyInfo(
        id=key.id,
        name=key.name,
        role=AccessRole(key.role),
        hint=key.hint,
        issued_at=key.created_on,
        issued_by=key.issued_by,
        revoked_at=key.revoked_at,
        revoked_by=key.revoked_by,
    )


def clean_name(name: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned or not cleaned.isprintable() or len(cleaned) > NAME_LIMIT:
        raise KeyRefused(
            f"a key's name is printable, non-blank and at most {NAME_LIMIT} characters; it is "
            "recorded as the actor on every event the key causes (e.g. maria.chen)"
        )
    return cleaned


def clean_role(role: str) -> AccessRole:
    try:
        return AccessRole(role)
    except ValueError:
        choices = ", ".join(r.value for r in AccessRole)
        raise KeyRefused(f"role {role!r} is not one of: {choices}") from None


class ApiKeys:
    """Issue, list, revoke and check API keys.

    A key that checked out is remembered for `cache_seconds` (by its digest, never the secret), so
    a busy client does not cost a store read per request. A revocation in this process applies at
    once; one made by another process (`escalations keys revoke` beside a running server) applies
    within `cache_seconds`. Unknown keys are never remembered, so a new key works at once.
    """

    def __init__(
        self,
        app: Escalations,
        clock: Clock,
        *,
        cache_seconds: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.clock = clock
        self.cache_seconds = cache_seconds
        self.monotonic = monotonic
        self._checked: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def create(self, *, name: str, role: str, actor: str) -> IssuedKey:
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        digest = digest_of(secret)
        key = ApiKey._create(
            ApiKey.Issued,
            id=key_id_for(digest),
            timestamp=self.clock(),
            name=clean_name(name),
            role=clean_role(role).value,
            digest=digest,
            hint=secret[: len(KEY_PREFIX) + 4] + "...",
            actor=actor,
        )
        self.app.save(key)
        return IssuedKey(_info(key), secret)

    def all(self) -> list[KeyInfo]:
        """Every key ever issued, oldest first (revoked ones too: they are part of the record)."""
        ids: dict[UUID, None] = {}
        start: int | None = 1
        while start is not None:
            page = self.app.recorder.select_notifications(start, 500, topics=API_KEY_TOPICS)
            ids.update((n.originator_id, None) for n in page)  # type: ignore[misc]
            start = page[-1].id + 1 if len(page) == 500 else None
        return [_info(self._load(key_id)) for key_id in ids]

    def find(self, reference: str) -> KeyInfo:
        """A key by its id, or by a prefix of it that names exactly one key."""
        text = reference.strip().lower()
        matches = [k for k in self.all() if str(k.id) == text] or [
            k for k in self.all() if len(text) >= 6 and str(k.id).startswith(text)
        ]
        if len(matches) != 1:
            found = "no key" if not matches else f"{len(matches)} keys"
            raise KeyRefused(f"{found} with id {reference!r}; `escalations keys list` shows them")
        return matches[0]

    def revoke(self, reference: str, *, actor: str) -> KeyInfo:
        key = self._load(self.find(reference).id)
        key.revoke(actor=actor, at=max(self.clock(), key.modified_on))
        self.app.save(key)
        with self._lock:
            self._checked.pop(key.digest, None)
        return _info(key)

    def authenticate(self, secret: str) -> Principal | None:
        """The principal for a presented secret, or None when it is unknown or revoked."""
        if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
            return None
        digest = digest_of(secret)
        now = self.monotonic()
        with self._lock:
            remembered = self._checked.get(digest)
        if remembered is not None and now - remembered[0] < self.cache_seconds:
            return remembered[1]
        principal = self._look_up(digest)
        with self._lock:
            if principal is None:
                self._checked.pop(digest, None)
            else:
                if len(self._checked) > 10_000:
                    self._checked.clear()
                self._checked[digest] = (now, principal)
        return principal

    def _look_up(self, digest: str) -> Principal | None:
        events = list(self.app.events.get(key_id_for(digest)))
        if not events or not isinstance(events[0], ApiKey.Issued):
            return None
        issued: Any = events[0]
        # The id is derived from the digest already; comparing it too, in constant time, costs
        # nothing and does not rest on the id derivation alone.
        if not hmac.compare_digest(issued.digest, digest):
            return None
        if any(isinstance(event, ApiKey.Revoked) for event in events[1:]):
            return None
        return Principal(issued.originator_id, issued.name, AccessRole(issued.role))

    def active(self, *, named: str | None = None) -> list[KeyInfo]:
        return [k for k in self.all() if k.active and (named is None or k.name == named)]

    def rotate(self, *, name: str, role: str, actor: str) -> tuple[IssuedKey, list[KeyInfo]]:
        """Revoke every active key with this name, then issue a fresh one (the demo's key)."""
        revoked = [self.revoke(str(k.id), actor=actor) for k in self.active(named=name)]
        return self.create(name=name, role=role, actor=actor), revoked

    def _load(self, key_id: UUID) -> ApiKey:
        key: Any = self.app.repository.get(key_id)
        if not isinstance(key, ApiKey):
            raise KeyRefused(f"no key with id {key_id}")
        return key
