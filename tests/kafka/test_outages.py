"""The relay across outages: the broker unreachable mid-stream, the broker process restarted with
its memory lost, and the relay process killed with -9 in the middle of a round."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka.errors import KafkaTimeoutError

from tests.kafka.broker import TansuBroker, free_port
from tests.kafka.fakes import Tickets, make_relay, write_history
from tests.kafka.proxy import CuttableProxy
from tests.kafka.reading import TopicReader, first_seen_per_key, has_ids, stored_stream

ROOT = Path(__file__).resolve().parents[2]
FAST_FAILING = {"request_timeout_ms": 1000, "delivery_timeout_ms": 2000}


def all_ids(streams: dict[str, list[str]]) -> set[str]:
    return {i for ids in streams.values() for i in ids}


def live_producer_threads() -> int:
    return sum(
        t.name == "escalations-network-thread" and t.is_alive() for t in threading.enumerate()
    )


def wait_until(condition, timeout_s: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def proxied_broker() -> Iterator[tuple[TansuBroker, CuttableProxy]]:
    proxy_port = free_port()
    tansu = TansuBroker(advertised_port=proxy_port)
    tansu.start()
    proxy = CuttableProxy(proxy_port, tansu.port)
    yield tansu, proxy
    proxy.close()
    tansu.stop()


def test_broker_unreachable_mid_stream_loses_nothing_and_keeps_order(
    tickets: Tickets, proxied_broker: tuple[TansuBroker, CuttableProxy], topics: dict[str, str]
) -> None:
    broker, proxy = proxied_broker
    relay = make_relay(
        tickets, broker.bootstrap_servers, topics["events"], relay_batch_size=50, **FAST_FAILING
    )
    reader = TopicReader(broker.bootstrap_servers, topics["events"])
    stop = threading.Event()
    relay_thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    relay_thread.start()
    stored_during_outage = 0
    try:
        for number in range(30):
            ticket_id = tickets.open(f"ticket {number}")
            tickets.add_notes(ticket_id, [f"note {i}" for i in range(10)])
            if number == 10:
                wait_until(lambda: relay.stats.published > 0, 20, "the relay to publish")
                proxy.cut()
                before = tickets.recorder.max_notification_id()
            if number == 20:
                # The API keeps accepting commands while the broker is away.
                stored_during_outage = (tickets.recorder.max_notification_id() or 0) - before
                wait_until(lambda: relay.stats.failures > 0, 30, "the relay to notice the outage")
                proxy.restore()
        head = tickets.recorder.max_notification_id()
        wait_until(lambda: relay.position() == head, 60, "the relay to catch up")
        expected = stored_stream(tickets)
        documents = reader.wait_for(has_ids(all_ids(expected)))
    finally:
        stop.set()
        relay_thread.join(timeout=10)
        reader.close()

    assert stored_during_outage > 0
    assert relay.stats.failures > 0
    assert {d["id"] for d in documents} == all_ids(expected)
    assert first_seen_per_key(documents) == expected


def test_a_round_the_broker_never_acknowledged_leaves_no_producer_running(
    tickets: Tickets, proxied_broker: tuple[TansuBroker, CuttableProxy], topics: dict[str, str]
) -> None:
    broker, proxy = proxied_broker
    relay = make_relay(tickets, broker.bootstrap_servers, topics["events"], **FAST_FAILING)
    before = live_producer_threads()
    write_history(tickets, escalations=1, notes_each=1)
    relay.publish_round(threading.Event())
    with_producer = live_producer_threads()
    proxy.cut()
    write_history(tickets, escalations=1, notes_each=1, start=1)

    with pytest.raises(KafkaTimeoutError):
        relay.publish_round(threading.Event())
    relay.close()

    # Left running, kafka-python's sender would deliver the abandoned round once the broker is
    # back, next to the fresh producer that publishes it again.
    assert with_producer == before + 1
    assert live_producer_threads() == before


def test_broker_restarted_with_its_memory_lost_gets_everything_after_the_position(
    tickets: Tickets, private_broker: TansuBroker, topics: dict[str, str]
) -> None:
    relay = make_relay(tickets, private_broker.bootstrap_servers, topics["events"], **FAST_FAILING)
    stop = threading.Event()
    relay_thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    relay_thread.start()
    try:
        write_history(tickets, escalations=5, notes_each=9)
        before_restart = stored_stream(tickets)
        reader = TopicReader(private_broker.bootstrap_servers, topics["events"])
        consumed_before = reader.wait_for(has_ids(all_ids(before_restart)))
        reader.close()
        position_at_stop = relay.position()

        private_broker.stop()
        write_history(tickets, escalations=5, notes_each=9, start=5)
        failures_while_down = relay.stats.failures
        wait_until(
            lambda: relay.stats.failures > failures_while_down,
            30,
            "the relay to fail against the stopped broker",
        )
        position_while_down = relay.position()
        private_broker.start()

        head = tickets.recorder.max_notification_id()
        wait_until(lambda: relay.position() == head, 60, "the relay to catch up after restart")
        expected = stored_stream(tickets)
        after_restart = TopicReader(private_broker.bootstrap_servers, topics["events"])
        missing = all_ids(expected) - {d["id"] for d in consumed_before}
        consumed_after = after_restart.wait_for(has_ids(missing))
        after_restart.close()
    finally:
        stop.set()
        relay_thread.join(timeout=10)

    assert position_while_down == position_at_stop, "no position advance without acks"
    documents = consumed_before + consumed_after
    assert {d["id"] for d in documents} == all_ids(expected)
    assert first_seen_per_key(documents) == expected


def test_relay_killed_mid_round_resumes_from_its_tracked_position(
    tickets: Tickets, store_env: dict[str, str], broker: TansuBroker, topics: dict[str, str]
) -> None:
    write_history(tickets, escalations=40, notes_each=120)
    head = tickets.recorder.max_notification_id()
    positions = tickets.factory.tracking_recorder()
    name = f"kafka-relay:{topics['events']}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.kafka.relay_process",
            json.dumps(store_env),
            broker.bootstrap_servers,
            topics["events"],
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        wait_until(
            lambda: (positions.max_tracking_id(name) or 0) > 0,
            60,
            "the relay process to publish a first round",
        )
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    position_at_kill = positions.max_tracking_id(name) or 0

    reader = TopicReader(broker.bootstrap_servers, topics["events"])
    resumed = make_relay(tickets, broker.bootstrap_servers, topics["events"])
    try:
        assert resumed.position() == position_at_kill
        resumed.run_until_caught_up()
        expected = stored_stream(tickets)
        documents = reader.wait_for(has_ids(all_ids(expected)))
    finally:
        resumed.close()
        reader.close()

    assert 0 < position_at_kill < head, "killed mid-stream"
    assert {d["id"] for d in documents} == all_ids(expected)
    assert first_seen_per_key(documents) == expected
