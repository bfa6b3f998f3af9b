"""What the application must do on any event store. Subclassed once per backend, so a behaviour
that holds on SQLite and not on PostgreSQL is caught by construction."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.errors import RuleViolated
from domain.escalation import Escalation
from infra.application import (
    EscalationNotFound,
    Idempotency,
    IdempotencyKeyReused,
    StaleVersion,
)
from infra.bootstrap import Container, build
from infra.serialization import event_to_record
from infra.settings import Settings


def note(text: str, actor: str = "tester") -> Any:
    def action(escalation: Escalation, *, at: Any) -> dict[str, str]:
        return {"note_id": escalation.add_note(actor=actor, at=at, text=text)}

    return action


def add_notes(
    container: Container, clock: Any, escalation_id: UUID, texts: list[str], minutes: int = 1
) -> list[Any]:
    """One note per text, `minutes` apart; returns the time of each."""
    times = []
    for text in texts:
        times.append(clock.advance(minutes=minutes))
        container.app.execute(escalation_id, note(text))
    return times


class ApplicationBehaviour:
    """Not collected itself (no Test prefix); each backend's subclass provides `url`."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def container(self, url: str, clock: Any) -> Iterator[Container]:
        container = build(Settings(database_url=url, snapshot_interval=5), clock=clock)
        yield container
        container.close()

    def open_global(self, container: Container, **fields: Any) -> UUID:
        defaults: dict[str, Any] = {
            "title": "Sync outage",
            "scope": "global",
            "source": "tools_outage",
            "severity": "SEV1",
        }
        return container.app.open(actor="maria", **(defaults | fields)).escalation_id

    def test_events_are_stored_and_read_back_in_stream_order(self, container, clock):
        app = container.app
        escalation_id = self.open_global(container)
        add_notes(container, clock, escalation_id, [f"note {i}" for i in range(7)])
        events = [event_to_record(e) for e in app.stream(escalation_id)]
        assert [e["version"] for e in events] == list(range(1, 9))
        assert [e["type"] for e in events] == ["Opened"] + ["NoteAdded"] * 7
        assert [e["data"]["text"] for e in events[1:]] == [f"note {i}" for i in range(7)]
        assert all(e["timestamp"].endswith("Z") for e in events)

    def test_state_at_a_version_and_as_of_a_time_is_what_it_was_then(self, container, clock):
        app = container.app
        opened_at = clock.now
        escalation_id = self.open_global(container)
        # past two snapshots (interval 5)
        times = add_notes(container, clock, escalation_id, [f"n{i}" for i in range(12)], minutes=10)
        assert app.get(escalation_id).version == 13
        assert len(app.get(escalation_id, version=4).notes) == 3
        between = times[5] + timedelta(minutes=5)
        then = app.get_as_of(escalation_id, between)
        assert then.version == 7
        assert [n["text"] for n in then.notes] == [f"n{i}" for i in range(6)]
        assert app.get_as_of(escalation_id, times[-1] + timedelta(days=1)).version == 13
        assert app.get_as_of(escalation_id, opened_at).version == 1
        with pytest.raises(EscalationNotFound, match="did not exist yet"):
            app.get_as_of(escalation_id, opened_at - timedelta(seconds=1))

    def test_snapshots_are_taken_every_n_events_and_give_the_same_state(self, container, clock):
        app = container.app
        escalation_id = self.open_global(container)
        add_notes(container, clock, escalation_id, [f"n{i}" for i in range(11)])
        snapshots = list(app.snapshots.get(escalation_id))
        assert [s.originator_version for s in snapshots] == [5, 10]
        from_snapshot = app.get(escalation_id)
        events = list(app.events.get(escalation_id))
        rebuilt = None
        for event in events:
            rebuilt = event.mutate(rebuilt)
        assert rebuilt is not None
        assert rebuilt.notes == from_snapshot.notes
        assert rebuilt.version == from_snapshot.version == 12

    def test_unknown_escalation_is_not_found(self, container):
        with pytest.raises(EscalationNotFound):
            container.app.get(UUID(int=42))
        with pytest.raises(EscalationNotFound):
            container.app.stream(UUID(int=42))

    def test_two_writers_with_the_same_if_match_one_wins_and_one_is_stale(self, container, clock):
        app = container.app
        escalation_id = self.open_global(container)
        version = app.get(escalation_id).version
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def writer(name: str) -> None:
            def action(escalation: Escalation, *, at: Any) -> None:
                barrier.wait(timeout=10)  # both have loaded the same version before either saves
                escalation.add_note(actor=name, at=at, text=f"from {name}")

            try:
                app.execute(escalation_id, action, expected_version=version)
                outcomes.append("won")
            except StaleVersion as error:
                assert error.current == version + 1
                outcomes.append("stale")

        threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(outcomes) == ["stale", "won"]
        final = app.get(escalation_id)
        assert final.version == version + 1
        assert len(final.notes) == 1

    def test_many_threads_writing_with_retry_lose_no_event(self, container):
        app = container.app
        escalation_id = self.open_global(container)
        threads_count, per_thread = 6, 15
        acknowledged: list[str] = []
        lock = threading.Lock()

        def writer(worker: int) -> None:
            for i in range(per_thread):
                text = f"w{worker}-{i}"
                app.execute(escalation_id, note(text, actor=f"w{worker}"))
                with lock:
                    acknowledged.append(text)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        final = app.get(escalation_id)
        assert len(acknowledged) == threads_count * per_thread
        assert final.version == 1 + len(acknowledged)
        assert sorted(n["text"] for n in final.notes) == sorted(acknowledged)

    def test_a_retried_command_with_an_idempotency_key_is_applied_once_even_after_a_restart(
        self, url, clock
    ):
        first = build(Settings(database_url=url), clock=clock)
        escalation_id = self.open_global(first)
        key = Idempotency.for_request("retry-me", "POST /notes", {"text": "once"}, caller="t")
        result = first.app.execute(escalation_id, note("once"), idempotency=key)
        first.close()

        restarted = build(Settings(database_url=url), clock=clock)
        try:
            again = restarted.app.execute(escalation_id, note("once"), idempotency=key)
            assert again.replayed and not result.replayed
            assert (again.version, again.extra) == (result.version, result.extra)
            assert restarted.app.get(escalation_id).version == 2
            other_body = Idempotency.for_request(
                "retry-me", "POST /notes", {"text": "twice"}, caller="t"
            )
            with pytest.raises(IdempotencyKeyReused):
                restarted.app.execute(escalation_id, note("twice"), idempotency=other_body)
            assert restarted.app.get(escalation_id).version == 2
        finally:
            restarted.close()

    def test_opening_twice_with_one_idempotency_key_opens_one_escalation(self, container):
        key = Idempotency.for_request("open-1", "POST /escalations", {"title": "x"}, caller="t")
        fields = {"title": "x", "scope": "customer", "source": "email", "severity": "SEV4"}
        first = container.app.open(actor="a", idempotency=key, **fields)
        second = container.app.open(actor="a", idempotency=key, **fields)
        assert first.escalation_id == second.escalation_id
        assert second.replayed
        assert sum(1 for _ in container.app.notifications()) == 1

    def test_one_key_from_two_callers_is_two_keys(self, container):
        fields = {"title": "x", "scope": "customer", "source": "email", "severity": "SEV4"}
        mine, theirs = (
            Idempotency.for_request("crm-4711", "POST /escalations", fields, caller=caller)
            for caller in ("http:alice", "kafka:signal:crm")
        )
        first = container.app.open(actor="alice", idempotency=mine, **fields)
        other = container.app.open(actor="crm", idempotency=theirs, **fields)
        assert first.escalation_id != other.escalation_id and not other.replayed
        again = container.app.open(actor="crm", idempotency=theirs, **fields)
        assert again.replayed and again.escalation_id == other.escalation_id
        assert sum(1 for _ in container.app.notifications()) == 2

    def test_linking_records_the_link_on_both_streams_in_one_write(self, container, clock):
        app = container.app
        incident = self.open_global(container)
        case = self.open_global(container, scope="customer", source="vendor", severity="SEV2")
        clock.advance(minutes=1)

        def link(escalation: Escalation, other: Escalation, *, at: Any) -> None:
            escalation.link_case(other, actor="maria", at=at)

        result = app.execute(incident, link, also=[case])
        assert app.get(incident).linked_cases == [str(case)]
        assert app.get(case).linked_to == str(incident)
        assert result.version == 2
        with pytest.raises(RuleViolated, match="already linked"):
            app.execute(incident, link, also=[case])

    def test_notifications_hold_escalation_events_only_in_global_order(self, container, clock):
        app = container.app
        first = self.open_global(container)
        key = Idempotency.for_request("k", "s", {}, caller="t")
        app.execute(first, note("with a key"), idempotency=key)
        second = self.open_global(container)
        records = [
            event_to_record(app.mapper.to_domain_event(n), n.id) for n in app.notifications()
        ]
        assert [(r["escalation_id"], r["type"]) for r in records] == [
            (str(first), "Opened"),
            (str(first), "NoteAdded"),
            (str(second), "Opened"),
        ]
        positions = [r["position"] for r in records]
        assert positions == sorted(positions)
