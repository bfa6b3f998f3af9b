"""Reading what reached a topic, and comparing it with what the store holds."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from tests.kafka.fakes import TICKET_TOPIC_PREFIX, Tickets


def stored_stream(app: Tickets) -> dict[str, list[str]]:
    """Per escalation, the CloudEvents ids its stream should produce, in stream order."""
    streams: dict[str, list[str]] = defaultdict(list)
    for n in app.recorder.select_notifications(0, 10_000_000, inclusive_of_start=False):
        if n.topic.startswith(TICKET_TOPIC_PREFIX):
            streams[str(n.originator_id)].append(f"{n.originator_id}:{n.originator_version}")
    return dict(streams)


def first_seen_per_key(documents: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """Deduplicate by CloudEvents id keeping the first copy, grouped by subject."""
    seen: set[str] = set()
    streams: dict[str, list[str]] = defaultdict(list)
    for document in documents:
        if document["id"] in seen:
            continue
        seen.add(document["id"])
        streams[document["subject"]].append(document["id"])
    return dict(streams)


class TopicReader:
    """Reads every partition of a topic from the start, without a consumer group, in a thread.

    Records are kept in arrival order per partition, which is all Kafka orders.
    """

    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self.topic = topic
        self.records: list[Any] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            reconnect_backoff_max_ms=500,
            request_timeout_ms=5000,
            fetch_max_wait_ms=100,
        )
        self._thread = threading.Thread(target=self._run, name=f"reader-{topic}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        assigned: set[TopicPartition] = set()
        while not self._stop.is_set():
            try:
                assigned = self._read_once(assigned)
            except Exception:  # the broker may be away in outage tests; try again
                self._stop.wait(0.2)

    def _read_once(self, assigned: set[TopicPartition]) -> set[TopicPartition]:
        partitions = self._consumer.partitions_for_topic(self.topic) or set()
        wanted = {TopicPartition(self.topic, p) for p in partitions}
        if wanted and wanted != assigned:
            self._consumer.assign(sorted(wanted))
            self._consumer.seek_to_beginning(*sorted(wanted - assigned))
            assigned = wanted
        if not assigned:
            self._stop.wait(0.1)
            self._consumer.poll(timeout_ms=0)
            return assigned
        batch = self._consumer.poll(timeout_ms=200)
        with self._lock:
            for records in batch.values():
                self.records.extend(records)
        return assigned

    def documents(self) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(r.value) for r in self.records]

    def wait_for(
        self, condition: Callable[[list[dict[str, Any]]], bool], timeout_s: float = 30.0
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while True:
            documents = self.documents()
            if condition(documents):
                return documents
            if time.monotonic() > deadline:
                return documents
            time.sleep(0.05)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._consumer.close()


def has_ids(expected: set[str]) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda documents: expected <= {d["id"] for d in documents}
