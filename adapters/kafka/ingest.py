"""The inbound signal consumer: a consumer group on the signals topic.

For each record: parse and validate it, apply its command through `SignalCommands` (which stores
the command together with the signal's idempotency key), and only then commit the offset. A record
that cannot become a command goes to the dead-letter topic with the reason in its headers, and the
consumer moves on. A failure that retrying can cure (database down, a concurrent write, the
broker refusing the dead letter) leaves the offset where it is: the record is fetched again after
a backoff.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import PersistenceError
from kafka import KafkaConsumer, KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from adapters.kafka.backoff import Stopped, reconnecting, unless_stopped
from adapters.kafka.ports import SignalCommands, SignalDeferred, SignalRejected
from adapters.kafka.relay import close_now
from adapters.kafka.signals import InvalidSignal, apply_signal, parse_signal

log = logging.getLogger(__name__)

REASON_HEADER = "escalations.dlq.reason"


def is_transient(error: BaseException) -> bool:
    """Errors worth retrying the same record for, rather than dead-lettering it."""
    return isinstance(
        error, SignalDeferred | PersistenceError | OSError | TimeoutError | KafkaError
    )


class RetryLater(Exception):
    """The record must be fetched and handled again after a backoff."""


@dataclass
class IngestStats:
    applied: int = 0
    dead_lettered: int = 0
    retries: int = 0
    last_error: str | None = None


@dataclass(frozen=True)
class IngestConfig:
    topic: str = "escalations.signals"
    dead_letter_topic: str = "escalations.signals.dlq"
    poll_timeout_ms: int = 500
    max_records: int = 200
    backoff_initial_s: float = 0.2
    backoff_max_s: float = 10.0
    dead_letter_timeout_s: float = 30.0


class SignalIngestor:
    def __init__(
        self,
        commands: SignalCommands,
        consumer_options: Mapping[str, Any],
        producer_options: Mapping[str, Any],
        config: IngestConfig | None = None,
        transient: Callable[[BaseException], bool] = is_transient,
    ) -> None:
        self.commands = commands
        self.consumer_options = {**consumer_options, "enable_auto_commit": False}
        self.producer_options = dict(producer_options)
        self.config = config or IngestConfig()
        self.transient = transient
        self.stats = IngestStats()
        self._dead_letters: KafkaProducer | None = None
        self._consumer: KafkaConsumer | None = None

    def run(self, stop: threading.Event) -> None:
        # One policy for both waits: a broken consumer (rebuilt) and a record to fetch again;
        # a batch handled in full starts the next wait from the shortest delay.
        rounds = reconnecting(
            self.config.backoff_initial_s, self.config.backoff_max_s, stop, self._failed
        )
        try:
            while not stop.is_set():
                try:
                    rounds(self._round, stop)
                except Stopped:
                    break
        finally:
            self._close_consumer()
            self._close_dead_letters()

    def _round(self, stop: threading.Event) -> None:
        unless_stopped(stop)
        if self._consumer is None:
            self._consumer = KafkaConsumer(self.config.topic, **self.consumer_options)
        try:
            self._consume_batch(self._consumer)
        except RetryLater:
            raise
        except Exception:  # the consumer never stops: rebuild it and carry on
            self._close_consumer()
            raise

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, RetryLater):
            self.stats.retries += 1
            return
        self._note(error)
        log.warning("signal consumer failed, restarting: %s", self.stats.last_error)

    def _consume_batch(self, consumer: KafkaConsumer) -> None:
        """Handle one polled batch; raise RetryLater when a record must be fetched again."""
        batch = consumer.poll(
            timeout_ms=self.config.poll_timeout_ms, max_records=self.config.max_records
        )
        done: dict[TopicPartition, OffsetAndMetadata] = {}
        must_wait = False
        for partition, records in batch.items():
            for record in records:
                try:
                    self.handle(record)
                except RetryLater:
                    consumer.seek(partition, record.offset)
                    must_wait = True
                    break
                done[partition] = OffsetAndMetadata(record.offset + 1, "", -1)
        if done:
            try:
                consumer.commit(done)
            except CommitFailedError as error:
                # The group rebalanced: another member gets these records again, and the
                # idempotency keys make that harmless.
                self._note(error)
        if must_wait:
            raise RetryLater

    def _close_consumer(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            _close_quietly(consumer)

    def handle(self, record: ConsumerRecord) -> None:
        """Apply one record or dead-letter it; raise RetryLater when neither is possible now."""
        try:
            signal = parse_signal(record.value)
            apply_signal(self.commands, signal)
        except (InvalidSignal, SignalRejected) as error:
            self._dead_letter(record, str(error))
            return
        except Exception as error:
            if self.transient(error):
                self._note(error)
                raise RetryLater from error
            log.exception("signal at %s:%s failed", record.partition, record.offset)
            self._dead_letter(record, f"unexpected {type(error).__name__}: {error}")
            return
        self.stats.applied += 1

    def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        headers = [
            (REASON_HEADER, reason.encode()),
            ("escalations.dlq.topic", str(record.topic).encode()),
            ("escalations.dlq.partition", str(record.partition).encode()),
            ("escalations.dlq.offset", str(record.offset).encode()),
            ("escalations.dlq.failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        try:
            producer = self._dead_letter_producer()
            future = producer.send(
                self.config.dead_letter_topic,
                key=record.key,
                value=record.value,
                headers=[*list(record.headers or []), *headers],
            )
            future.get(timeout=self.config.dead_letter_timeout_s)
        except Exception as error:
            # Without an acknowledged dead letter the offset must not move.
            self._note(error)
            self._close_dead_letters()
            raise RetryLater from error
        self.stats.dead_lettered += 1
        log.warning("signal at %s:%s dead-lettered: %s", record.partition, record.offset, reason)

    def _dead_letter_producer(self) -> KafkaProducer:
        if self._dead_letters is None:
            self._dead_letters = KafkaProducer(**self.producer_options)
        return self._dead_letters

    def _close_dead_letters(self) -> None:
        # An abandoned dead letter must not turn up later as a second copy.
        producer, self._dead_letters = self._dead_letters, None
        if producer is not None:
            close_now(producer)

    def _note(self, error: BaseException) -> None:
        self.stats.last_error = f"{type(error).__name__}: {error}"


def _close_quietly(consumer: KafkaConsumer) -> None:
    try:
        consumer.close()
    except Exception:
        log.debug("ignoring error while closing a Kafka consumer", exc_info=True)
