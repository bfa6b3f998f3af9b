"""Every event of the catalogue is produced by its command, signed by the actor, stamped with the
command's time, and replays to the same state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import Application

from domain.escalation import EVENT_NAMES, Escalation
from tests.domain.support import Clock, drive_to, open_escalation, replay, state_of

# DESIGN.md section 4, family by family.
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
    ],
    "communicated": ["Communicated"],
    "resolved": ["Resolved", "Reopened", "FeedbackReceived", "Closed"],
    "post-mortem": ["PostMortemRecorded", "PostMortemPublished"],
}

ACTOR = "kofi.mensah"

# For each event: build an escalation where its command is allowed, and say how to run the command.
# The command returns the aggregate whose stream the event lands on.
Case = tuple[Escalation, Callable[[datetime], Escalation]]


def _investigating(clock: Clock) -> Escalation:
    return drive_to("investigating", clock)


def _with_criterion(clock: Clock) -> Escalation:
    escalation = _investigating(clock)
    escalation.define_exit_criteria(actor="maya", at=clock.tick(), criteria=["Sync lag < 1 min"])
    return escalation


def _resolved_with_postmortem(clock: Clock) -> Escalation:
    escalation = drive_to("resolved", clock)
    escalation.record_postmortem(
        actor="maya", at=clock.tick(), summary="Sync stalled", root_cause="Bad config push"
    )
    return escalation


def _privacy_request(clock: Clock) -> Escalation:
    return open_escalation(
        clock, source="privacy_request", privacy_regime="gdpr", title="Erase my account"
    )


def case_for(event: str, clock: Clock) -> Case:
    if event == "Acknowledged":
        e = open_escalation(clock)
        return e, lambda at: (e.acknowledge(actor=ACTOR, at=at), e)[1]
    if event == "SeverityChanged":
        e = open_escalation(clock)
        return e, lambda at: (
            e.change_severity(actor=ACTOR, at=at, severity="SEV1", reason="Spreading"),
            e,
        )[1]
    if event == "StatusChanged":
        e = open_escalation(clock)
        return e, lambda at: (e.change_status(actor=ACTOR, at=at, status="investigating"), e)[1]
    if event == "ImpactAssessed":
        e = open_escalation(clock, components=["Sync"])
        return e, lambda at: (
            e.assess_impact(
                actor=ACTOR,
                at=at,
                customers_affected=4200,
                accounts=["Acme"],
                regions=["eu-west"],
                revenue_at_risk=125000,
                components={"Sync": "major_outage"},
            ),
            e,
        )[1]
    if event == "OwnerAssigned":
        e = open_escalation(clock)
        return e, lambda at: (e.assign_owner(actor=ACTOR, at=at, owner="ana", team="cx"), e)[1]
    if event == "ParticipantJoined":
        e = open_escalation(clock)
        return e, lambda at: (
            e.add_participant(actor=ACTOR, at=at, name="raj", role="scribe", team="engineering"),
            e,
        )[1]
    if event == "ParticipantLeft":
        e = open_escalation(clock)
        e.add_participant(actor="maya", at=clock.tick(), name="raj", role="scribe", team="cx")
        return e, lambda at: (e.remove_participant(actor=ACTOR, at=at, name="raj"), e)[1]
    if event == "NoteAdded":
        e = open_escalation(clock)
        return e, lambda at: (e.add_note(actor=ACTOR, at=at, text="Vendor is looking"), e)[1]
    if event == "ExitCriteriaDefined":
        e = _investigating(clock)
        return e, lambda at: (
            e.define_exit_criteria(actor=ACTOR, at=at, criteria=["Error rate normal"]),
            e,
        )[1]
    if event == "ExitCriterionMet":
        e = _with_criterion(clock)
        return e, lambda at: (
            e.meet_exit_criterion(actor=ACTOR, at=at, criterion_id="ec1", evidence="Graph"),
            e,
        )[1]
    if event == "DeescalationPlanned":
        e = _investigating(clock)
        return e, lambda at: (
            e.plan_deescalation(actor=ACTOR, at=at, strategy="Roll back", steps=["Freeze"]),
            e,
        )[1]
    if event == "ActionItemAdded":
        e = _investigating(clock)
        return e, lambda at: (
            e.add_action_item(
                actor=ACTOR,
                at=at,
                description="Add a canary",
                owner="raj",
                kind="prevent",
                phase="postmortem",
                due_at=at + timedelta(days=7),
            ),
            e,
        )[1]
    if event == "ActionItemCompleted":
        e = _investigating(clock)
        e.add_action_item(
            actor="maya", at=clock.tick(), description="Fix", owner="raj", kind="mitigate"
        )
        return e, lambda at: (e.complete_action_item(actor=ACTOR, at=at, action_id="a1"), e)[1]
    if event in ("CaseLinked", "LinkedToEscalation"):
        incident = open_escalation(clock, scope="global", severity="SEV1")
        case = open_escalation(clock)

        def link(at: datetime) -> Escalation:
            incident.link_case(case, actor=ACTOR, at=at)
            return incident if event == "CaseLinked" else case

        return (incident if event == "CaseLinked" else case), link
    if event == "SlaBreached":
        e = open_escalation(clock)
        due = clock.now + timedelta(seconds=30)
        return e, lambda at: (
            e.record_sla_breach(actor=ACTOR, at=at, target="first_response", due_at=due),
            e,
        )[1]
    if event == "DeadlineExtended":
        e = _privacy_request(clock)
        return e, lambda at: (
            e.extend_deadline(
                actor=ACTOR,
                at=at,
                new_deadline=e.deadline + timedelta(days=30),
                reason="Many linked accounts",
                notice="Letter sent to the requester",
            ),
            e,
        )[1]
    if event == "Dismissed":
        e = open_escalation(clock)
        return e, lambda at: (e.dismiss(actor=ACTOR, at=at, reason="spam"), e)[1]
    if event == "Communicated":
        e = open_escalation(clock)
        return e, lambda at: (
            e.communicate(
                actor=ACTOR,
                at=at,
                audience="public",
                channel="status_page",
                body="We are investigating",
                next_update_due=at + timedelta(minutes=30),
            ),
            e,
        )[1]
    if event == "Resolved":
        e = _investigating(clock)
        return e, lambda at: (e.resolve(actor=ACTOR, at=at, summary="Rolled back"), e)[1]
    if event == "Reopened":
        e = drive_to("resolved", clock)
        return e, lambda at: (e.reopen(actor=ACTOR, at=at, reason="It came back"), e)[1]
    if event == "FeedbackReceived":
        e = drive_to("resolved", clock)
        return e, lambda at: (e.receive_feedback(actor=ACTOR, at=at, csat=4, nps=9), e)[1]
    if event == "Closed":
        e = drive_to("resolved", clock)
        return e, lambda at: (e.close(actor=ACTOR, at=at), e)[1]
    if event == "PostMortemRecorded":
        e = drive_to("resolved", clock)
        return e, lambda at: (
            e.record_postmortem(
                actor=ACTOR,
                at=at,
                summary="Sync stalled",
                root_cause="Bad config push",
                five_whys=["Why 1", "Why 2"],
                went_well=["Fast detection"],
            ),
            e,
        )[1]
    if event == "PostMortemPublished":
        e = _resolved_with_postmortem(clock)
        return e, lambda at: (e.publish_postmortem(actor=ACTOR, at=at), e)[1]
    raise AssertionError(f"no case for {event}")


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


@pytest.mark.parametrize("event", [e for e in EVENT_NAMES if e != "Opened"])
def test_each_command_records_its_event_with_actor_and_time(event: str) -> None:
    clock = Clock()
    _, run = case_for(event, clock)
    # A time in another zone: the event must carry the same instant, expressed in UTC.
    at = (clock.now + timedelta(minutes=5)).astimezone(timezone(timedelta(hours=-5)))

    stream = run(at)

    recorded = stream.pending_events[-1]
    assert type(recorded).__name__ == event
    assert recorded.actor == ACTOR
    assert recorded.timestamp == at
    assert recorded.timestamp.tzinfo is not None
    assert recorded.timestamp.utcoffset() == timedelta(0)
    assert recorded.originator_id == stream.id
    assert recorded.originator_version == stream.version
    assert stream.modified_on == at


@pytest.mark.parametrize("event", [e for e in EVENT_NAMES if e != "Opened"])
def test_replaying_the_events_gives_the_same_state(event: str) -> None:
    clock = Clock()
    _, run = case_for(event, clock)

    stream = run(clock.tick())

    rebuilt = replay(list(stream.pending_events))
    assert state_of(rebuilt) == state_of(stream)


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
    )
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


def test_every_event_of_a_lifecycle_is_signed_and_in_time_order() -> None:
    incident, _ = _full_lifecycle(Clock())
    events: list[Any] = list(incident.pending_events)

    # The outage is never dismissed, has no deadline, and is the target (not the case) of the link.
    absent = {"Dismissed", "DeadlineExtended", "LinkedToEscalation"}
    assert {type(e).__name__ for e in events} == set(EVENT_NAMES) - absent
    assert all(e.actor for e in events)
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
