from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from adapters.kafka.relay import Relay
from tests.kafka.broker import TansuBroker, free_port
from tests.kafka.fakes import Tickets, make_relay, write_history
from tests.kafka.reading import TopicReader, first_seen_per_key, has_ids, stored_stream


@pytest.fixture
def new_relay(tickets: Tickets, broker: TansuBroker, topics: dict[str, str]) -> Callable[[], Relay]:
    """Relays over the test's store and onto its events topic, each as a fresh process would."""
    return lambda: make_relay(tickets, broker.bootstrap_servers, topics["events"])


@pytest.fixture
def reader(broker: TansuBroker, topics: dict[str, str]) -> Iterator[TopicReader]:
    topic_reader = TopicReader(broker.bootstrap_servers, topics["events"])
    yield topic_reader
    topic_reader.close()


def test_every_stored_event_arrives_and_each_escalation_keeps_its_stream_order(
    tickets: Tickets, new_relay: Callable[[], Relay], reader: TopicReader
) -> None:
    write_history(tickets, escalations=12, notes_each=25)
    relay = new_relay()

    published = relay.run_until_caught_up()

    expected = stored_stream(tickets)
    expected_ids = {i for ids in expected.values() for i in ids}
    documents = reader.wait_for(has_ids(expected_ids))
    assert published == len(expected_ids) == 12 * 26
    assert {d["id"] for d in documents} == expected_ids
    assert first_seen_per_key(documents) == expected


def test_idempotency_records_sharing_the_store_are_not_published(
    tickets: Tickets, new_relay: Callable[[], Relay], reader: TopicReader
) -> None:
    write_history(tickets, escalations=3, notes_each=0)
    head = tickets.recorder.max_notification_id()
    relay = new_relay()

    relay.run_until_caught_up()

    documents = reader.wait_for(lambda docs: len(docs) >= 3)
    assert head == 6, "three tickets and three idempotency records are stored"
    assert len(documents) == 3
    assert {d["type"] for d in documents} == {"escalations.escalation.Opened.v1"}
    assert relay.position() == head


def test_position_does_not_advance_while_the_broker_is_unreachable(
    tickets: Tickets, topics: dict[str, str]
) -> None:
    write_history(tickets, escalations=2, notes_each=3)
    nowhere = f"127.0.0.1:{free_port()}"
    relay = make_relay(
        tickets, nowhere, topics["events"], request_timeout_ms=500, delivery_timeout_ms=1000
    )
    relay.producer_options.update(bootstrap_timeout_ms=1000, max_block_ms=1000)

    with pytest.raises(Exception):  # noqa: B017 - any client error will do, the point is below
        relay.publish_round(threading.Event())

    positions = tickets.factory.tracking_recorder()
    assert positions.max_tracking_id(relay.config.position_name) is None
    relay.close()


def test_the_relay_resumes_from_its_tracked_position_in_a_new_process(
    tickets: Tickets, new_relay: Callable[[], Relay], reader: TopicReader
) -> None:
    write_history(tickets, escalations=4, notes_each=4)
    first = new_relay()
    first.run_until_caught_up()
    first.close()
    first_ids = {d["id"] for d in reader.wait_for(lambda docs: len(docs) >= 20)}
    write_history_more = tickets.open("later ticket")
    tickets.add_notes(write_history_more, ["after the restart"])

    second = new_relay()
    assert second.position() == first.position()
    assert second.run_until_caught_up() == 2

    expected = stored_stream(tickets)
    documents = reader.wait_for(has_ids({i for ids in expected.values() for i in ids}))
    assert len(first_ids) == 20
    assert len(documents) == 22, "nothing published twice after a clean stop"
    assert first_seen_per_key(documents) == expected
