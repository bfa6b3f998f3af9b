"""For each event, an escalation in which its command succeeds, and that command with the actor and
time left open. Tests use it to check what every command records, and what every command refuses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.escalation import Escalation
from tests.domain.support import Clock, drive_to, open_escalation


@dataclass
class Ready:
    stream: Escalation  # the stream the event lands on
    command: str  # the command's name, as in the use cases: the Escalation method it calls
    arguments: dict[str, Any] = field(default_factory=dict)  # all but the actor and the time
    touched: list[Escalation] = field(default_factory=list)  # every stream the command writes to
    on: Escalation | None = None  # the escalation it runs on, when the event lands elsewhere
    others: list[Escalation] = field(default_factory=list)  # further escalations it takes

    def __post_init__(self) -> None:
        self.touched = self.touched or [self.stream]

    def run(self, actor: str, at: datetime) -> object:
        """The command, given an actor and a time."""
        method = getattr(self.on or self.stream, self.command)
        return method(*self.others, actor=actor, at=at, **self.arguments)


READY: dict[str, Callable[[Clock], Ready]] = {}

ALLOWED_WHEN_FINAL = {"CustomerDataErased", "CommunicationDelivered"}
"""Commands accepted in any status: erasure does not wait for a case to be open (the law), and a
delivery that ends after the case closed is still reported."""


def ready(event: str) -> Callable[[Callable[[Clock], Ready]], Callable[[Clock], Ready]]:
    def register(build: Callable[[Clock], Ready]) -> Callable[[Clock], Ready]:
        READY[event] = build
        return build

    return register


@ready("Acknowledged")
def _acknowledged(clock: Clock) -> Ready:
    e = open_escalation(clock)
    return Ready(e, "acknowledge")


@ready("SeverityChanged")
def _severity_changed(clock: Clock) -> Ready:
    e = open_escalation(clock)
    return Ready(
        e,
        "change_severity",
        dict(severity="SEV1", reason="Spreading"),
    )


@ready("StatusChanged")
def _status_changed(clock: Clock) -> Ready:
    e = open_escalation(clock)
    return Ready(e, "change_status", dict(status="investigating"))


@ready("ImpactAssessed")
def _impact_assessed(clock: Clock) -> Ready:
    e = open_escalation(clock, components=["Sync"])
    return Ready(
        e,
        "assess_impact",
        dict(
            customers_affected=4200,
            accounts=["Acme"],
            regions=["eu-west"],
            revenue_at_risk=125000,
            components={"Sync": "major_outage"},
        ),
    )


@ready("OwnerAssigned")
def _owner_assigned(clock: Clock) -> Ready:
    e = open_escalation(clock)
    return Ready(e, "assign_owner", dict(owner="ana", team="cx"))


@ready("ParticipantJoined")
def _participant_joined(clock: Clock) -> Ready:
    e = open_escalation(clock)
    return Ready(
        e,
        "add_participant",
        dict(name="raj", role="scribe", team="engineering"),
    )


@ready("ParticipantLeft")
def _participant_left(clock: Clock) -> Ready:
    e = open_escalation(clock)
    e.add_participant(actor="maya", at=clock.tick(), name="raj", role="scribe", team="cx")
    return Ready(e, "remove_participant", dict(name="raj"))


@ready("NoteAdded")
def _note_added(clock: Clock) -> Ready:
    e = open_escalation(clock)
    return Ready(e, "add_note", dict(text="Vendor is looking"))


@ready("ExitCriteriaDefined")
def _exit_criteria_defined(clock: Clock) -> Ready:
    e = drive_to("investigating", clock)
    return Ready(
        e,
        "define_exit_criteria",
        dict(criteria=["Errors normal"]),
    )


@ready("ExitCriterionMet")
def _exit_criterion_met(clock: Clock) -> Ready:
    e = drive_to("investigating", clock)
    e.define_exit_criteria(actor="maya", at=clock.tick(), criteria=["Sync lag < 1 min"])
    return Ready(
        e,
        "meet_exit_criterion",
        dict(criterion_id="ec1", evidence="Graph"),
    )


@ready("DeescalationPlanned")
def _deescalation_planned(clock: Clock) -> Ready:
    e = drive_to("investigating", clock)
    return Ready(
        e,
        "plan_deescalation",
        dict(strategy="Roll back", steps=["Freeze"]),
    )


@ready("ActionItemAdded")
def _action_item_added(clock: Clock) -> Ready:
    e = drive_to("investigating", clock)
    return Ready(
        e,
        "add_action_item",
        dict(
            description="Add a canary",
            owner="raj",
            kind="prevent",
            phase="postmortem",
            due_at=clock.now + timedelta(days=7),
        ),
    )


@ready("ActionItemCompleted")
def _action_item_completed(clock: Clock) -> Ready:
    e = drive_to("investigating", clock)
    e.add_action_item(
        actor="maya", at=clock.tick(), description="Fix", owner="raj", kind="mitigate"
    )
    return Ready(e, "complete_action_item", dict(action_id="a1"))


def _link(clock: Clock, event_on_case: bool) -> Ready:
    incident = open_escalation(clock, scope="global", severity="SEV1")
    case = open_escalation(clock)
    return Ready(
        case if event_on_case else incident,
        "link_case",
        touched=[incident, case],
        on=incident,
        others=[case],
    )


@ready("CaseLinked")
def _case_linked(clock: Clock) -> Ready:
    return _link(clock, event_on_case=False)


@ready("LinkedToEscalation")
def _linked_to_escalation(clock: Clock) -> Ready:
    return _link(clock, event_on_case=True)


@ready("SlaBreached")
def _sla_breached(clock: Clock) -> Ready:
    e = open_escalation(clock)
    due = clock.now - timedelta(seconds=30)
    return Ready(
        e,
        "record_sla_breach",
        dict(target="first_response", due_at=due),
    )


@ready("DeadlineExtended")
def _deadline_extended(clock: Clock) -> Ready:
    e = open_escalation(
        clock, source="privacy_request", privacy_regime="gdpr", title="Erase my account"
    )
    assert e.deadline is not None
    later = e.deadline + timedelta(days=30)
    return Ready(
        e,
        "extend_deadline",
        dict(
            new_deadline=later,
            reason="Many linked accounts",
            notice="Letter sent to the requester",
        ),
    )


@ready("Dismissed")
def _dismissed(clock: Clock) -> Ready:
    e = open_escalation(clock)
    return Ready(e, "dismiss", dict(reason="spam"))


@ready("Communicated")
def _communicated(clock: Clock) -> Ready:
    e = open_escalation(clock)
    return Ready(
        e,
        "communicate",
        dict(
            audience="public",
            channel="status_page",
            body="We are investigating",
            next_update_due=clock.now + timedelta(days=1),
        ),
    )


@ready("CommunicationDelivered")
def _delivered(clock: Clock) -> Ready:
    e = open_escalation(clock)
    e.communicate(
        actor="tester", at=clock.tick(), audience="executive", channel="email",
        body="We are investigating", deliver=True,
    )  # fmt: skip
    return Ready(
        e,
        "record_delivery",
        dict(communication_id="c1", round=1, recipients=15, sent=14, failed=1,
             reasons={"mailbox unavailable": 1}),
    )  # fmt: skip


@ready("Resolved")
def _resolved(clock: Clock) -> Ready:
    e = drive_to("investigating", clock)
    return Ready(e, "resolve", dict(summary="Rolled back"))


@ready("Reopened")
def _reopened(clock: Clock) -> Ready:
    e = drive_to("resolved", clock)
    return Ready(e, "reopen", dict(reason="It came back"))


@ready("FeedbackReceived")
def _feedback_received(clock: Clock) -> Ready:
    e = drive_to("resolved", clock)
    return Ready(e, "receive_feedback", dict(csat=4, nps=9))


@ready("Closed")
def _closed(clock: Clock) -> Ready:
    e = drive_to("resolved", clock)
    return Ready(e, "close")


@ready("PostMortemRecorded")
def _postmortem_recorded(clock: Clock) -> Ready:
    e = drive_to("resolved", clock)
    return Ready(
        e,
        "record_postmortem",
        dict(
            summary="Sync stalled",
            root_cause="Bad config push",
            five_whys=["Why 1", "Why 2"],
            went_well=["Fast detection"],
        ),
    )


@ready("PostMortemPublished")
def _postmortem_published(clock: Clock) -> Ready:
    e = drive_to("resolved", clock)
    e.record_postmortem(
        actor="maya", at=clock.tick(), summary="Sync stalled", root_cause="Bad config push"
    )
    return Ready(e, "publish_postmortem")


@ready("CustomerDataErased")
def _customer_data_erased(clock: Clock) -> Ready:
    e = open_escalation(clock, customer={"subject_id": "s-42", "name": "Ada", "email": "a@x.io"})
    return Ready(e, "erase_customer_data", dict(subject_id="s-42"))
