"""Wiring of the Kafka adapters: builds the relay and the signal consumer for an application.

`start_kafka_workers(app, settings)` is what `escalations serve` calls: it starts the relay and the
signal consumer in daemon threads when Kafka is configured, and returns a handle whose `stop()`
ends both. The CLI uses `build_relay` and `build_ingestor` to run either alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.application import Application

from adapters.kafka.ingest import IngestConfig, SignalIngestor
from adapters.kafka.ports import SignalCommands
from adapters.kafka.relay import ESCALATION_TOPIC_PREFIX, Relay, RelayConfig, RelayStatus
from infra.application import Escalations
from infra.kafka.commands import EscalationSignalCommands
from infra.settings.kafka import KafkaSettings

log = logging.getLogger(__name__)


def _core_event_record(domain_event: Any) -> Mapping[str, Any]:
    from infra.serialization import event_to_record

    return event_to_record(domain_event)


def relay_config(
    settings: KafkaSettings, topic_prefix: str = ESCALATION_TOPIC_PREFIX
) -> RelayConfig:
    return RelayConfig(
        topic=settings.events_topic,
        name=settings.relay_name,
        source=settings.event_source,
        topic_prefix=topic_prefix,
        batch_size=settings.relay_batch_size,
        poll_interval_s=settings.relay_poll_interval_s,
        backoff_max_s=settings.retry_backoff_max_s,
        ack_timeout_s=settings.delivery_timeout_ms / 1000,
    )


def build_relay(
    app: Application[Any],
    settings: KafkaSettings,
    *,
    to_record: Callable[[Any], Mapping[str, Any]] | None = None,
    topic_prefix: str = ESCALATION_TOPIC_PREFIX,
) -> Relay:
    """A relay over `app`'s store; its position lives in the same database as the events."""
    return Relay(
        reader=app.recorder,
        decoder=_decoder(app),
        positions=app.factory.tracking_recorder(),
        to_record=to_record or _core_event_record,
        producer_options=settings.producer_options(),
        config=relay_config(settings, topic_prefix),
    )


def _decoder(app: Application[Any]) -> Any:
    """Published payloads carry subject ids only, so the relay never needs the personal fields:
    the pseudonymous mapper skips decrypting them (one key lookup per customer saved)."""
    return getattr(app, "pseudonymous_mapper", app.mapper)


def relay_status(app: Application[Any], settings: KafkaSettings) -> RelayStatus:
    """Position and lag of the relay for `settings.events_topic`, read from the store alone."""
    relay = Relay(
        reader=app.recorder,
        decoder=_decoder(app),
        positions=app.factory.tracking_recorder(),
        to_record=_core_event_record,
        producer_options={},  # never connects: status only reads the store
        config=relay_config(settings),
    )
    return relay.status()


def build_ingestor(commands: SignalCommands, settings: KafkaSettings) -> SignalIngestor:
    return SignalIngestor(
        commands=commands,
        consumer_options=settings.consumer_options(),
        producer_options=settings.producer_options(),
        config=IngestConfig(
            topic=settings.signals_topic,
            dead_letter_topic=settings.dead_letter_topic,
            backoff_max_s=settings.retry_backoff_max_s,
        ),
    )


def application_commands(app: Escalations) -> SignalCommands:
    """`SignalCommands` on the escalation application."""
    return EscalationSignalCommands(app)


@dataclass
class KafkaWorkers:
    """Handle on the Kafka threads started inside another process (e.g. the HTTP server)."""

    stop_event: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    relay: Relay | None = None
    ingestor: SignalIngestor | None = None

    def add(self, name: str, run: Callable[[threading.Event], Any]) -> None:
        """A daemon thread that runs one worker until this handle is stopped."""
        self.threads.append(
            threading.Thread(target=run, args=(self.stop_event,), name=name, daemon=True)
        )

    def stop(self, timeout_s: float = 10.0) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=timeout_s)

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in self.threads)


def start_kafka_workers(
    app: Escalations,
    settings: KafkaSettings,
    *,
    relay: bool = True,
    ingest: bool = True,
    commands: SignalCommands | None = None,
    to_record: Callable[[Any], Mapping[str, Any]] | None = None,
    topic_prefix: str = ESCALATION_TOPIC_PREFIX,
) -> KafkaWorkers:
    """Start the relay and the signal consumer in daemon threads, if Kafka is configured.

    With Kafka off (no bootstrap servers) nothing starts and the handle's `stop()` does nothing.
    """
    workers = KafkaWorkers()
    if not settings.enabled:
        log.info("Kafka is off (ESCALATIONS_KAFKA_BOOTSTRAP_SERVERS is not set)")
        return workers
    if relay:
        workers.relay = build_relay(app, settings, to_record=to_record, topic_prefix=topic_prefix)
        workers.add("kafka-relay", workers.relay.run)
    if ingest:
        workers.ingestor = build_ingestor(commands or application_commands(app), settings)
        workers.add("kafka-ingest", workers.ingestor.run)
    for thread in workers.threads:
        thread.start()
    return workers


def create_topics(
    settings: KafkaSettings, partitions: int, replication_factor: int
) -> dict[str, bool]:
    """Create the three topics where missing; answers, per topic, whether it was created.

    The dead-letter topic has a single partition: it is small and people read it in order.
    """
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    wanted = {
        settings.events_topic: partitions,
        settings.signals_topic: partitions,
        settings.dead_letter_topic: 1,
    }
    admin = KafkaAdminClient(**settings.connection_options())
    try:
        existing = set(admin.list_topics())
        created: dict[str, bool] = {}
        for name, count in wanted.items():
            if name in existing:
                created[name] = False
                continue
            try:
                admin.create_topics([NewTopic(name, count, replication_factor)])
                created[name] = True
            except TopicAlreadyExistsError:
                created[name] = False
        return created
    finally:
        admin.close()
