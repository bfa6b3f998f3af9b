"""`escalations users`: create reads the password from standard input, list shows every
account, disable stops sign-in; each change is an event with the operator as its actor."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli.main import cli
from infra.bootstrap import build
from infra.settings import Settings

runner = CliRunner()


def test_users_are_created_listed_and_disabled_from_the_command_line(sqlite_url) -> None:
    made = runner.invoke(
        cli,
        ["users", "create", "--database-url", sqlite_url, "--email", "Maria.Chen@Example.com",
         "--name", "Maria Chen", "--role", "manager", "--team", "CX",
         "--time-zone", "Europe/Berlin", "--actor", "ops"],
        input="correct horse battery staple\n",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    listed = runner.invoke(cli, ["users", "list", "--json", "--database-url", sqlite_url])
    row = json.loads(listed.stdout.splitlines()[0])
    assert row == {
        "email": "maria.chen@example.com",
        "name": "Maria Chen",
        "role": "manager",
        "team": "CX",
        "time_zone": "Europe/Berlin",
        "active": True,
    }
    gone = runner.invoke(
        cli, ["users", "disable", "maria.chen@example.com", "--database-url", sqlite_url]
    )
    assert gone.exit_code == 0, gone.output
    container = build(Settings(database_url=sqlite_url))
    try:
        people = container.console.people
        assert people.verify("maria.chen@example.com", "correct horse battery staple") is None
        events = list(container.app.events.get(people.all()[0].id))
        assert [type(e).__name__ for e in events] == ["Registered", "Disabled"]
        assert events[0].actor == "ops"
        assert "correct horse" not in events[0].password_hash
        assert events[0].password_hash.startswith("$argon2id$")
    finally:
        container.close()


def test_a_time_zone_that_is_not_iana_and_a_short_password_are_refused(sqlite_url) -> None:
    base = ["users", "create", "--database-url", sqlite_url, "--email", "a@example.com",
            "--name", "A", "--role", "analyst"]  # fmt: skip
    zone = runner.invoke(cli, [*base, "--time-zone", "Mars/Olympus"], input="long enough pass\n")
    assert zone.exit_code == 2 and "IANA" in zone.output
    short = runner.invoke(cli, base, input="short\n")
    assert short.exit_code == 2 and "at least 12 characters" in short.output
    listed = runner.invoke(cli, ["users", "list", "--database-url", sqlite_url])
    assert listed.stdout == ""
