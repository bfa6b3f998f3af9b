"""The case file: everything one escalation's events say, as plain data (filled by `fold`).

Its shape is the documents' own, not the aggregate's: dataclasses with the facts the documents
need (when it was first mitigated, every resolution and reopening), and nothing they must not.
Where a document shows a recording as it was made (the latest impact assessment, the post-mortem's
words), the case file holds the event itself rather than a copy of its fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.escalation import Escalation

REGULATED_SOURCES = ("bbb_complaint", "privacy_request")
"""Sources that bring a regulator into the case, so a formal response is owed to one."""


@dataclass
class Communication:
    id: str
    audience: str
    channel: str
    subject: str
    body: str
    recipient_count: int
    status: str
    next_update_due: datetime | None
    by: str
    at: datetime


@dataclass
class ActionItem:
    id: str
    description: str
    owner: str
    kind: str
    phase: str
    due_at: datetime | None
    done: bool = False
    completed_at: datetime | None = None
    note: str = ""


@dataclass
class ExitCriterion:
    id: str
    description: str
    met: bool = False
    met_at: datetime | None = None
    met_by: str | None = None
    evidence: str = ""


@dataclass
class Note:
    by: str
    at: datetime
    text: str


@dataclass
class StatusMove:
    at: datetime
    by: str
    from_status: str
    to_status: str
    reason: str


@dataclass
class PostMortem:
    """One recorded revision of the post-mortem: the team's words are the recording event's own
    fields; `published_at` is set on the revision that was published."""

    words: Escalation.PostMortemRecorded
    revision: int
    published_at: datetime | None = None

    @property
    def recorded_at(self) -> datetime:
        return self.words.timestamp

    @property
    def recorded_by(self) -> str:
        return self.words.actor


@dataclass
class CaseFile:
    escalation_id: str
    version: int
    title: str
    description: str
    scope: str
    source: str
    severity: str
    status: str
    account: str | None
    customer_name: str | None
    received_at: datetime
    opened_at: datetime
    opened_by: str
    external_ref: str | None
    privacy_regime: str | None
    deadline: datetime | None
    last_event_at: datetime
    status_since: datetime
    """When the escalation entered its current status: words written before then are history."""
    episode_started_at: datetime
    """When the current open episode began: the opening, or the latest reopening. A promise made
    before a resolution is not renewed by reopening."""
    update_due_on_reopen: datetime | None = None
    """When the update a reopening owes every audience is due, until the next communication."""
    components: dict[str, str] = field(default_factory=dict)
    """Each component's level as it stands: the latest assessment while open, `operational`
    once resolved or closed (whatever the stream recorded about the components)."""
    assessed_components: dict[str, str] = field(default_factory=dict)
    """Each component's level in the latest impact assessment: what the incident did."""
    tags: list[str] = field(default_factory=list)
    acknowledged_at: datetime | None = None
    owner: str | None = None
    owner_team: str | None = None
    participants: dict[str, tuple[str, str]] = field(default_factory=dict)
    impact: Escalation.ImpactAssessed | None = None  # the latest assessment, as recorded
    notes: list[Note] = field(default_factory=list)
    exit_criteria: dict[str, ExitCriterion] = field(default_factory=dict)
    strategy: str | None = None
    strategy_steps: list[str] = field(default_factory=list)
    action_items: dict[str, ActionItem] = field(default_factory=dict)
    linked_cases: list[str] = field(default_factory=list)
    linked_to: str | None = None
    communications: list[Communication] = field(default_factory=list)
    sla_breaches: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    extensions: list[tuple[datetime, datetime]] = field(default_factory=list)
    status_moves: list[StatusMove] = field(default_factory=list)
    severity_moves: list[tuple[datetime, str, str]] = field(default_factory=list)
    first_mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    resolutions: list[datetime] = field(default_factory=list)
    reopens: list[datetime] = field(default_factory=list)
    resolution_summary: str = ""
    resolved_with: str | None = None  # the global escalation the resolution followed
    overridden_criteria: list[str] = field(default_factory=list)
    reopen_count: int = 0
    closed_at: datetime | None = None
    dismissal_reason: str | None = None
    csat: list[int] = field(default_factory=list)
    nps: list[int] = field(default_factory=list)
    postmortem: PostMortem | None = None
    """The latest revision recorded (the draft, until it is published)."""
    postmortem_revisions: list[PostMortem] = field(default_factory=list)
    published_postmortem: PostMortem | None = None
    """The revision that was published, if any: what stakeholders read."""
    customer_erased_at: datetime | None = None
    statutory_deadline: datetime | None = None
    """The legal deadline as set at opening, before any extension."""
    privacy_request_type: str | None = None

    @property
    def reference(self) -> str:
        """What people quote on the phone: the first block of the id."""
        return self.escalation_id.split("-", 1)[0].upper()

    @property
    def is_open(self) -> bool:
        return self.status in ("triage", "investigating", "identified", "monitoring")

    @property
    def is_reopened(self) -> bool:
        """Open again after a resolution."""
        return self.is_open and bool(self.reopens)

    @property
    def involves_regulator(self) -> bool:
        """A regulator is part of this case: it came through one (a BBB complaint, a privacy
        request a data-protection authority may ask about) or the team wrote to one."""
        return self.source in REGULATED_SOURCES or bool(self.communications_for("regulator"))

    def communications_for(self, *audiences: str) -> list[Communication]:
        return [c for c in self.communications if c.audience in audiences]

    def current_communications_for(self, *audiences: str) -> list[Communication]:
        """The ones written since the escalation entered its current status: what still holds."""
        return [c for c in self.communications_for(*audiences) if c.at >= self.status_since]

    def open_action_items(self) -> list[ActionItem]:
        return [a for a in self.action_items.values() if not a.done]

    def unmet_criteria(self) -> list[ExitCriterion]:
        return [c for c in self.exit_criteria.values() if not c.met]

    def elapsed(self, until: datetime) -> timedelta:
        """How long the customer has been waiting: until `until` while open, else until it ended."""
        end = until if self.is_open else (self.resolved_at or self.closed_at or until)
        return end - self.received_at
