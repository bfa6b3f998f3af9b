from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from api.cli.kafka import register
from infra.bootstrap import build
from infra.settings import Settings
from tests.kafka.broker import TansuBroker


def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("version")
    def _version() -> None:  # a second command keeps typer from collapsing the group
        typer.echo("test")

    return app


def store_with_escalations(url: str, count: int) -> int:
    container = build(Settings(database_url=url))
    try:
        for number in range(count):
            container.app.open(
                actor="cx",
                title=f"Case {number}",
                scope="customer",
                source="email",
                severity="SEV4",
            )
        return container.app.recorder.max_notification_id() or 0
    finally:
        container.close()


def test_relay_once_publishes_and_status_shows_position_and_lag(
    tmp_path, broker: TansuBroker, topics: dict[str, str]
) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    head = store_with_escalations(url, 4)
    env = {
        "ESCALATIONS_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "ESCALATIONS_KAFKA_EVENTS_TOPIC": topics["events"],
    }
    runner = CliRunner()

    before = runner.invoke(cli(), ["relay", "status", "--json", "--database-url", url], env=env)
    published = runner.invoke(cli(), ["relay", "--once", "--database-url", url], env=env)
    after = runner.invoke(cli(), ["relay", "status", "--json", "--database-url", url], env=env)

    assert before.exit_code == 0, before.output
    assert published.exit_code == 0, published.output
    waiting, caught_up = json.loads(before.stdout), json.loads(after.stdout)
    assert (waiting["position"], waiting["head"], waiting["pending_notifications"]) == (0, head, 4)
    assert waiting["lag_seconds"] > 0
    assert (caught_up["position"], caught_up["pending_notifications"]) == (head, 0)
    assert caught_up["lag_seconds"] == 0
    assert "published 4 events" in published.output


def test_kafka_commands_refuse_to_run_when_kafka_is_off(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/off.db"
    result = CliRunner().invoke(
        cli(), ["ingest", "--database-url", url], env={"ESCALATIONS_KAFKA_BOOTSTRAP_SERVERS": ""}
    )
    assert result.exit_code == 2
    assert "Kafka is off" in result.output


def test_kafka_topics_creates_the_three_topics_once(
    broker: TansuBroker, topics: dict[str, str]
) -> None:
    env = {
        "ESCALATIONS_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "ESCALATIONS_KAFKA_EVENTS_TOPIC": topics["events"],
        "ESCALATIONS_KAFKA_SIGNALS_TOPIC": topics["signals"],
        "ESCALATIONS_KAFKA_DEAD_LETTER_TOPIC": topics["dead_letters"],
    }
    args = ["kafka-topics", "--partitions", "3", "--replication-factor", "1"]
    first = CliRunner().invoke(cli(), args, env=env)
    second = CliRunner().invoke(cli(), args, env=env)
    assert first.exit_code == 0, first.output
    assert first.stdout.count("created") == 3
    assert second.stdout.count("already there") == 3
