"""The people who sign in to the console, kept as aggregates in the escalations' own event store.

Like an API key (`infra/keys.py`), a person is a short stream whose events carry the actor and the
time: registering, disabling, changing a password and signing out everywhere are each an event,
so who could sign in, by whose decision and until when is read from the store like everything
else. A person's role is the same `AccessRole` an API key has, so a person and a key with one role
may do the same things.

The aggregate id is derived from the normalised e-mail address, so signing in is one read of one
short stream by primary key, and two accounts can never share an address. Passwords are hashed
with Argon2id (`argon2-cffi`, its default parameters); only the hash is stored. A sign-in for an
address that has no account still runs one hash check, against a fixed dummy hash, so the time
taken does not tell whether the address is known.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from infra.application import Clock, Escalations
from infra.keys import AccessRole, clean_role

PERSON_NAMESPACE = uuid5(NAMESPACE_URL, "urn:escalations:person")
NAME_LIMIT = 100
TEAM_LIMIT = 100
EMAIL_LIMIT = 254
PASSWORD_MIN = 12
PASSWORD_MAX = 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()  # Argon2id with the library's default cost
_DUMMY_HASH = _hasher.hash("no account has this password")


class PersonRefused(ValueError):
    """A people command that cannot be carried out; the message says what to do instead."""


def normalised_email(email: str) -> str:
    cleaned = (email or "").strip().lower()
    if len(cleaned) > EMAIL_LIMIT or not _EMAIL.match(cleaned) or not cleaned.isprintable():
        raise PersonRefused(f"{email!r} is not an e-mail address (e.g. maria.chen@example.com)")
    return cleaned


def person_id_for(email: str) -> UUID:
    return uuid5(PERSON_NAMESPACE, normalised_email(email))


def clean_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PersonRefused(
            f"time zone {name!r} is not an IANA time zone name (e.g. Europe/Berlin, UTC)"
        ) from None
    if name not in available_timezones() and name != "UTC":
        raise PersonRefused(
            f"time zone {name!r} is not an IANA time zone name (e.g. Europe/Berlin)"
        )
    return name


def _text(value: str, what: str, limit: int, *, required: bool = True) -> str:
    cleaned = (value or "").strip()
    if (required and not cleaned) or len(cleaned) > limit or not cleaned.isprintable():
        need = "non-blank, " if required else ""
        raise PersonRefused(f"a person's {what} is {need}printable and at most {limit} characters")
    return cleaned


def check_password(password: str) -> str:
    if not (PASSWORD_MIN <= len(password) <= PASSWORD_MAX):
        raise PersonRefused(
            f"a password has at least {PASSWORD_MIN} characters (a passphrase of a few words "
            "is easiest to remember)"
        )
    return password


class Person(Aggregate):
    """One console account. The e-mail is the actor written on every event the person causes."""

    class Registered(Aggregate.Created):
        email: str
        name: str
        role: str
        team: str
        time_zone: str
        password_hash: str
        actor: str

    class Disabled(Aggregate.Event):
        actor: str

        def apply(self, aggregate: Person) -> None:
            aggregate.disabled_at = self.timestamp
            aggregate.disabled_by = self.actor

    class PasswordChanged(Aggregate.Event):
        password_hash: str
        actor: str

        def apply(self, aggregate: Person) -> None:
            aggregate.password_hash = self.password_hash
            aggregate.session_generation += 1  # a new password ends every session

    class SignedOutEverywhere(Aggregate.Event):
        actor: str

        def apply(self, aggregate: Person) -> None:
            aggregate.session_generation += 1

    def __init__(
        self,
        email: str,
        name: str,
        role: str,
        team: str,
        time_zone: str,
        password_hash: str,
        actor: str,
    ) -> None:
        self.email = email
        self.name = name
        self.role = role
        self.team = team
        self.time_zone = time_zone
        self.password_hash = password_hash
        self.registered_by = actor
        self.disabled_at: datetime | None = None
        self.disabled_by: str | None = None
        self.session_generation = 0


PERSON_TOPICS = tuple(
    get_topic(c)
    for c in (
        Person.Registered,
        Person.Disabled,
        Person.PasswordChanged,
        Person.SignedOutEverywhere,
    )
)


@dataclass(frozen=True)
class PersonInfo:
    id: UUID
    email: str
    name: str
    role: AccessRole
    team: str
    time_zone: str
    registered_at: datetime
    registered_by: str
    disabled_at: datetime | None
    session_generation: int

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    @property
    def actor(self) -> str:
        """What the events this person causes record as their actor."""
        return self.email


def _info(person: Person) -> PersonInfo:
    return PersonInfo(
        id=person.id,
        email=person.email,
        name=person.name,
        role=AccessRole(person.role),
        team=person.team,
        time_zone=person.time_zone,
        registered_at=person.created_on,
        registered_by=person.registered_by,
        disabled_at=person.disabled_at,
        session_generation=person.session_generation,
    )


class People:
    """Register, list, disable and check the people who sign in to the console."""

    def __init__(self, app: Escalations, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    def create(
        self,
        *,
        email: str,
        name: str,
        role: str,
        password: str,
        actor: str,
        team: str = "",
        time_zone: str = "UTC",
    ) -> PersonInfo:
        address = normalised_email(email)
        if self._find(person_id_for(address)) is not None:
            raise PersonRefused(f"{address} already has an account; `escalations users list`")
        person = Person._create(
            Person.Registered,
            id=person_id_for(address),
            timestamp=self.clock(),
            email=address,
            name=_text(name, "name", NAME_LIMIT),
            role=clean_role(role).value,
            team=_text(team, "team", TEAM_LIMIT, required=False),
            time_zone=clean_time_zone(time_zone or "UTC"),
            password_hash=_hasher.hash(check_password(password)),
            actor=actor,
        )
        self.app.save(person)
        return _info(person)

    def all(self) -> list[PersonInfo]:
        """Every account ever registered, oldest first (disabled ones too)."""
        ids: dict[UUID, None] = {}
        start: int | None = 1
        while start is not None:
            page = self.app.recorder.select_notifications(start, 500, topics=PERSON_TOPICS)
            ids.update((n.originator_id, None) for n in page)  # type: ignore[misc]
            start = page[-1].id + 1 if len(page) == 500 else None
        return [_info(self._load(person_id)) for person_id in ids]

    def get(self, person_id: UUID) -> PersonInfo | None:
        person = self._find(person_id)
        return _info(person) if person is not None else None

    def by_email(self, email: str) -> PersonInfo | None:
        try:
            return self.get(person_id_for(email))
        except PersonRefused:
            return None

    def disable(self, email: str, *, actor: str) -> PersonInfo:
        person = self._required(email)
        if person.disabled_at is not None:
            raise PersonRefused(f"{person.email} was already disabled")
        person.trigger_event(Person.Disabled, timestamp=self._at(person), actor=actor)
        self.app.save(person)
        return _info(person)

    def set_password(self, email: str, password: str, *, actor: str) -> PersonInfo:
        person = self._required(email)
        person.trigger_event(
            Person.PasswordChanged,
            timestamp=self._at(person),
            password_hash=_hasher.hash(check_password(password)),
            actor=actor,
        )
        self.app.save(person)
        return _info(person)

    def sign_out_everywhere(self, person_id: UUID, *, actor: str) -> PersonInfo:
        person = self._find(person_id)
        if person is None:
            raise PersonRefused(f"no person with id {person_id}")
        person.trigger_event(Person.SignedOutEverywhere, timestamp=self._at(person), actor=actor)
        self.app.save(person)
        return _info(person)

    def verify(self, email: str, password: str) -> PersonInfo | None:
        """The active person with this address and password, else None (always one hash check,
        so an unknown address takes as long as a wrong password)."""
        person = None
        with suppress(PersonRefused):  # not an address: checked like an unknown one
            person = self._find(person_id_for(email))
        stored = person.password_hash if person is not None else _DUMMY_HASH
        try:
            _hasher.verify(stored, password[:PASSWORD_MAX])
        except (VerificationError, InvalidHashError):
            return None
        if person is None or person.disabled_at is not None:
            return None
        return _info(person)

    def _at(self, person: Person) -> datetime:
        return max(self.clock(), person.modified_on)

    def _required(self, email: str) -> Person:
        person = self._find(person_id_for(email))
        if person is None:
            raise PersonRefused(f"no account for {email!r}; `escalations users list` shows them")
        return person

    def _find(self, person_id: UUID) -> Person | None:
        if not list(self.app.recorder.select_events(person_id, limit=1)):
            return None
        return self._load(person_id)

    def _load(self, person_id: UUID) -> Person:
        person: Any = self.app.repository.get(person_id)
        if not isinstance(person, Person):
            raise PersonRefused(f"no person with id {person_id}")
        return person
