"""Request and response bodies, one model per use case, with examples for the OpenAPI."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from domain import limits
from domain.values import (
    ActionKind,
    ActionPhase,
    Audience,
    Channel,
    DismissalReason,
    PrivacyRegime,
    PrivacyRequestType,
    Scope,
    Severity,
    Source,
    Status,
    Team,
)

ComponentImpact = Literal["degraded_performance", "partial_outage", "major_outage"]
Name = Field(min_length=1, max_length=limits.NAME_MAX)


def showing(*examples: dict[str, Any]) -> ConfigDict:
    """A command body's config with the examples the reference shows and Try it out sends; the
    rest of the config (unknown fields refused) comes from `Command`."""
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------- requests


class CustomerIn(Command):
    """The one place a person's data enters the system; kept apart so it can be erased."""

    subject_id: str | None = Field(
        default=None,
        max_length=limits.SUBJECT_ID_MAX,
        description="Stable id of the data subject; derived from the e-mail address when omitted.",
    )
    name: str | None = Field(default=None, max_length=limits.PERSONAL_FIELD_MAX)
    email: str | None = Field(default=None, max_length=limits.PERSONAL_FIELD_MAX)
    phone: str | None = Field(default=None, max_length=limits.PERSONAL_FIELD_MAX)
    account_id: str | None = Field(default=None, max_length=limits.PERSONAL_FIELD_MAX)


class EscalationOpen(Command):
    title: str = Field(min_length=1, max_length=limits.TITLE_MAX)
    description: str = Field(default="", max_length=limits.DESCRIPTION_MAX)
    scope: Scope
    source: Source
    severity: Severity
    customer: CustomerIn | None = None
    account: str | None = Field(default=None, max_length=limits.ACCOUNT_MAX)
    components: list[str] = Field(default_factory=list, max_length=limits.LIST_MAX)
    tags: list[str] = Field(default_factory=list, max_length=limits.LIST_MAX)
    received_at: AwareDatetime | None = Field(
        default=None,
        description="When the complaint or request arrived (starts legal clocks); defaults to now.",
    )
    external_ref: str | None = Field(default=None, max_length=limits.EXTERNAL_REF_MAX)
    privacy_regime: PrivacyRegime | None = None
    privacy_request_type: PrivacyRequestType | None = None
    deadline: AwareDatetime | None = None

    model_config = showing(
        {
            "title": "File sync failing for EU customers",
            "description": "Desktop clients stop syncing after the 14:00 deploy.",
            "scope": "global",
            "source": "tools_outage",
            "severity": "SEV1",
            "components": ["Sync", "Desktop app"],
            "tags": ["sync", "deploy"],
        },
        {
            "title": "Erase my data",
            "scope": "customer",
            "source": "privacy_request",
            "severity": "SEV3",
            "privacy_regime": "gdpr",
            "customer": {"name": "Jane Doe", "email": "jane@example.org"},
        },
    )


class Acknowledge(Command):
    pass


class SeverityChange(Command):
    severity: Severity
    reason: str = Field(
        min_length=1, max_length=limits.REASON_MAX, examples=["Spread to all EU accounts"]
    )


class StatusChange(Command):
    status: Literal["investigating", "identified", "monitoring"]
    reason: str = Field(default="", max_length=limits.REASON_MAX)


class ImpactAssessment(Command):
    customers_affected: int = Field(ge=0, le=limits.CUSTOMERS_AFFECTED_MAX, examples=[4200])
    accounts: list[str] = Field(
        default_factory=list, max_length=limits.LIST_MAX, examples=[["Acme Corp"]]
    )
    segments: list[str] = Field(
        default_factory=list, max_length=limits.LIST_MAX, examples=[["enterprise"]]
    )
    regions: list[str] = Field(default_factory=list, max_length=limits.LIST_MAX, examples=[["EU"]])
    revenue_at_risk: float = Field(
        default=0.0, ge=0, le=limits.REVENUE_AT_RISK_MAX, examples=[250000]
    )
    currency: str = Field(default="USD", pattern=rf"^[A-Za-z]{{{limits.CURRENCY_LENGTH}}}$")
    components: dict[str, ComponentImpact] | None = Field(
        default=None, examples=[{"Sync": "major_outage", "Sign-in": "degraded_performance"}]
    )
    summary: str = Field(default="", max_length=limits.DETAIL_MAX)


class OwnerAssignment(Command):
    owner: str = Name
    team: Team


class ParticipantAdd(Command):
    name: str = Name
    role: Literal["liaison", "scribe", "participant", "observer"]
    team: Team


class ParticipantRemove(Command):
    reason: str = Field(default="", max_length=limits.REASON_MAX)


class NoteAdd(Command):
    text: str = Field(min_length=1, max_length=limits.NOTE_MAX)


class ExitCriteriaDefine(Command):
    criteria: list[str] = Field(
        min_length=1,
        max_length=limits.LIST_MAX,
        examples=[["Error rate below 0.1% for 1 hour", "Backlog of failed syncs replayed"]],
    )


class ExitCriterionMeet(Command):
    evidence: str = Field(default="", max_length=limits.DETAIL_MAX)


class DeescalationPlan(Command):
    strategy: str = Field(min_length=1, max_length=limits.STRATEGY_MAX)
    steps: list[str] = Field(default_factory=list, max_length=limits.LIST_MAX)


class ActionItemAdd(Command):
    description: str = Field(min_length=1, max_length=limits.DETAIL_MAX)
    owner: str = Name
    kind: ActionKind
    phase: ActionPhase = ActionPhase.RESPONSE
    due_at: AwareDatetime | None = None

    # the moments in these examples are set when the reference is served (app._example_moments)
    model_config = showing(
        {
            "description": "Add an upload error-rate alert to the desktop client",
            "owner": "dev.patel",
            "kind": "prevent",
            "phase": "postmortem",
        }
    )


class ActionItemComplete(Command):
    note: str = Field(default="", max_length=limits.DETAIL_MAX)


class CaseLink(Command):
    case_id: UUID


class CommunicationSend(Command):
    audience: Audience
    channel: Channel
    body: str = Field(min_length=1, max_length=limits.COMMUNICATION_BODY_MAX)
    subject: str = Field(default="", max_length=limits.COMMUNICATION_SUBJECT_MAX)
    recipient_count: int = Field(default=0, ge=0, le=limits.RECIPIENT_COUNT_MAX)
    next_update_due: AwareDatetime | None = None
    deliver: bool = Field(
        default=False,
        description="Deliver it (channel email) to every distribution list of the audience; "
        "the answer says how many recipients are queued. Without it, the communication is "
        "recorded only.",
    )

    model_config = showing(
        {
            "audience": "public",
            "channel": "status_page",
            "subject": "Sync delays",
            "body": "We are investigating delays in file sync. Next update within 30 minutes.",
            # no next_update_due: a fixed moment is soon in the past, which the
            # command refuses; problems.document_in_openapi adds one relative to now
        }
    )


class Resolve(Command):
    summary: str = Field(min_length=1, max_length=limits.SUMMARY_MAX)
    override_reason: str = Field(
        default="",
        max_length=limits.REASON_MAX,
        description="Required when exit criteria are unmet: why they no longer apply.",
    )
    resolve_linked: bool | None = Field(
        default=None,
        description="For a global escalation: also resolve every linked case still open, each "
        "on its own stream, by the same actor, with this escalation as the reason (their unmet "
        "exit criteria are overridden with it). Omitted: as ESCALATIONS_LINKED_CASES_FOLLOW says "
        "(off by default). Sent again with the same Idempotency-Key, the follow completes any "
        "case a failure cut it short of.",
    )

    model_config = showing(
        {
            "summary": "Clients rolled back to 212.3; queued uploads replayed.",
            "override_reason": "Criteria written for the first rollout plan; the "
            "rollback made them moot",
            "resolve_linked": True,
        }
    )


class Reopen(Command):
    reason: str = Field(min_length=1, max_length=limits.REASON_MAX)
    next_update_due: AwareDatetime | None = Field(
        default=None,
        description="When the audiences get their next update. Omitted: the SLA policy's update "
        "cadence for the escalation's source and severity, from the reopen.",
    )


class PostMortemRecord(Command):
    summary: str = Field(min_length=1, max_length=limits.POSTMORTEM_TEXT_MAX)
    root_cause: str = Field(min_length=1, max_length=limits.POSTMORTEM_TEXT_MAX)
    impact: str = Field(default="", max_length=limits.POSTMORTEM_TEXT_MAX)
    root_cause_category: str = Field(
        default="", max_length=limits.CATEGORY_MAX, examples=["deploy"]
    )
    trigger: str = Field(default="", max_length=limits.POSTMORTEM_TEXT_MAX)
    contributing_factors: list[str] = Field(default_factory=list, max_length=limits.LIST_MAX)
    detection: str = Field(default="", max_length=limits.POSTMORTEM_TEXT_MAX)
    response: str = Field(default="", max_length=limits.POSTMORTEM_TEXT_MAX)
    recovery: str = Field(default="", max_length=limits.POSTMORTEM_TEXT_MAX)
    five_whys: list[str] = Field(default_factory=list, max_length=limits.FIVE_WHYS_MAX)
    went_well: list[str] = Field(default_factory=list, max_length=limits.LIST_MAX)
    went_wrong: list[str] = Field(default_factory=list, max_length=limits.LIST_MAX)
    where_we_got_lucky: list[str] = Field(default_factory=list, max_length=limits.LIST_MAX)


class PostMortemPublish(Command):
    pass


class Feedback(Command):
    csat: int | None = Field(default=None, ge=limits.CSAT_MIN, le=limits.CSAT_MAX)
    nps: int | None = Field(default=None, ge=limits.NPS_MIN, le=limits.NPS_MAX)
    comment: str = Field(default="", max_length=limits.DETAIL_MAX)

    model_config = showing({"csat": 5, "nps": 9, "comment": "Clear updates, fixed the same day"})


class Close(Command):
    reason: str = Field(default="", max_length=limits.REASON_MAX)


class Dismiss(Command):
    reason: DismissalReason
    note: str = Field(default="", max_length=limits.REASON_MAX)
    duplicate_of: UUID | None = None

    model_config = showing({"reason": "spam", "note": "Bulk marketing mail"})


class DeadlineExtension(Command):
    new_deadline: AwareDatetime
    reason: str = Field(min_length=1, max_length=limits.REASON_MAX)
    notice: str = Field(
        min_length=1,
        max_length=limits.REASON_MAX,
        description="How and when the requester was told.",
    )

    # the moments in these examples are set when the reference is served (app._example_moments)
    model_config = showing(
        {
            "reason": "The request covers six years of records across three systems",
            "notice": "E-mailed the requester on receipt of the extension decision",
        }
    )


class MaintenanceSchedule(Command):
    title: str = Field(min_length=1, max_length=limits.TITLE_MAX)
    description: str = Field(default="", max_length=limits.DETAIL_MAX)
    components: list[str] = Field(
        min_length=1,
        max_length=limits.LIST_MAX,
        description="Components of this escalation that the window takes down.",
    )
    starts_at: AwareDatetime
    ends_at: AwareDatetime = Field(description="After starts_at, and not yet passed.")

    # the moments in these examples are set when the reference is served (app._example_moments)
    model_config = showing(
        {
            "title": "CRM upgrade",
            "description": "Case history is read-only while the CRM is upgraded.",
            "components": ["Sync"],
        }
    )


class MaintenanceProgress(Command):
    note: str = Field(default="", max_length=limits.DETAIL_MAX)


# --------------------------------------------------------------------------- responses


class Read(BaseModel):
    model_config = ConfigDict(extra="allow")


class EscalationRead(Read):
    """An escalation as it stands at `version`."""

    id: UUID
    version: int
    title: str
    description: str
    scope: Scope
    source: Source
    severity: Severity
    status: Status
    customer: dict[str, Any] | None
    customer_erased_at: str | None = Field(
        default=None,
        description="When the customer's personal data was erased; its fields then read "
        "`[erased]` and only `subject_id` remains.",
    )
    account: str | None
    components: dict[str, str]
    tags: list[str]
    external_ref: str | None
    opened_at: str
    opened_by: str
    received_at: str
    updated_at: str
    acknowledged_at: str | None
    resolved_at: str | None
    closed_at: str | None
    deadline: str | None
    privacy: dict[str, Any] | None
    deadline_extensions: list[dict[str, Any]]
    impact: dict[str, Any] | None
    owner: dict[str, Any] | None
    participants: list[dict[str, Any]]
    exit_criteria: list[dict[str, Any]]
    deescalation: dict[str, Any] | None
    action_items: list[dict[str, Any]]
    linked_cases: list[str]
    linked_to: str | None
    communications: list[dict[str, Any]]
    next_update_due: str | None
    notes: list[dict[str, Any]]
    sla_breaches: list[dict[str, Any]]
    resolution: dict[str, Any] | None
    dismissal: dict[str, Any] | None
    postmortem: dict[str, Any] | None
    postmortem_published_at: str | None
    feedback: list[dict[str, Any]]
    reopen_count: int
    linked_open: list[str] = Field(
        default_factory=list,
        description="The linked cases that are still open (at the moment read, with ?as_of or "
        "?version): what resolving this global escalation with `resolve_linked` would resolve.",
    )


class LinkedRefusal(BaseModel):
    id: UUID
    status: str = Field(description="The case's status, which following did not change.")
    detail: str = Field(description="Why it could not follow.")


class CommandAccepted(BaseModel):
    """What a command did: the new version and status, ids of anything it created, and (with
    `Prefer: return=representation`) the new state. A resolve also says where the linked cases
    stand: `linked_open` always, and the other `linked_*` lists when they were asked to follow."""

    id: UUID
    version: int
    status: Status
    created: dict[str, Any] = Field(default_factory=dict, examples=[{"action_item_id": "a3"}])
    delivery: dict[str, int] | None = Field(
        default=None,
        description="A communication sent with deliver: how many recipients are queued.",
        examples=[{"recipients_queued": 15}],
    )
    escalation: EscalationRead | None = None
    linked_open: list[UUID] | None = Field(
        default=None, description="After a resolve: the linked cases still open."
    )
    linked_resolved: list[UUID] | None = Field(
        default=None, description="Linked cases resolved with this escalation."
    )
    linked_already_ended: list[UUID] | None = Field(
        default=None,
        description="Linked cases that had ended on their own (resolved, closed or dismissed), "
        "left as they were.",
    )
    linked_refused: list[LinkedRefusal] | None = Field(
        default=None, description="Linked cases that could not follow, and why."
    )


class EventRead(BaseModel):
    type: str = Field(examples=["StatusChanged"])
    escalation_id: UUID
    version: int
    timestamp: str = Field(description="When the event happened (UTC)")
    actor: str | None
    data: dict[str, Any]
    position: int | None = None


class EventPage(BaseModel):
    items: list[EventRead]
    next_after: int | None = Field(
        description="Pass as ?after= to read the next page; null when the stream is exhausted."
    )
