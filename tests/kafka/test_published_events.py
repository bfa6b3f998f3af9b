"""What the real escalation store publishes: valid CloudEvents, readable by another client
library, and free of customer personal data."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from confluent_kafka import Consumer

from domain.escalation import Escalation
from infra.bootstrap import Container, build
from infra.kafka.wiring import build_relay
from infra.settings import Settings
from infra.settings.kafka import KafkaSettings
from infra.use_cases import act
from tests.kafka.broker import TansuBroker
from tests.kafka.test_contracts import validator

MARKERS = ("Zephyrine Marker-Quill", "zq.marker@example.org", "+1-555-0199-77", "ACCT-MARKER-9")


@pytest.fixture
def container(database_url: str) -> Iterator[Container]:
    built = build(Settings(database_url=database_url))
    yield built
    built.close()


def write_history(container: Container) -> list[str]:
    app = container.app
    customer = {
        "subject_id": "subject-4711",
        "name": MARKERS[0],
        "email": MARKERS[1],
        "phone": MARKERS[2],
        "account_id": MARKERS[3],
    }
    opened_at = datetime.now(UTC) - timedelta(hours=1)
    ids = []
    for number in range(3):
        result = app.open(
            actor="cx-lead",
            title=f"Billing dispute {number}",
            scope="customer",
            source="email",
            severity="SEV3",
            customer=customer,
            at=opened_at,
        )
        ids.append(str(result.escalation_id))
        app.execute(result.escalation_id, act(Escalation.acknowledge, actor="cx-lead"))
        app.execute(
            result.escalation_id, act(Escalation.add_note, actor="cx-lead", text="called back")
        )
    return ids


def relay_everything(container: Container, broker: TansuBroker, topic: str) -> int:
    settings = KafkaSettings(bootstrap_servers=broker.bootstrap_servers, events_topic=topic)
    relay = build_relay(container.app, settings)
    try:
        return relay.run_until_caught_up()
    finally:
        relay.close()


def consume_with_librdkafka(broker: TansuBroker, topic: str, group: str, count: int) -> list[Any]:
    consumer = Consumer(
        {
            "bootstrap.servers": broker.bootstrap_servers,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 6000,
            "max.poll.interval.ms": 6000,
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    messages: list[Any] = []
    deadline = time.monotonic() + 45
    try:
        while len(messages) < count and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            messages.append(message)
    finally:
        consumer.close()
    return messages


def published_messages(
    container: Container, broker: TansuBroker, topics: dict[str, str]
) -> tuple[list[str], int, list[Any]]:
    """The test history, relayed in full and read back by librdkafka: (ids, published, messages)."""
    ids = write_history(container)
    published = relay_everything(container, broker, topics["events"])
    return (
        ids,
        published,
        consume_with_librdkafka(broker, topics["events"], topics["group"], published),
    )


def test_a_librdkafka_consumer_reads_valid_cloudevents_keyed_by_escalation(
    container: Container, broker: TansuBroker, topics: dict[str, str]
) -> None:
    ids, published, messages = published_messages(container, broker, topics)

    check = validator("event.schema.json")
    documents = [json.loads(m.value()) for m in messages]
    for message, document in zip(messages, documents, strict=True):
        check.validate(document)
        assert message.key().decode() == document["subject"] == document["data"]["escalation_id"]
    assert published == 9
    assert {d["subject"] for d in documents} == set(ids)
    for escalation_id in ids:
        versions = [d["escalationversion"] for d in documents if d["subject"] == escalation_id]
        assert versions == [1, 2, 3]


def test_published_events_carry_the_subject_id_and_no_customer_personal_data(
    container: Container, broker: TansuBroker, topics: dict[str, str]
) -> None:
    write_history(container)
    app = container.app
    stored = json.dumps(
        [vars(app.mapper.to_domain_event(n)) for n in app.notifications()], default=str
    ).encode()
    published = relay_everything(container, broker, topics["events"])

    messages = consume_with_librdkafka(broker, topics["events"], topics["group"], published)

    raw = b"".join(m.value() + (m.key() or b"") for m in messages)
    opened = [
        json.loads(m.value())
        for m in messages
        if json.loads(m.value())["type"] == "escalations.escalation.Opened.v1"
    ]
    assert all(marker.encode() in stored for marker in MARKERS), "the store holds them"
    assert len(messages) == published == 9
    assert [marker for marker in MARKERS if marker.encode() in raw] == []
    assert [d["data"]["event"]["customer"] for d in opened] == [{"subject_id": "subject-4711"}] * 3


def test_messages_follow_the_cloudevents_kafka_binding_in_structured_mode(
    container: Container, broker: TansuBroker, topics: dict[str, str]
) -> None:
    from cloudevents.core.bindings.kafka import KafkaMessage as CoreMessage
    from cloudevents.core.bindings.kafka import from_kafka_event
    from cloudevents.v1.kafka import KafkaMessage, from_structured

    ids, published, messages = published_messages(container, broker, topics)

    assert len(messages) == published == 9
    for message in messages:
        headers = {name: value for name, value in message.headers() or []}
        assert headers == {"content-type": b"application/cloudevents+json; charset=UTF-8"}
        document = json.loads(message.value())
        # the SDK's Kafka binding (as its consumers read it)
        event = from_structured(KafkaMessage(headers, message.key(), message.value()))
        assert event["id"] == document["id"] and event["type"] == document["type"]
        assert event["partitionkey"] == message.key() == document["subject"].encode()
        assert event.get_data() == document["data"]
        # mode detection: no ce_ headers, so structured, and the same event
        detected = from_kafka_event(CoreMessage(headers, message.key(), message.value()))
        assert detected.get_id() == document["id"]
        assert detected.get_subject() in ids
        assert detected.get_data() == document["data"]
