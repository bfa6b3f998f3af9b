"""A session ends when idle past its limit, or at its absolute limit however busy it is; each
page signs the cookie anew, so use keeps an idle limit from running out."""

from __future__ import annotations

import pytest

from infra.bootstrap import build
from infra.sessions import SessionRefused, Sessions
from infra.settings import Settings
from tests.console.support import PASSWORD


class Wall:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def people(sqlite_url):
    container = build(Settings(database_url=sqlite_url))
    container.console.people.create(
        email="maria@example.com", name="Maria", role="manager", password=PASSWORD, actor="t"
    )
    yield container.console.people
    container.close()


def test_an_idle_session_ends_and_a_used_one_lives_until_its_absolute_limit(people) -> None:
    wall = Wall()
    sessions = Sessions(people, b"k" * 32, idle_seconds=600, absolute_seconds=3600, wall=wall)
    person = people.by_email("maria@example.com")
    token = sessions.start(person)
    wall.now += 599
    token = sessions.refreshed(sessions.check(token))  # used: the idle limit starts again
    wall.now += 599
    session = sessions.check(token)
    assert session.person.email == "maria@example.com"
    wall.now += 601
    with pytest.raises(SessionRefused, match="idle"):
        sessions.check(token)
    started = wall.now
    busy = sessions.start(person)
    while wall.now + 540 < started + 3600:  # used every 9 minutes for the whole hour
        wall.now += 540
        busy = sessions.refreshed(sessions.check(busy))
    wall.now = started + 3601  # idle for less than 9 minutes, but past the hour
    with pytest.raises(SessionRefused, match="absolute"):
        sessions.check(busy)


def test_a_cookie_signed_with_another_key_is_refused(people) -> None:
    person = people.by_email("maria@example.com")
    ours = Sessions(people, b"a" * 32, idle_seconds=600, absolute_seconds=3600)
    theirs = Sessions(people, b"b" * 32, idle_seconds=600, absolute_seconds=3600)
    with pytest.raises(SessionRefused, match="not one this server signed"):
        ours.check(theirs.start(person))
