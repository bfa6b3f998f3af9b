"""start_kafka_workers: what `escalations serve` runs when Kafka is configured."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from uuid import UUID

import pytest
from kafka import KafkaProducer

from infra.application import ESCALATION_TOPIC_PREFIX
from infra.bootstrap import Container, build
from infra.kafka.wiring import start_kafka_workers
from infra.settings import Settings
from infra.settings.kafka import KafkaSettings
from tests.kafka.broker import TansuBroker
from tests.kafka.reading import TopicReader
from tests.kafka.samples import monitoring_alert


@pytest.fixture
def container(tmp_path) -> Iterator[Container]:
    built = build(Settings(database_url=f"sqlite:///{tmp_path}/serve.db"))
    yield built
    built.close()


def test_with_kafka_off_nothing_starts(container: Container) -> None:
    workers = start_kafka_workers(container.app, KafkaSettings(bootstrap_servers=None))
    workers.stop()
    assert workers.threads == []
    assert workers.relay is None and workers.ingestor is None


def test_a_signal_in_comes_back_out_as_a_published_event(
    container: Container, broker: TansuBroker, topics: dict[str, str]
) -> None:
    settings = broker.settings(topics)
    reader = TopicReader(broker.bootstrap_servers, topics["events"])
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    producer.send(topics["signals"], json.dumps(monitoring_alert()).encode()).get(timeout=10)
    producer.close()
    workers = start_kafka_workers(container.app, settings)
    try:
        documents = reader.wait_for(lambda docs: len(docs) >= 1, timeout_s=45)
    finally:
        workers.stop()
        reader.close()
    stopped_in_time = not workers.running
    opened = [
        n for n in container.app.notifications() if n.topic == f"{ESCALATION_TOPIC_PREFIX}Opened"
    ]

    assert stopped_in_time
    assert len(opened) == 1
    assert [d["type"] for d in documents] == ["escalations.escalation.Opened.v1"]
    assert UUID(documents[0]["subject"]) == UUID(str(opened[0].originator_id))
    assert documents[0]["data"]["actor"] == "signal:monitoring://alerts"


def test_stop_returns_promptly_while_the_broker_is_unreachable(container: Container) -> None:
    from tests.kafka.broker import free_port

    settings = KafkaSettings(
        bootstrap_servers=f"127.0.0.1:{free_port()}",
        request_timeout_ms=1000,
        retry_backoff_max_s=0.5,
    )
    container.app.open(
        actor="cx", title="Waiting", scope="customer", source="email", severity="SEV4"
    )
    workers = start_kafka_workers(container.app, settings)
    time.sleep(0.5)  # let both workers reach their retry loops; not an assertion
    started = time.monotonic()
    workers.stop(timeout_s=15)
    assert not workers.running
    assert time.monotonic() - started < 15
    assert workers.relay is not None and workers.relay.position() == 0
