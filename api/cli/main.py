"""The `escalations` command line: serve, demo, show, events export (and the workers' commands)."""

from __future__ import annotations

import json
import socket
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from api.cli.common import DatabaseOption, console, container_for
from api.cli.keys import keys_cli
from api.cli.listening import claim
from api.cli.projections import projections_cli, worker
from api.cli.subjects import subjects_cli
from api.cli.users import users_cli
from domain.errors import InvalidCommand
from domain.moments import utc_text
from domain.validation import utc
from infra.bootstrap import Container

cli = typer.Typer(
    name="escalations",
    help="Event-sourced escalation incident manager.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
events_cli = typer.Typer(help="The event store itself.", no_args_is_help=True)
cli.add_typer(events_cli, name="events")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(subjects_cli, name="subjects")
cli.add_typer(users_cli, name="users")

DEMO_KEY_NAME = "demo-manager"
DEMO_PERSON = "demo.manager@example.com"


class PersonalData(StrEnum):
    pseudonymised = "pseudonymised"
    clear = "clear"


def parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise typer.BadParameter("give a timezone, e.g. 2026-11-20T14:00:00Z")
    try:
        return utc(moment, "the moment")
    except InvalidCommand as error:
        raise typer.BadParameter(str(error)) from None


@cli.command()
def serve(
    database_url: DatabaseOption = None,
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the HTTP API (and, when configured, the background workers)."""
    run_server(container_for(database_url, host=host, port=port))


def run_server(container: Container, sock: socket.socket | None = None) -> None:
    import uvicorn

    from api.cli.access_log import log_config
    from api.http.app import create_app
    from infra.workers import background_workers

    settings = container.settings
    sock = sock or claim(settings.http.host, settings.http.port)
    if not settings.auth.enabled:
        console.print(
            "[yellow]Authentication is OFF (ESCALATIONS_AUTH_ENABLED=false): anyone who can "
            "reach this port can do anything, as whatever X-Actor says.[/]"
        )
    elif not container.keys.active():
        console.print(
            "No API key exists yet: issue one with "
            "`escalations keys create --name YOU --role admin`."
        )
    app = create_app(container, lifespan_hooks=background_workers(container))
    console.print(
        f"[bold]escalations[/] on http://{settings.http.host}:{settings.http.port}  "
        f"(store: {settings.store.database_url}; API docs at /docs)",
        soft_wrap=True,
    )
    config = uvicorn.Config(
        app,
        host=settings.http.host,
        port=settings.http.port,
        log_level="info",
        access_log=settings.http.access_log,
        log_config=log_config(),
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run(sockets=[sock])


@cli.command()
def demo(
    database_url: DatabaseOption = None,
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve once loaded.")
    ] = True,
) -> None:
    """Load a realistic demo history (idempotent), then serve it."""
    from infra.demo.scenarios import load_demo

    container = container_for(database_url, host=host, port=port)
    http = container.settings.http
    sock = claim(http.host, http.port) if serve_after else None
    if load_demo(container.app, datetime.now(UTC)):
        console.print(
            "Demo history loaded: a SEV1 sync outage with linked cases, an SSO incident, "
            "a BBB complaint, a GDPR erasure request, a key-account case and a dismissed spam mail."
        )
    else:
        console.print("Demo history already present; serving it.")
    issued, revoked = container.keys.rotate(name=DEMO_KEY_NAME, role="manager", actor="demo")
    base = f"http://{container.settings.http.host}:{container.settings.http.port}"
    console.print(
        f"Manager key for this run, named {DEMO_KEY_NAME!r}"
        + (f" ({len(revoked)} earlier demo key(s) revoked)" if revoked else "")
        + ". Only its digest is stored, so each run issues a fresh one:"
    )
    sys.stdout.write(issued.secret + "\n")
    sys.stdout.flush()
    for line in demo_examples(container, issued.secret, base):
        console.print(line, soft_wrap=True, markup=False, highlight=False)
    password = demo_person(container)
    console.print(
        f"Console: {base}/login  sign in as {DEMO_PERSON} with password {password} "
        "(a fresh one each run)",
        soft_wrap=True,
        markup=False,
        highlight=False,
    )
    if serve_after:
        run_server(container, sock)


def demo_person(container: Container) -> str:
    """The demo manager's account, made once; its password is new on every run."""
    import secrets

    people = container.console.people
    password = secrets.token_urlsafe(12)
    if people.by_email(DEMO_PERSON) is None:
        people.create(
            email=DEMO_PERSON,
            name="Demo Manager",
            role="manager",
            team="Customer Experience",
            password=password,
            actor="demo",
        )
    else:
        people.set_password(DEMO_PERSON, password, actor="demo")
    return password


def demo_examples(container: Container, secret: str, base: str) -> list[str]:
    """Sample requests for the demo, each on one line so it can be pasted: the outage now, and
    the outage as it was while the fix was being rolled out (a moment read from its history)."""
    from infra.demo.scenarios import SYNC_OUTAGE, moment_of

    auth = f"-H 'Authorization: Bearer {secret}'"
    lines = ["Try:", f"  curl {auth} {base}/escalations/{SYNC_OUTAGE}"]
    during = moment_of(container.app, SYNC_OUTAGE, status="identified")
    if during is not None:
        lines.append(
            f"  curl {auth} '{base}/escalations/{SYNC_OUTAGE}?as_of={utc_text(during)}'"
            "   # as it was while the fix was rolled out"
        )
    return lines


@cli.command()
def show(
    escalation_id: Annotated[UUID, typer.Argument(help="The escalation's id.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="ISO 8601 moment, e.g. 2026-11-20T14:00:00Z")
    ] = None,
    version: Annotated[int | None, typer.Option(help="A version number.")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Print one escalation as JSON, now or as it was."""
    from infra.application import EscalationNotFound
    from infra.serialization import escalation_to_dict

    app = container_for(database_url).app
    try:
        if as_of:
            escalation = app.get_as_of(escalation_id, parse_moment(as_of))
        else:
            escalation = app.get(escalation_id, version=version)
    except EscalationNotFound as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    sys.stdout.write(json.dumps(escalation_to_dict(escalation), indent=2) + "\n")


@events_cli.command("export")
def export_events(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; stdout when omitted.")
    ] = None,
    database_url: DatabaseOption = None,
    personal_data: Annotated[
        PersonalData,
        typer.Option(
            "--personal-data",
            help="pseudonymised: customers by subject id only (the default: a file is a copy "
            "that a later erasure cannot reach); clear: names and e-mails as the API shows them.",
        ),
    ] = PersonalData.pseudonymised,
) -> None:
    """Write every escalation event, in global order, as JSON Lines."""
    from infra.serialization import event_to_record

    app = container_for(database_url).app
    if personal_data is PersonalData.clear:
        console.print(
            "[yellow]This export holds customers' personal data in clear; an erasure cannot "
            "reach it. Keep it short-lived.[/]"
        )
    stream = output.open("w", encoding="utf-8") if output else sys.stdout
    count = 0
    try:
        mapper = app.mapper if personal_data is PersonalData.clear else app.pseudonymous_mapper
        for notification in app.notifications():
            record = event_to_record(mapper.to_domain_event(notification), notification.id)
            stream.write(json.dumps(record, separators=(",", ":")) + "\n")
            count += 1
    finally:
        if output:
            stream.close()
    console.print(f"{count} events exported")


@cli.command()
def readers(
    by_event: Annotated[
        bool, typer.Option("--by-event", help="One row per event: who reads it.")
    ] = False,
) -> None:
    """Print the registry: every reader of the escalation events, its lifecycle, what it reads."""
    from infra.readers import event_rows, table_text

    if by_event:
        for event, names in event_rows():
            sys.stdout.write(f"{event:22} {names}\n")
    else:
        sys.stdout.write(table_text() + "\n")


def _register_subcommands() -> None:
    from api.cli.delivery import register as register_delivery
    from api.cli.kafka import register as register_kafka

    register_kafka(cli)
    register_delivery(cli)


cli.command("worker")(worker)
cli.add_typer(projections_cli, name="projections")
_register_subcommands()


def main() -> None:
    cli()
