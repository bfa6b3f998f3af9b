"""Kafka relay throughput and end-to-end lag against the tansu test broker.

1. Throughput: a backlog of stored escalation events is published from the tracked position to
   the end, every round acknowledged (acks=all) before the position moves. Target >= 10,000/s.
2. End-to-end lag: with the relay running, commands are written at a steady rate while a consumer
   reads the topic; lag is the time from an event's own timestamp (when the command stored it) to
   the moment the consumer holds it.

    .venv/bin/python -m bench.kafka_relay [--events 50000] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from infra.bootstrap import Container, build
from infra.kafka.wiring import build_relay
from infra.settings import Settings
from infra.settings.kafka import KafkaSettings
from tests.kafka.broker import TansuBroker

OPEN = {"title": "Bench", "scope": "customer", "source": "email", "severity": "SEV3"}


def add_notes(count: int) -> Any:
    def action(escalation: Any, *, at: Any) -> None:
        for i in range(count):
            escalation.add_note(actor="bench", at=at, text=f"note {i}")

    return action


def fill(container: Container, events: int, escalations: int, notes_per_command: int) -> int:
    app = container.app
    ids = [app.open(actor="bench", **OPEN).escalation_id for _ in range(escalations)]
    written = escalations
    turn = 0
    while written < events:
        app.execute(ids[turn % escalations], add_notes(notes_per_command))
        written += notes_per_command
        turn += 1
    return written


def throughput(container: Container, settings: KafkaSettings) -> tuple[int, float, float]:
    """Events published, wall seconds, and CPU seconds of this process (relay and producer
    threads; the broker runs in its own process), which is steadier on a busy machine."""
    relay = build_relay(container.app, settings)
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        published = relay.run_until_caught_up(timeout_s=600)
        return published, time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        relay.close()


def end_to_end_lag(
    container: Container, settings: KafkaSettings, rate: int, seconds: float
) -> list[float]:
    """Write `rate` commands/s for `seconds` with the relay live; lag of each event, in ms."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers,
        auto_offset_reset="latest",
        enable_auto_commit=False,
        fetch_max_wait_ms=10,
    )
    partitions = [
        TopicPartition(settings.events_topic, p)
        for p in consumer.partitions_for_topic(settings.events_topic) or {0}
    ]
    consumer.assign(partitions)
    consumer.seek_to_end()
    for partition in partitions:  # resolve "end" now, before anything new is published
        consumer.position(partition)
    relay = build_relay(container.app, settings)
    relay.position()
    # Only events written from here on count: the test broker's "latest" offset can point at
    # the start of the last batch, which would hand the consumer old events too.
    lag_phase_started = datetime.now(UTC)
    stop = threading.Event()
    relay_thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    relay_thread.start()
    app = container.app
    ids = [app.open(actor="bench", **OPEN).escalation_id for _ in range(20)]
    lags: list[float] = []
    expected = 20
    done_writing = threading.Event()

    def write() -> None:
        nonlocal expected
        interval = 1.0 / rate
        next_at = time.perf_counter()
        for i in range(int(rate * seconds)):
            app.execute(ids[i % len(ids)], add_notes(1))
            expected += 1
            next_at += interval
            time.sleep(max(0.0, next_at - time.perf_counter()))
        done_writing.set()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    deadline = time.monotonic() + seconds + 30
    while time.monotonic() < deadline and not (done_writing.is_set() and len(lags) >= expected):
        for records in consumer.poll(timeout_ms=50).values():
            received = datetime.now(UTC)
            for record in records:
                moment = datetime.fromisoformat(json.loads(record.value)["time"])
                if moment >= lag_phase_started:
                    lags.append((received - moment).total_seconds() * 1000)
    stop.set()
    relay_thread.join(timeout=10)
    consumer.close()
    return lags


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--rate", type=int, default=200, help="commands/s in the lag run")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    broker = TansuBroker()
    broker.start()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{directory}/bench.db"
        container = build(Settings(database_url=url))
        try:
            settings = KafkaSettings(
                bootstrap_servers=broker.bootstrap_servers, events_topic="bench.events"
            )
            t0 = time.perf_counter()
            stored = fill(container, args.events, escalations=200, notes_per_command=50)
            backend = url.split(":")[0]
            print(f"stored {stored} events in {time.perf_counter() - t0:.1f} s ({backend})")
            published, elapsed, cpu = throughput(container, settings)
            rate = published / elapsed
            verdict = "meets" if rate >= 10_000 else "MISSES"
            print(
                f"relay throughput: {published} events in {elapsed:.2f} s = {rate:,.0f} events/s "
                f"({verdict} the 10,000/s target); {published / cpu:,.0f} events per CPU second"
            )
            lags = end_to_end_lag(container, settings, args.rate, args.seconds)
            if lags:
                print(
                    f"end-to-end lag over {len(lags)} events at {args.rate} commands/s: "
                    f"p50 {statistics.median(lags):.1f} ms, p95 {percentile(lags, 0.95):.1f} ms,"
                    f" p99 {percentile(lags, 0.99):.1f} ms, max {max(lags):.1f} ms"
                )
            else:
                print("end-to-end lag: no events received")
        finally:
            container.close()
            broker.stop()


if __name__ == "__main__":
    main()
