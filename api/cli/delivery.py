"""Delivery commands: `escalations lists create|add|remove|show|ls` and `escalations deliver`.
Register them on the main CLI with `register(cli)`."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from api.cli.common import DatabaseOption, console, container_for, settings_for, stop_on_signals
from api.cli.keys import ActorOption, default_actor
from domain.errors import DomainError
from domain.validation import utc
from domain.values import Audience
from infra.bootstrap import Container, build
from infra.delivery.lists import ListInfo, ListNotFound

lists_cli = typer.Typer(
    help="Distribution lists: who receives each audience's delivered communications.",
    no_args_is_help=True,
)
ListArgument = Annotated[UUID, typer.Argument(help="The list's id (`escalations lists ls`).")]
AddressArgument = Annotated[
    str, typer.Argument(help="An e-mail address, e.g. maria.chen@example.com")
]


def _run(database_url: str | None, call: Callable[[Container], ListInfo]) -> ListInfo:
    container = container_for(database_url)
    try:
        return call(container)
    except (DomainError, ListNotFound) as refused:
        console.print(f"[red]{refused}[/]")
        raise typer.Exit(2) from None
    finally:
        container.close()


def _print(found: ListInfo) -> None:
    console.print(f"{found.name} ({found.audience}), id {found.id}, version {found.version}")
    for member in found.members:
        sys.stdout.write(member + "\n")


@lists_cli.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="What people call the list.")],
    audience: Annotated[Audience, typer.Option("--audience", help="Whose updates it receives.")],
    database_url: DatabaseOption = None,
    actor: ActorOption = None,
) -> None:
    """Create a list for an audience; prints its id."""
    found = _run(
        database_url,
        lambda c: c.lists.create(
            name=name, audience=audience.value, actor=actor or default_actor()
        ),
    )
    console.print(f"list {found.name!r} for {found.audience} created")
    sys.stdout.write(f"{found.id}\n")


@lists_cli.command("add")
def add(
    list_id: ListArgument,
    address: AddressArgument,
    database_url: DatabaseOption = None,
    actor: ActorOption = None,
) -> None:
    """Add a member."""
    _print(
        _run(
            database_url,
            lambda c: c.lists.add(list_id, address=address, actor=actor or default_actor()),
        )
    )


@lists_cli.command("remove")
def remove(
    list_id: ListArgument,
    address: AddressArgument,
    database_url: DatabaseOption = None,
    actor: ActorOption = None,
) -> None:
    """Remove a member."""
    _print(
        _run(
            database_url,
            lambda c: c.lists.remove(list_id, address=address, actor=actor or default_actor()),
        )
    )


@lists_cli.command("show")
def show(
    list_id: ListArgument,
    database_url: DatabaseOption = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            help="The members at this moment (with a timezone).",
            formats=["%Y-%m-%dT%H:%M:%S%z"],
        ),
    ] = None,
) -> None:
    """One list and its members, now or as it was."""
    try:
        moment = utc(as_of, "--as-of") if as_of is not None else None
    except DomainError as refused:
        console.print(f"[red]{refused}[/]")
        raise typer.Exit(2) from None
    _print(_run(database_url, lambda c: c.lists.get(list_id, moment)))


@lists_cli.command("ls")
def list_lists(
    database_url: DatabaseOption = None,
    audience: Annotated[
        Audience | None, typer.Option("--audience", help="Only this audience's.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """Every list, with how many members it has."""
    container = container_for(database_url)
    try:
        found = container.lists.all(audience.value if audience else None)
    finally:
        container.close()
    if as_json:
        for lst in found:
            sys.stdout.write(json.dumps(lst.as_dict()) + "\n")
        return
    table = Table("id", "name", "audience", "members", "created")
    for lst in found:
        table.add_row(
            str(lst.id), lst.name, lst.audience, str(len(lst.members)),
            f"{lst.created_at:%Y-%m-%d %H:%M} by {lst.created_by}",
        )  # fmt: skip
    Console(width=200).print(table)


def deliver(
    database_url: DatabaseOption = None,
    once: Annotated[
        bool,
        typer.Option("--once", help="Deliver what is waiting now (retries included), then exit."),
    ] = False,
) -> None:
    """Run the delivery worker until stopped (Ctrl-C or SIGTERM), as `serve` runs it inside."""
    from infra.delivery.wiring import build_worker

    settings = settings_for(database_url)
    if not settings.mail.enabled:
        console.print(
            "[red]Mail is off:[/] set ESCALATIONS_SMTP_URL (e.g. smtp://user:pass@relay:587) "
            "and ESCALATIONS_MAIL_FROM"
        )
        raise typer.Exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    container = build(settings)
    worker = build_worker(container)
    try:
        if once:
            worker.run_until_idle(timeout_s=24 * 3600)
            stats = worker.stats
            console.print(f"sent {stats.sent}, failed {stats.failed} attempts")
            return
        console.print(f"delivering from {settings.store.database_url.split('@')[-1]}")
        worker.run(stop_on_signals())
    finally:
        worker.close()
        container.close()


def register(cli: typer.Typer) -> None:
    cli.add_typer(lists_cli, name="lists")
    cli.command("deliver")(deliver)
