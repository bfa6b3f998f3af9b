"""Pure parts of the adapters: the CloudEvents mapping, key partitioning, backoff."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime

import pytest
from kafka.partitioner.default import DefaultPartitioner
from tenacity import RetryCallState

from adapters.kafka.backoff import reconnecting
from adapters.kafka.cloudevents import strip_personal_data, to_cloudevent
from adapters.kafka.relay import KeyHashPartitioner
from tests.kafka.fakes import FakeCluster

RECORD = {
    "type": "Opened",
    "escalation_id": "e-1",
    "version": 1,
    "actor": "cx",
    "timestamp": "2026-11-23T10:00:00+01:00",
    "data": {"title": "t"},
}


def test_every_customer_object_keeps_only_its_subject_id_wherever_it_is() -> None:
    data = {
        "customer": {"subject_id": "s1", "name": "Ada", "email": "ada@example.com"},
        "nested": {"customers": [{"subject_id": "s2", "phone": "+1 555"}, None]},
        "requester": "Ada Example",
        "title": "Ada's invoice",
    }
    assert strip_personal_data(data) == {
        "customer": {"subject_id": "s1"},
        "nested": {"customers": [{"subject_id": "s2"}, None]},
        "requester": None,
        "title": "Ada's invoice",
    }


def test_the_cloudevent_id_is_stable_and_time_is_utc() -> None:
    first, again = to_cloudevent(RECORD), to_cloudevent(dict(RECORD))
    assert first == again
    assert first["id"] == "e-1:1"
    assert first["time"] == "2026-11-23T09:00:00Z"
    assert first["type"] == "escalations.escalation.Opened.v1"
    assert to_cloudevent(RECORD, type_version=2)["type"] == "escalations.escalation.Opened.v2"


def test_a_naive_timestamp_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        to_cloudevent({**RECORD, "timestamp": datetime(2026, 11, 23, 10, 0)})


@pytest.mark.parametrize("partitions", [1, 4, 12, 48])
def test_key_partitioning_is_the_one_every_kafka_client_uses(partitions: int) -> None:
    cluster = FakeCluster(partitions)
    keys = [str(uuid.uuid4()).encode() for _ in range(300)]
    ours = [KeyHashPartitioner().partition("t", None, k, None, None, cluster) for k in keys]
    default = [DefaultPartitioner().partition("t", None, k, None, None, cluster) for k in keys]
    assert ours == default
    assert len(set(ours)) > partitions // 2, "escalations spread over the partitions"


class Backoff:
    """The relay's reconnect waits, one failed round after another, as its policy computes them."""

    def __init__(self, initial_s: float, max_s: float) -> None:
        self.policy = reconnecting(initial_s, max_s, threading.Event(), on_failure=print)
        self.reset()

    def next_delay(self) -> float:
        self.state.attempt_number += 1
        return float(self.policy.wait(self.state))

    def reset(self) -> None:
        self.state = RetryCallState(self.policy, fn=None, args=(), kwargs={})
        self.state.attempt_number = 0


def test_backoff_grows_to_its_cap_and_starts_again_after_a_success() -> None:
    backoff = Backoff(initial_s=0.1, max_s=2.0)
    delays = [backoff.next_delay() for _ in range(10)]
    assert all(0.05 <= d <= 2.0 for d in delays)
    assert max(delays[6:]) > 1.0
    backoff.reset()
    assert backoff.next_delay() <= 0.1
