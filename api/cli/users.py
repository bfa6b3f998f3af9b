"""`escalations users ...`: the people who sign in to the console.

Like `keys`, the command line talks to the store directly, so it makes the first admin's account.
The password is read from standard input when that is not a terminal (`printf '%s' "$PW" |
escalations users create ...`), else asked for without echo.
"""

from __future__ import annotations

import getpass
import json
import sys
from typing import Annotated

import typer

from api.cli.common import DatabaseOption, console, container_for
from api.cli.keys import ActorOption, default_actor
from infra.keys import AccessRole
from infra.people import PersonRefused

users_cli = typer.Typer(help="Console accounts: create, list, disable.", no_args_is_help=True)


def read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        console.print("[red]The two passwords differ.[/]")
        raise typer.Exit(2)
    return first


@users_cli.command("create")
def create(
    email: Annotated[str, typer.Option("--email", help="Signs in with it; the actor on events.")],
    name: Annotated[str, typer.Option("--name", help="The person's name, as pages show it.")],
    role: Annotated[AccessRole, typer.Option("--role", help="What the person may do.")],
    team: Annotated[str, typer.Option("--team", help="Their team (My work shows its cases).")] = "",
    time_zone: Annotated[
        str, typer.Option("--time-zone", help="IANA name, e.g. Europe/Berlin; pages use it.")
    ] = "UTC",
    database_url: DatabaseOption = None,
    actor: ActorOption = None,
) -> None:
    """Create an account; the password comes from standard input or a prompt."""
    container = container_for(database_url)
    try:
        person = container.console.people.create(
            email=email,
            name=name,
            role=role.value,
            team=team,
            time_zone=time_zone,
            password=read_password(),
            actor=actor or default_actor(),
        )
    except PersonRefused as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from None
    console.print(f"Account {person.email} ({person.role.value}) created.")


@users_cli.command("list")
def list_users(
    database_url: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of text.")] = False,
) -> None:
    """Every account, disabled ones too."""
    for person in container_for(database_url).console.people.all():
        row = {
            "email": person.email,
            "name": person.name,
            "role": person.role.value,
            "team": person.team,
            "time_zone": person.time_zone,
            "active": person.active,
        }
        if as_json:
            sys.stdout.write(json.dumps(row) + "\n")
        else:
            state = "active" if person.active else "disabled"
            team = f" team {person.team}" if person.team else ""
            sys.stdout.write(f"{person.email}\t{person.name}\t{person.role.value}{team}\t{state}\n")


@users_cli.command("disable")
def disable(
    email: Annotated[str, typer.Argument(help="The account's e-mail.")],
    database_url: DatabaseOption = None,
    actor: ActorOption = None,
) -> None:
    """Disable an account: it can no longer sign in, and its sessions end at their next request."""
    try:
        person = container_for(database_url).console.people.disable(
            email, actor=actor or default_actor()
        )
    except PersonRefused as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from None
    console.print(f"Account {person.email} disabled.")
