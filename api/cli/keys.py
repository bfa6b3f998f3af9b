"""`escalations keys ...`: issue, list and revoke API keys from the command line.

The command line talks to the store directly, so it is the way to issue the first admin key; the
operator running it is recorded as the actor (`--actor`, by default `cli:<login name>`).
"""

from __future__ import annotations

import getpass
import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.common import DatabaseOption, console, container_for
from infra.keys import AccessRole, KeyRefused

keys_cli = typer.Typer(help="API keys: issue, list, revoke.", no_args_is_help=True)

ActorOption = Annotated[
    str | None, typer.Option("--actor", help="Recorded as who did it; default cli:<login name>.")
]


def default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


@keys_cli.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="The holder; the actor on their events.")],
    role: Annotated[AccessRole, typer.Option("--role", help="What the key may do.")],
    database_url: DatabaseOption = None,
    actor: ActorOption = None,
) -> None:
    """Issue a key and print its secret (on stdout, once; it is stored only as a digest)."""
    container = container_for(database_url)
    try:
        issued = container.keys.create(name=name, role=role.value, actor=actor or default_actor())
    except KeyRefused as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from None
    finally:
        container.close()
    console.print(
        f"Key {issued.info.id} issued to {issued.info.name!r} as {issued.info.role.value}. "
        "Keep the secret now: it cannot be shown again."
    )
    sys.stdout.write(issued.secret + "\n")


@keys_cli.command("list")
def list_keys(
    database_url: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """Every key ever issued, revoked ones too."""
    container = container_for(database_url)
    try:
        keys = container.keys.all()
    finally:
        container.close()
    if as_json:
        for key in keys:
            sys.stdout.write(json.dumps(key.as_dict()) + "\n")
        return
    table = Table("id", "name", "role", "secret starts", "issued", "revoked")
    for key in keys:
        revoked = f"{key.revoked_at:%Y-%m-%d %H:%M} by {key.revoked_by}" if key.revoked_at else ""
        table.add_row(
            str(key.id),
            key.name,
            key.role.value,
            key.hint,
            f"{key.issued_at:%Y-%m-%d %H:%M} by {key.issued_by}",
            revoked,
        )
    Console(width=200).print(table)


@keys_cli.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (or its first 6+ characters).")],
    database_url: DatabaseOption = None,
    actor: ActorOption = None,
) -> None:
    """Revoke a key; running API servers refuse it within ESCALATIONS_AUTH_CACHE_SECONDS (2 s)."""
    container = container_for(database_url)
    try:
        info = container.keys.revoke(key_id, actor=actor or default_actor())
    except KeyRefused as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    finally:
        container.close()
    sys.stdout.write(f"revoked {info.id} ({info.name}, {info.role.value})\n")
