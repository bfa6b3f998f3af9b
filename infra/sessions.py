"""Console sessions, share links and the sign-in throttle.

A session is a signed token in a cookie (`itsdangerous`, HMAC-SHA256 over the console secret),
holding the person's id, their session generation, a CSRF token and when it started. Nothing is
stored per session: the signature's timestamp is refreshed on every request, so a session idle
for longer than the idle limit is refused, and the start time inside bounds its whole life. A
person's session generation is part of their stream (`Person.SignedOutEverywhere`), so "sign out
everywhere" refuses every token issued before it, in every process, at the next request.

A share link is an aggregate (`ShareLink`): creating and revoking it are events with an actor and
a time. The URL carries the link's id signed with the console secret, so a made-up or altered
link is refused without a store read, and a revoked or expired one is refused after one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from infra.application import Clock, Escalations
from infra.people import People, PersonInfo

SESSION_SALT = "escalations.console.session"
SHARE_SALT = "escalations.console.share-link"
LOGIN_SALT = "escalations.console.sign-in-form"


def console_secret(configured: str | None, master_key: bytes) -> bytes:
    """The configured secret, else one derived from the privacy master key (so a deployment
    needs no second secret, and every process of it signs alike)."""
    if configured:
        return configured.encode()
    return hmac.new(master_key, b"escalations console signing key", hashlib.sha256).digest()


def _signer_on(wall: Callable[[], float]) -> type[TimestampSigner]:
    """A timestamp signer that reads `wall` for the time, so the idle limit is measured on the
    same clock as the absolute one (and a test can move it)."""

    class WallSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(wall())

    return WallSigner


@dataclass(frozen=True)
class Session:
    person: PersonInfo
    csrf: str
    started_at: float


class SessionRefused(Exception):
    """The cookie is missing, forged, idle too long, too old, or its person signed out."""


class Sessions:
    def __init__(
        self,
        people: People,
        secret: bytes,
        *,
        idle_seconds: float,
        absolute_seconds: float,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.people = people
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        self.wall = wall
        signer = _signer_on(wall)
        self._sessions = URLSafeTimedSerializer(secret, salt=SESSION_SALT, signer=signer)
        self._forms = URLSafeTimedSerializer(secret, salt=LOGIN_SALT, signer=signer)

    def start(self, person: PersonInfo) -> str:
        """A new session's cookie value (a fresh CSRF token with it)."""
        return self.token(person, secrets.token_urlsafe(24), self.wall())

    def token(self, person: PersonInfo, csrf: str, started_at: float) -> str:
        payload = {
            "p": str(person.id),
            "g": person.session_generation,
            "c": csrf,
            "s": started_at,
        }
        return self._sessions.dumps(payload)

    def check(self, token: str) -> Session:
        try:
            payload: Any = self._sessions.loads(token, max_age=int(self.idle_seconds))
        except SignatureExpired:
            raise SessionRefused("the session was idle too long") from None
        except BadSignature:
            raise SessionRefused("the session cookie is not one this server signed") from None
        started = float(payload["s"])
        if self.wall() - started > self.absolute_seconds:
            raise SessionRefused("the session is older than its absolute limit")
        person = self.people.get(UUID(payload["p"]))
        if person is None or not person.active:
            raise SessionRefused("the account is disabled")
        if person.session_generation != payload["g"]:
            raise SessionRefused("the person signed out everywhere since")
        return Session(person, str(payload["c"]), started)

    def refreshed(self, session: Session) -> str:
        """The same session signed now: the idle limit counts from this request."""
        return self.token(session.person, session.csrf, session.started_at)

    def form_token(self) -> str:
        """The CSRF token of the sign-in form, which is shown before any session exists."""
        return self._forms.dumps(secrets.token_urlsafe(16))

    def form_token_valid(self, token: str, cookie: str) -> bool:
        try:
            self._forms.loads(token, max_age=int(self.absolute_seconds))
        except BadSignature:
            return False
        return hmac.compare_digest(token.encode(), cookie.encode())


# ------------------------------------------------------------------------------ share links


class ShareLinkRefused(ValueError):
    """A share link that cannot be made, revoked or opened; the message says why."""


class ShareLink(Aggregate):
    """Lets whoever holds the URL read one escalation's update for one audience, until it
    expires or is revoked."""

    class Created(Aggregate.Created):
        escalation_id: str
        audience: str
        expires_at: datetime
        actor: str

    class Revoked(Aggregate.Event):
        actor: str

        def apply(self, aggregate: ShareLink) -> None:
            aggregate.revoked_at = self.timestamp
            aggregate.revoked_by = self.actor

    def __init__(self, escalation_id: str, audience: str, expires_at: datetime, actor: str) -> None:
        self.escalation_id = escalation_id
        self.audience = audience
        self.expires_at = expires_at
        self.created_by = actor
        self.revoked_at: datetime | None = None
        self.revoked_by: str | None = None


@dataclass(frozen=True)
class ShareLinkInfo:
    id: UUID
    escalation_id: UUID
    audience: str
    expires_at: datetime
    created_by: str
    revoked_at: datetime | None
    token: str


class ShareLinks:
    def __init__(self, app: Escalations, clock: Clock, secret: bytes) -> None:
        self.app = app
        self.clock = clock
        self._signer = URLSafeTimedSerializer(secret, salt=SHARE_SALT)

    def create(
        self, *, escalation_id: UUID, audience: str, lifetime: timedelta, actor: str
    ) -> ShareLinkInfo:
        self.app.current_version(escalation_id)  # an unknown escalation is refused first
        now = self.clock()
        link = ShareLink._create(
            ShareLink.Created,
            id=uuid4(),
            timestamp=now,
            escalation_id=str(escalation_id),
            audience=audience,
            expires_at=now + lifetime,
            actor=actor,
        )
        self.app.save(link)
        return self._info(link)

    def revoke(self, link_id: UUID, *, actor: str) -> ShareLinkInfo:
        link = self._load(link_id)
        if link.revoked_at is not None:
            raise ShareLinkRefused("this share link was already revoked")
        link.trigger_event(
            ShareLink.Revoked, timestamp=max(self.clock(), link.modified_on), actor=actor
        )
        self.app.save(link)
        return self._info(link)

    def for_escalation(self, escalation_id: UUID) -> list[ShareLinkInfo]:
        topic = get_topic(ShareLink.Created)
        found = []
        start: int | None = 1
        while start is not None:
            page = self.app.recorder.select_notifications(start, 500, topics=(topic,))
            for notification in page:
                link = self._load(notification.originator_id)  # type: ignore[arg-type]
                if link.escalation_id == str(escalation_id):
                    found.append(self._info(link))
            start = page[-1].id + 1 if len(page) == 500 else None
        return found

    def open(self, token: str) -> ShareLinkInfo:
        """The link a URL's token names, if it is genuine, unrevoked and unexpired."""
        try:
            link_id = UUID(self._signer.loads(token))
        except (BadSignature, ValueError):
            raise ShareLinkRefused("this link is not one this service made") from None
        link = self._load(link_id)
        if link.revoked_at is not None:
            raise ShareLinkRefused("this link was revoked by the team that shared it")
        if self.clock() >= link.expires_at:
            raise ShareLinkRefused("this link has expired")
        return self._info(link)

    def _info(self, link: ShareLink) -> ShareLinkInfo:
        return ShareLinkInfo(
            id=link.id,
            escalation_id=UUID(link.escalation_id),
            audience=link.audience,
            expires_at=link.expires_at,
            created_by=link.created_by,
            revoked_at=link.revoked_at,
            token=self._signer.dumps(str(link.id)),
        )

    def _load(self, link_id: UUID) -> ShareLink:
        if not list(self.app.recorder.select_events(link_id, limit=1)):
            raise ShareLinkRefused("this link is not one this service made")
        link: Any = self.app.repository.get(link_id)
        if not isinstance(link, ShareLink):
            raise ShareLinkRefused("this link is not one this service made")
        return link


# ------------------------------------------------------------------------------ throttle


class SignInThrottle:
    """At most `limit` failed sign-ins per account and per client address within `window`
    seconds; then `retry_after` says how long until the oldest failure leaves the window. Kept in
    this process's memory: a restart forgets it, and each server process counts on its own."""

    def __init__(
        self, limit: int, window: float, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.monotonic = monotonic
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, *keys: str) -> int:
        now = self.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.limit:
                    wait = max(wait, failures[0] + self.window - now)
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, *keys: str) -> None:
        now = self.monotonic()
        with self._lock:
            if len(self._failures) > 100_000:
                self._failures.clear()
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, account_key: str) -> None:
        with self._lock:
            self._failures.pop(account_key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures
