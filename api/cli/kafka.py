"""Kafka commands: `escalations relay`, `escalations relay status`, `escalations ingest`,
`escalations kafka-topics`. Register them on the main CLI with `register(cli)`."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Annotated

import typer

from api.cli.common import (
    DatabaseOption,
    console,
    container_for,
    settings_for,
    stop_on_signals,
)
from infra.bootstrap import build
from infra.kafka.wiring import (
    application_commands,
    build_ingestor,
    build_relay,
    create_topics,
)
from infra.kafka.wiring import relay_status as relay_status_of
from infra.settings import Settings
from infra.settings.kafka import KafkaSettings

relay_cli = typer.Typer(
    help="Publish every stored escalation event to Kafka, in order, at least once.",
    invoke_without_command=True,
)


def _kafka_settings(settings: Settings) -> KafkaSettings:
    kafka = settings.kafka
    if not kafka.enabled:
        console.print(
            "[red]Kafka is off:[/] set ESCALATIONS_KAFKA_BOOTSTRAP_SERVERS (e.g. 127.0.0.1:9092)"
        )
        raise typer.Exit(2)
    return kafka


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)


@relay_cli.callback()
def relay(
    ctx: typer.Context,
    database_url: DatabaseOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="Publish what is stored now, then exit.")
    ] = False,
) -> None:
    """Run the relay until stopped (Ctrl-C or SIGTERM); `relay status` shows position and lag."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = database_url
        return
    configured = settings_for(database_url)
    settings = _kafka_settings(configured)  # Kafka off: say so before touching the store
    _configure_logging()
    container = build(configured)
    relay_worker = build_relay(container.app, settings)
    try:
        if once:
            published = relay_worker.run_until_caught_up(timeout_s=None)
            console.print(f"published {published} events; position {relay_worker.position()}")
            return
        console.print(
            f"relaying to {settings.events_topic} on {settings.bootstrap_servers} "
            f"from position {relay_worker.position()}"
        )
        relay_worker.run(stop_on_signals())
    finally:
        relay_worker.close()
        container.close()


@relay_cli.command("status")
def relay_status(
    ctx: typer.Context,
    database_url: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The relay's tracked position, the store's head, and how far behind the relay is."""
    container = container_for(database_url or ctx.obj)
    try:
        status = relay_status_of(container.app, container.settings.kafka)
    finally:
        container.close()
    if as_json:
        typer.echo(json.dumps(asdict(status), default=str))
        return
    typer.echo(f"relay            {status.name}")
    typer.echo(f"position         {status.position}")
    typer.echo(f"store head       {status.head}")
    typer.echo(f"pending          {status.pending_notifications} notifications")
    oldest = status.oldest_pending_at.isoformat() if status.oldest_pending_at else "-"
    typer.echo(f"oldest pending   {oldest}")
    typer.echo(f"lag              {status.lag_seconds:.3f} s")


def ingest(database_url: DatabaseOption = None) -> None:
    """Consume signals from other systems and turn them into escalation commands."""
    configured = settings_for(database_url)
    settings = _kafka_settings(configured)  # Kafka off: say so before touching the store
    _configure_logging()
    container = build(configured)
    ingestor = build_ingestor(application_commands(container.app), settings)
    console.print(
        f"taking signals from {settings.signals_topic} as group {settings.consumer_group}; "
        f"dead letters to {settings.dead_letter_topic}"
    )
    try:
        ingestor.run(stop_on_signals())
    finally:
        container.close()
    stats = ingestor.stats
    console.print(f"applied {stats.applied}, dead-lettered {stats.dead_lettered}")


def kafka_topics(
    partitions: Annotated[int, typer.Option(min=1, help="Partitions per topic.")] = 12,
    replication_factor: Annotated[int, typer.Option(min=1, help="Copies of each partition.")] = 3,
) -> None:
    """Create the events, signals and dead-letter topics if they do not exist."""
    settings = _kafka_settings(settings_for())
    for name, created in create_topics(settings, partitions, replication_factor).items():
        typer.echo(f"{name}: {'created' if created else 'already there'}")


def register(cli: typer.Typer) -> None:
    """Add the Kafka commands to the main `escalations` CLI."""
    cli.add_typer(relay_cli, name="relay")
    cli.command("ingest")(ingest)
    cli.command("kafka-topics")(kafka_topics)
