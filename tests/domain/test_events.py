"""Every event of the catalogue is produced by its command, signed by the actor, stamped with the
command's time, and replays to the same state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import Application

from domain.escalation import EVENT_NAMES, Escalation
from tests.domain.ready import READY
from tests.domain.support import Clock, open_escalation, replay, state_of

# The event catalogue, family by family (docs/domain.md).
CATALOGUE = {
    "opened": ["Opened"],
    "updated": [
        "Acknowledged",
        "SeverityChanged",
        "StatusChanged",
        "ImpactAssessed",
        "OwnerAssigned",
        "ParticipantJoined",
        "ParticipantLeft",
        "NoteAdded",
        "ExitCriteriaDefined",
        "ExitCriterionMet",
        "DeescalationPlanned",
        "ActionItemAdded",
        "ActionItemCompleted",
        "CaseLinked",
        "LinkedToEscalation",
        "SlaBreached",
        "DeadlineExtended",
        "Dismissed",
        "CustomerDataErased",
    ],
    "communicated": ["Communicated", "CommunicationDelivered"],
    "resolved": ["Resolved", "Reopened", "FeedbackReceived", "Closed"],
    "post-mortem": ["PostMortemRecorded", "PostMortemPublished"],
}

ACTOR = "kofi.mensah"


def test_the_aggregate_defines_exactly_the_catalogue_of_the_design() -> None:
    catalogue = [name for names in CATALOGUE.values() for name in names]
    assert sorted(EVENT_NAMES) == sorted(catalogue)
    assert len(catalogue) == len(set(catalogue))


def test_opening_records_opened_with_the_actor_and_the_time_in_utc() -> None:
    at = datetime(2026, 3, 2, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    escalation = open_escalation(at=at, actor=ACTOR)

    [opened] = escalation.pending_events
    assert type(opened).__name__ == "Opened"
    assert opened.actor == ACTOR
    assert opened.timestamp == at
    assert opened.timestamp.utcoffset() == timedelta(0)
    assert escalation.status == "triage"
    assert escalation.opened_by == ACTOR
    assert escalation.created_on == at


def test_every_event_but_opened_has_a_ready_command() -> None:
    assert sorted(READY) == sorted(set(EVENT_NAMES) - {"Opened"})


@pytest.mark.parametrize("event", sorted(READY))
def test_each_command_records_its_event_with_actor_and_time(event: str) -> None:
    clock = Clock()
    command = READY[event](clock)
    counts = [len(e.pending_events) for e in command.touched]
    # A time in another zone: the event must carry the same instant, expressed in UTC.
    at = (clock.now + timedelta(minutes=5)).astimezone(timezone(timedelta(hours=-5)))

    command.run(ACTOR, at)

    stream = command.stream
    recorded = stream.pending_events[-1]
    assert type(recorded).__name__ == event
    assert recorded.actor == ACTOR
    assert recorded.timestamp == at
    assert recorded.timestamp.tzinfo is not None
    assert recorded.timestamp.utcoffset() == timedelta(0)
    assert recorded.originator_id == stream.id
    assert recorded.originator_version == stream.version
    assert stream.modified_on == at
    added = [len(e.pending_events) - n for e, n in zip(command.touched, counts, strict=True)]
    assert added == [1] * len(command.touched), "one event on each stream the command touches"


@pytest.mark.parametrize("event", sorted(READY))
def test_replaying_the_events_gives_the_same_state(event: str) -> None:
    clock = Clock()
    command = READY[event](clock)

    command.run(ACTOR, clock.tick())

    for stream in command.touched:
        assert state_of(replay(list(stream.pending_events))) == state_of(stream)


def test_linking_records_the_link_on_both_streams() -> None:
    clock = Clock()
    incident = open_escalation(clock, scope="global", severity="SEV1")
    case = open_escalation(clock)
    at = clock.tick()

    incident.link_case(case, actor=ACTOR, at=at)

    assert type(incident.pending_events[-1]).__name__ == "CaseLinked"
    assert type(case.pending_events[-1]).__name__ == "LinkedToEscalation"
    assert incident.linked_cases == [str(case.id)]
    assert case.linked_to == str(incident.id)
    assert incident.pending_events[-1].timestamp == case.pending_events[-1].timestamp == at


def _full_lifecycle(clock: Clock) -> tuple[Escalation, Escalation]:
    """A SEV1 global outage through its whole life (reopened once), and a linked customer case."""
    incident = open_escalation(
        clock, scope="global", severity="SEV2", source="tools_outage", components=["Sync"]
    )
    case = open_escalation(clock, customer={"subject_id": "s-1", "email": "jo@example.com"})
    incident.acknowledge(actor="maya", at=clock.tick())
    incident.change_severity(actor="maya", at=clock.tick(), severity="SEV1", reason="Global")
    incident.change_status(actor="maya", at=clock.tick(), status="investigating")
    incident.assess_impact(
        actor="maya",
        at=clock.tick(),
        customers_affected=50_000,
        components={"Sync": "major_outage"},
    )
    incident.assign_owner(actor="maya", at=clock.tick(), owner="ana", team="cx")
    incident.add_participant(actor="ana", at=clock.tick(), name="raj", role="scribe", team="cx")
    incident.add_participant(
        actor="ana", at=clock.tick(), name="lee", role="observer", team="sales"
    )
    incident.remove_participant(actor="ana", at=clock.tick(), name="lee", reason="Not needed")
    incident.add_note(actor="raj", at=clock.tick(), text="Config push at 08:55")
    incident.define_exit_criteria(actor="ana", at=clock.tick(), criteria=["Lag < 1 min", "No 5xx"])
    incident.plan_deescalation(actor="ana", at=clock.tick(), strategy="Roll back then watch")
    incident.add_action_item(
        actor="ana", at=clock.tick(), description="Roll back", owner="raj", kind="mitigate"
    )
    incident.complete_action_item(actor="raj", at=clock.tick(), action_id="a1")
    incident.link_case(case, actor="ana", at=clock.tick())
    incident.record_sla_breach(
        actor="sla-watch", at=clock.tick(), target="update:c1", due_at=clock.now - timedelta(1)
    )
    incident.communicate(
        actor="ana",
        at=clock.tick(),
        audience="executive",
        channel="email",
        body="Rolling back",
        next_update_due=clock.now + timedelta(hours=1),
        deliver=True,
    )
    incident.record_delivery(
        actor="delivery", at=clock.tick(), communication_id="c1", round=1, recipients=2, sent=2,
        failed=0,
    )  # fmt: skip
    incident.meet_exit_criterion(actor="raj", at=clock.tick(), criterion_id="ec1")
    incident.resolve(
        actor="ana", at=clock.tick(), summary="Rolled back", override_reason="5xx is a CDN issue"
    )
    incident.reopen(actor="ana", at=clock.tick(), reason="Lag is back")
    incident.meet_exit_criterion(actor="raj", at=clock.tick(), criterion_id="ec2")
    incident.resolve(actor="ana", at=clock.tick(), summary="Rolled back again")
    incident.record_postmortem(
        actor="ana", at=clock.tick(), summary="Sync stalled", root_cause="Config push"
    )
    incident.record_postmortem(
        actor="ana", at=clock.tick(), summary="Sync stalled twice", root_cause="Config push"
    )
    incident.publish_postmortem(actor="ana", at=clock.tick())
    incident.receive_feedback(actor="survey", at=clock.tick(), csat=5)
    incident.close(actor="ana", at=clock.tick())
    return incident, case


def test_a_full_lifecycle_replays_to_the_same_state() -> None:
    incident, case = _full_lifecycle(Clock())

    assert state_of(replay(list(incident.pending_events))) == state_of(incident)
    assert state_of(replay(list(case.pending_events))) == state_of(case)
    assert incident.status == "closed"
    assert incident.reopen_count == 1
    assert incident.postmortem is not None and incident.postmortem["revision"] == 2
    assert incident.resolution is not None and incident.resolution["overridden_criteria"] == []


class _Store(Application[UUID]):
    """An in-memory application: the events go through the mapper and transcoder and back."""


def test_events_survive_storage_and_reload_unchanged() -> None:
    incident, case = _full_lifecycle(Clock())
    privacy = open_escalation(
        Clock(), source="privacy_request", privacy_regime="ccpa", title="Do not sell my data"
    )
    store = _Store(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})

    store.save(incident, case, privacy)

    for original in (incident, case, privacy):
        reloaded = store.repository.get(original.id)
        assert state_of(reloaded) == state_of(original)
        assert reloaded.modified_on.tzinfo is not None
    reloaded_privacy = store.repository.get(privacy.id)
    assert reloaded_privacy.deadline == privacy.deadline
    assert reloaded_privacy.privacy is not None
    assert reloaded_privacy.privacy["acknowledge_by"] == datetime(2026, 3, 16, 9, tzinfo=UTC)


class _SnapshottingStore(Application[UUID]):
    snapshotting_intervals = {Escalation: 1000}  # snapshots only when the test asks for one


def test_a_snapshot_restores_the_same_state() -> None:
    # State is kept JSON-friendly so that snapshots (taken every N events in production) round-trip.
    incident, _ = _full_lifecycle(Clock())
    privacy = open_escalation(
        Clock(), source="privacy_request", privacy_regime="gdpr", title="Erase my data"
    )
    store = _SnapshottingStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    store.save(incident, privacy)

    for original in (incident, privacy):
        store.take_snapshot(original.id)
        assert store.snapshots is not None
        [snap] = list(store.snapshots.get(original.id))
        assert snap.originator_version == original.version
        assert state_of(store.repository.get(original.id)) == state_of(original)


def test_every_event_of_a_lifecycle_is_signed_and_in_time_order() -> None:
    incident, _ = _full_lifecycle(Clock())
    events: list[Any] = list(incident.pending_events)

    # The outage is never dismissed, has no deadline, and is the target (not the case) of the link.
    # It holds no customer data either, so nothing of it is erased.
    absent = {"Dismissed", "DeadlineExtended", "LinkedToEscalation", "CustomerDataErased"}
    assert {type(e).__name__ for e in events} == set(EVENT_NAMES) - absent
    assert all(e.actor for e in events)
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
