"""`escalations demo` makes its manager's account once, and prints the console's sign-in on the
error stream on one line, with a password that is new on each run; the key stays alone on
standard output."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli.main import DEMO_PERSON, cli
from infra.bootstrap import build
from infra.settings import Settings

runner = CliRunner()


def sign_in_line(sqlite_url: str) -> tuple[str, str]:
    result = runner.invoke(
        cli, ["demo", "--no-serve"], env={"ESCALATIONS_DATABASE_URL": sqlite_url, "COLUMNS": "40"}
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.split()) == 1 and result.stdout.startswith("esk_")
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("Console:")]
    assert "/login" in line and DEMO_PERSON in line
    return line, line.split(" with password ")[1].split()[0]


def test_the_demo_manager_signs_in_with_the_password_of_the_latest_run(sqlite_url) -> None:
    _, first = sign_in_line(sqlite_url)
    _, second = sign_in_line(sqlite_url)
    assert first != second
    container = build(Settings(database_url=sqlite_url))
    try:
        people = container.console.people
        assert [p.email for p in people.all()] == [DEMO_PERSON]  # made once
        assert people.verify(DEMO_PERSON, first) is None
        assert people.verify(DEMO_PERSON, second) is not None
    finally:
        container.close()
