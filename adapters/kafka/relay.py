"""The outbound relay: a tracked follower of the event store that publishes to Kafka.

Every round reads the next notifications after the tracked position, publishes the escalation events
among them (key = escalation id, so one escalation's events share a partition and keep their order),
waits until the broker acknowledged every one of them (acks=all), and only then records the new
position. A crash at any point therefore re-publishes at most one round: delivery is at least once,
and consumers deduplicate on the CloudEvents `id`.

When a round fails (broker down, timeouts, a producer fenced by a restarted broker) the producer is
discarded with everything it still holds, the relay backs off exponentially, and the next round
starts again from the tracked position with a fresh producer. Nothing is skipped, and because every
attempt publishes a key's events in stream order, the first copy of each event a consumer sees is
in stream order too.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from eventsourcing.persistence import Notification, StoredEvent, Tracking
from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError
from kafka.partitioner.default import DefaultPartitioner, murmur2
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_delay,
    stop_any,
    stop_when_event_set,
)

from adapters.kafka.backoff import Stopped, reconnecting, unless_stopped
from adapters.kafka.cloudevents import DEFAULT_SOURCE, STRUCTURED_HEADERS, encode, to_cloudevent

log = logging.getLogger(__name__)

ESCALATION_TOPIC_PREFIX = "domain.escalation:Escalation."


class NotificationReader(Protocol):
    """The part of an eventsourcing application recorder the relay reads."""

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]: ...

    def max_notification_id(self) -> int | None: ...


class EventDecoder(Protocol):
    """The part of an eventsourcing mapper the relay uses."""

    def to_domain_event(self, stored_event: StoredEvent) -> Any: ...


class PositionStore(Protocol):
    """The part of an eventsourcing tracking recorder the relay uses."""

    def insert_tracking(self, tracking: Tracking) -> None: ...

    def max_tracking_id(self, application_name: str) -> int | None: ...


EventRecorder = Callable[[Any], Mapping[str, Any]]
"""Turns a domain event into the core's outside-world record (see `cloudevents`)."""


class RelayStopped(Stopped):
    """Raised inside a round when the relay was asked to stop before the broker answered."""


@dataclass
class RelayStats:
    rounds: int = 0
    published: int = 0
    failures: int = 0
    last_error: str | None = None
    last_published_at: datetime | None = None


@dataclass(frozen=True)
class RelayStatus:
    name: str
    position: int
    """Last notification id whose events the broker acknowledged."""
    head: int
    """Last notification id in the store."""
    pending_notifications: int
    oldest_pending_at: datetime | None
    """When the oldest unpublished escalation event happened; None when nothing waits."""
    lag_seconds: float
    """How long the oldest unpublished escalation event has been waiting."""


@dataclass(frozen=True)
class RelayConfig:
    topic: str = "escalations.events"
    name: str = "kafka-relay"
    source: str = DEFAULT_SOURCE
    topic_prefix: str = ESCALATION_TOPIC_PREFIX
    batch_size: int = 2000
    poll_interval_s: float = 0.05
    backoff_initial_s: float = 0.2
    backoff_max_s: float = 30.0
    ack_timeout_s: float = 120.0
    """How long a round waits for acknowledgements before it starts again with a new producer."""
    type_versions: Mapping[str, int] = field(default_factory=dict)

    @property
    def position_name(self) -> str:
        """One tracked position per relay name and destination topic."""
        return f"{self.name}:{self.topic}"


@functools.lru_cache(maxsize=100_000)
def _key_hash(serialized_key: bytes) -> int:
    return int(murmur2(serialized_key)) & 0x7FFFFFFF


class KeyHashPartitioner(DefaultPartitioner):  # type: ignore[misc]
    """Kafka's default key partitioning (murmur2, as every client computes it), with the hash
    of each escalation id remembered: one escalation's many events hash the same key."""

    def partition(
        self,
        topic: str,
        key: Any,
        serialized_key: bytes | None,
        value: Any,
        serialized_value: Any,
        cluster: Any,
    ) -> int:
        if serialized_key is None:
            return int(
                super().partition(topic, key, serialized_key, value, serialized_value, cluster)
            )
        partitions = cluster.partitions_for_topic(topic)
        if not partitions:
            msg = f"Topic {topic} not found in ClusterMetadata"
            raise ValueError(msg)
        ordered = sorted(partitions)
        return int(ordered[_key_hash(serialized_key) % len(ordered)])


class Relay:
    def __init__(
        self,
        reader: NotificationReader,
        decoder: EventDecoder,
        positions: PositionStore,
        to_record: EventRecorder,
        producer_options: Mapping[str, Any],
        config: RelayConfig | None = None,
    ) -> None:
        self.reader = reader
        self.decoder = decoder
        self.positions = positions
        self.to_record = to_record
        self.producer_options = {"partitioner": KeyHashPartitioner(), **producer_options}
        self.config = config or RelayConfig()
        self.stats = RelayStats()
        self._producer: KafkaProducer | None = None
        self._position: int | None = None

    # -- position ---------------------------------------------------------------------------

    def position(self) -> int:
        """The last notification id whose events the broker acknowledged."""
        if self._position is None:
            self._position = self.positions.max_tracking_id(self.config.position_name) or 0
        return self._position

    def status(self, scan_limit: int = 10_000) -> RelayStatus:
        """Position and lag, read from the store (works from another process too)."""
        position = self.positions.max_tracking_id(self.config.position_name) or 0
        head = self.reader.max_notification_id() or 0
        oldest: datetime | None = None
        if head > position:
            pending = self.reader.select_notifications(
                position, scan_limit, inclusive_of_start=False
            )
            first = next((n for n in pending if n.topic.startswith(self.config.topic_prefix)), None)
            if first is not None:
                oldest = self.decoder.to_domain_event(first).timestamp
        lag = (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else 0.0
        return RelayStatus(
            name=self.config.position_name,
            position=position,
            head=head,
            pending_notifications=max(head - position, 0),
            oldest_pending_at=oldest,
            lag_seconds=max(lag, 0.0),
        )

    # -- running ----------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Publish until `stop` is set; never gives up on a broker or database outage."""
        rounds = reconnecting(
            self.config.backoff_initial_s, self.config.backoff_max_s, stop, on_failure=self._fail
        )
        log.info("relay %s starting at position %d", self.config.position_name, self.position())
        try:
            while not stop.is_set():
                try:
                    published = rounds(self._round, stop)
                except Stopped:
                    break
                if published == 0:
                    stop.wait(self.config.poll_interval_s)
        finally:
            self.close()

    def _round(self, stop: threading.Event) -> int:
        unless_stopped(stop)
        return self.publish_round(stop)

    def run_until_caught_up(self, timeout_s: float | None = 60.0) -> int:
        """Publish rounds until the store has nothing unpublished; for the CLI and tests.

        Unlike `run`, a failed round is raised, not retried."""
        stop = threading.Event()
        deadline = time.monotonic() + (timeout_s if timeout_s is not None else float("inf"))
        total = 0
        while True:
            published = self.publish_round(stop)
            total += published
            head = self.reader.max_notification_id() or 0
            if self.position() >= head:
                return total
            if time.monotonic() > deadline:
                msg = f"relay did not catch up within {timeout_s} s"
                raise TimeoutError(msg)

    def publish_round(self, stop: threading.Event) -> int:
        """Publish the next batch and advance the position; returns events published."""
        start = self.position()
        notifications = self.reader.select_notifications(
            start, self.config.batch_size, inclusive_of_start=False
        )
        if not notifications:
            return 0
        messages = [m for m in (self._message(n) for n in notifications) if m is not None]
        if messages:
            producer = self._ensure_producer()
            futures = [
                producer.send(self.config.topic, key=key, value=value, headers=STRUCTURED_HEADERS)
                for key, value in messages
            ]
            self._await_acks(producer, futures, stop)
        last = notifications[-1].id
        self.positions.insert_tracking(Tracking(self.config.position_name, last))
        self._position = last
        self.stats.rounds += 1
        self.stats.published += len(messages)
        self.stats.last_published_at = datetime.now(UTC)
        return len(messages)

    def close(self) -> None:
        self._discard_producer()

    # -- internals --------------------------------------------------------------------------

    def _message(self, notification: Notification) -> tuple[bytes, bytes] | None:
        if not notification.topic.startswith(self.config.topic_prefix):
            return None
        domain_event = self.decoder.to_domain_event(notification)
        record = self.to_record(domain_event)
        version = self.config.type_versions.get(str(record["type"]), 1)
        document = to_cloudevent(record, source=self.config.source, type_version=version)
        return str(record["escalation_id"]).encode(), encode(document)

    def _ensure_producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(**self.producer_options)
        return self._producer

    def _await_acks(
        self, producer: KafkaProducer, futures: list[Any], stop: threading.Event
    ) -> None:
        # Flush in short steps so that a stop request is honoured during a long outage, and give
        # up after the ack timeout: the producer would otherwise retry a dead connection forever.
        def gave_up(_: RetryCallState) -> None:
            if stop.is_set():
                raise RelayStopped
            msg = f"broker did not acknowledge within {self.config.ack_timeout_s} s"
            raise KafkaTimeoutError(msg)

        flushing = Retrying(
            retry=retry_if_exception_type(KafkaTimeoutError),
            stop=stop_any(stop_when_event_set(stop), stop_after_delay(self.config.ack_timeout_s)),
            retry_error_callback=gave_up,
        )
        flushing(producer.flush, timeout=0.5)
        for future in futures:
            if future.failed():
                raise future.exception
            if not future.succeeded():  # pragma: no cover - flush guarantees completion
                msg = "broker did not answer for a sent event"
                raise RuntimeError(msg)

    def _fail(self, error: BaseException) -> None:
        self.stats.failures += 1
        self.stats.last_error = f"{type(error).__name__}: {error}"
        log.warning(
            "relay round failed, will retry from position %s: %s",
            self._position,
            self.stats.last_error,
        )
        self._discard_producer()
        # Re-read the position: the store is the authority, not this process's memory.
        self._position = None

    def _discard_producer(self) -> None:
        # Closing without waiting aborts every batch not yet on the wire at once; with one
        # request in flight per connection, what did reach a partition is a prefix of the round.
        producer, self._producer = self._producer, None
        if producer is not None:
            close_now(producer)


def close_now(producer: KafkaProducer) -> None:
    """Close a producer without waiting, dropping whatever it has not sent yet."""
    try:
        producer.close(timeout=0)
    except KafkaTimeoutError:
        _force_close(producer)
    except Exception:  # closing a broken producer must not mask the error that led here
        log.debug("ignoring error while closing producer", exc_info=True)


def _force_close(producer: KafkaProducer) -> None:
    """Stop an abandoned producer's sender thread now.

    kafka-python's close() flushes first and gives up (raising) while batches are pending, which
    leaves the sender retrying them in the background. A producer the relay abandoned must never
    deliver later, next to the fresh producer that re-publishes the round. kafka-python has no
    public call that drops pending batches (close() and flush() both wait for them), so this one
    reaches its sender thread."""
    sender = getattr(producer, "_sender", None)
    if sender is not None:
        sender.force_close()
        sender.join(timeout=5)
    try:
        producer.close(timeout=0)  # nothing is pending any more: releases the rest
    except Exception:
        log.debug("ignoring error while closing a force-closed producer", exc_info=True)
