"""Signals from other systems through a real consumer group into the real escalation store."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from adapters.kafka.ingest import REASON_HEADER, SignalIngestor
from adapters.kafka.ports import SignalDeferred
from domain.escalation import Escalation
from infra.application import ESCALATION_TOPIC_PREFIX, Escalations
from infra.bootstrap import Container, build
from infra.kafka.commands import EscalationSignalCommands
from infra.kafka.wiring import build_ingestor
from infra.settings import Settings
from infra.settings.kafka import KafkaSettings
from infra.use_cases import act
from tests.kafka.broker import TansuBroker
from tests.kafka.samples import (
    bbb_complaint,
    monitoring_alert,
    privacy_request,
    support_case,
    survey,
)


@pytest.fixture
def container(database_url: str) -> Iterator[Container]:
    built = build(Settings(database_url=database_url))
    yield built
    built.close()


def kafka_settings(broker: TansuBroker, topics: dict[str, str]) -> KafkaSettings:
    return broker.settings(topics, retry_backoff_max_s=0.5)


def send(broker: TansuBroker, topic: str, *documents: dict[str, Any] | bytes) -> None:
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    for document in documents:
        value = document if isinstance(document, bytes) else json.dumps(document).encode()
        producer.send(topic, key=b"signals", value=value)
    producer.flush()
    producer.close()


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 45) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Running:
    def __init__(self, ingestor: SignalIngestor) -> None:
        self.ingestor = ingestor
        self.stop = threading.Event()
        self.thread = threading.Thread(target=ingestor.run, args=(self.stop,), daemon=True)
        self.thread.start()

    def handled(self) -> int:
        return self.ingestor.stats.applied + self.ingestor.stats.dead_lettered

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "the consumer stops when asked"


def ingest_until(app: Escalations, settings: KafkaSettings, count: int, what: str) -> Running:
    """Run a consumer until it has handled `count` signals, then stop it."""
    running = Running(build_ingestor(EscalationSignalCommands(app), settings))
    try:
        wait_until(lambda: running.handled() == count, what)
    finally:
        running.close()
    return running


def opened(app: Escalations) -> list[Escalation]:
    return [
        app.get(UUID(str(n.originator_id)))
        for n in app.notifications()
        if n.topic == f"{ESCALATION_TOPIC_PREFIX}Opened"
    ]


def committed_offset(broker: TansuBroker, group: str, topic: str) -> int | None:
    """The group's committed offset on partition 0, read without joining the group."""
    consumer = KafkaConsumer(
        bootstrap_servers=broker.bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    try:
        offset: int | None = consumer.committed(TopicPartition(topic, 0))
        return offset
    finally:
        consumer.close()


def test_signals_open_escalations_and_a_redelivered_signal_changes_nothing(
    container: Container, broker: TansuBroker, topics: dict[str, str]
) -> None:
    complaint = bbb_complaint()
    signals = [complaint, privacy_request(), support_case(), monitoring_alert(), complaint]
    send(broker, topics["signals"], *signals)
    settings = kafka_settings(broker, topics)
    running = Running(build_ingestor(EscalationSignalCommands(container.app), settings))
    try:
        wait_until(lambda: running.handled() == 5, "five signals to be handled")
        wait_until(
            lambda: committed_offset(broker, topics["group"], topics["signals"]) == 5,
            "the offsets to be committed",
        )
    finally:
        running.close()
    head = container.app.recorder.max_notification_id()

    # A new consumer group is handed every signal again, as after a crash before the commit.
    again = kafka_settings(broker, {**topics, "group": topics["group"] + "-again"})
    redelivery = ingest_until(container.app, again, 5, "the redelivered signals to be handled")

    escalations = {e.source: e for e in opened(container.app)}
    assert running.ingestor.stats.dead_lettered == redelivery.ingestor.stats.dead_lettered == 0
    assert container.app.recorder.max_notification_id() == head, "redelivery wrote nothing"
    assert sorted(escalations) == ["bbb_complaint", "privacy_request", "tools_outage", "vendor"]
    privacy = escalations["privacy_request"]
    assert privacy.received_at.isoformat() == "2026-11-21T08:30:00+00:00"
    assert privacy.privacy is not None and privacy.privacy["regime"] == "gdpr"
    assert privacy.deadline is not None and privacy.deadline.isoformat().startswith("2026-12-21")
    assert escalations["tools_outage"].scope == "global"
    assert set(escalations["tools_outage"].components) == {"Sync", "Sign-in"}
    assert escalations["bbb_complaint"].customer["email"] == "ada@example.com"


def test_a_case_escalated_by_the_crm_is_linked_to_the_global_escalation_it_names(
    container: Container, broker: TansuBroker, topics: dict[str, str]
) -> None:
    outage = container.app.open(
        actor="oncall", title="Sync outage", scope="global", source="tools_outage", severity="SEV1"
    )
    case = support_case(escalated_by="crm", global_escalation_id=str(outage.escalation_id))
    send(broker, topics["signals"], case, case)
    ingest_until(container.app, kafka_settings(broker, topics), 2, "both copies to be handled")

    global_escalation = container.app.get(outage.escalation_id)
    cases = [e for e in opened(container.app) if e.id != outage.escalation_id]
    assert len(cases) == 1
    assert cases[0].source == "priority_support"
    assert global_escalation.linked_cases == [str(cases[0].id)]
    assert cases[0].linked_to == str(outage.escalation_id)


def test_poison_signals_go_to_the_dead_letter_topic_and_the_consumer_goes_on(
    container: Container, broker: TansuBroker, topics: dict[str, str]
) -> None:
    resolved = container.app.open(
        actor="cx", title="Angry e-mail", scope="customer", source="email", severity="SEV3"
    )
    container.app.execute(
        resolved.escalation_id, act(Escalation.resolve, actor="cx", summary="refunded")
    )
    unknown = "5a1d6e3c-0000-4000-8000-000000000000"
    send(
        broker,
        topics["signals"],
        b"{not json",
        survey(escalation_id=unknown),
        monitoring_alert(components=[]),
        survey(escalation_id=str(resolved.escalation_id), score=5),
    )
    ingest_until(container.app, kafka_settings(broker, topics), 4, "all four signals to be handled")
    dead = read_all(broker, topics["dead_letters"], 3)

    reasons = [dict(r.headers)[REASON_HEADER].decode() for r in dead]
    assert dead[0].value == b"{not json", "the original bytes are kept"
    assert reasons[0].startswith("not JSON")
    assert f"no escalation with id {unknown}" in reasons[1]
    assert "components" in reasons[2]
    assert container.app.get(resolved.escalation_id).feedback[0]["csat"] == 5
    assert committed_offset(broker, topics["group"], topics["signals"]) == 4


def test_offsets_are_committed_only_after_the_command_is_stored(
    container: Container, broker: TansuBroker, topics: dict[str, str]
) -> None:
    store_down = threading.Event()
    store_down.set()
    attempts: list[str] = []

    class FlakyStore(EscalationSignalCommands):
        def open_escalation(self, command: Any, *, actor: str, idempotency_key: str) -> str:
            attempts.append(idempotency_key)
            if store_down.is_set():
                raise SignalDeferred("the store is unavailable")
            return super().open_escalation(command, actor=actor, idempotency_key=idempotency_key)

    send(broker, topics["signals"], bbb_complaint())
    running = Running(build_ingestor(FlakyStore(container.app), kafka_settings(broker, topics)))
    try:
        wait_until(lambda: len(attempts) >= 3, "the signal to be retried")
        offset_while_down = committed_offset(broker, topics["group"], topics["signals"])
        store_down.clear()
        wait_until(lambda: running.ingestor.stats.applied == 1, "the signal to be applied")
        wait_until(
            lambda: committed_offset(broker, topics["group"], topics["signals"]) == 1,
            "the offset to be committed",
        )
    finally:
        running.close()

    assert offset_while_down in (None, -1, 0)
    assert len(set(attempts)) == 1, "the same signal was retried"
    assert len(opened(container.app)) == 1


def read_all(broker: TansuBroker, topic: str, count: int, timeout_s: float = 20) -> list[Any]:
    consumer = KafkaConsumer(
        bootstrap_servers=broker.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    deadline = time.monotonic() + timeout_s
    records: list[Any] = []
    try:
        while not consumer.partitions_for_topic(topic) and time.monotonic() < deadline:
            time.sleep(0.1)
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        while len(records) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
    finally:
        consumer.close()
    return sorted(records, key=lambda r: (r.partition, r.offset))
