"""Value types of the escalation domain: the closed vocabularies people pick from."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    SEV1 = "SEV1"  # critical: a service-wide outage or legal exposure
    SEV2 = "SEV2"  # major: many customers or a key account blocked
    SEV3 = "SEV3"  # moderate: degraded, workaround exists
    SEV4 = "SEV4"  # minor

    @property
    def rank(self) -> int:
        """1 for SEV1 .. 4 for SEV4: lower is more urgent."""
        return int(self.value[-1])


class Status(StrEnum):
    TRIAGE = "triage"
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"
    DISMISSED = "dismissed"

    @property
    def is_terminal(self) -> bool:
        return self in (Status.CLOSED, Status.DISMISSED)

    @property
    def is_open(self) -> bool:
        """Still being worked: not resolved, closed or dismissed."""
        return self in ACTIVE_STATUSES


ACTIVE_STATUSES = frozenset(
    {Status.TRIAGE, Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING}
)
"""The open statuses: still being worked."""
OPEN_STATUS_VALUES: tuple[str, ...] = tuple(s.value for s in Status if s in ACTIVE_STATUSES)
"""The open statuses as stored text, in lifecycle order (for SQL `IN (...)` and filters)."""


def severity_rank(value: str) -> int:
    """1 for SEV1 .. 4 for SEV4, as `Severity.rank`; 9 for text that names no severity, so that
    it sorts last."""
    try:
        return Severity(value).rank
    except ValueError:
        return 9


class Source(StrEnum):
    EMAIL = "email"
    BBB_COMPLAINT = "bbb_complaint"
    PRIVACY_REQUEST = "privacy_request"
    PRIORITY_SUPPORT = "priority_support"
    TOOLS_OUTAGE = "tools_outage"
    SOCIAL = "social"
    VENDOR = "vendor"
    INTERNAL = "internal"


class Scope(StrEnum):
    CUSTOMER = "customer"
    GROUP = "group"
    GLOBAL = "global"


class Audience(StrEnum):
    PUBLIC = "public"
    CUSTOMER = "customer"
    EXECUTIVE = "executive"
    SALES_CS = "sales_cs"
    INTERNAL = "internal"
    REGULATOR = "regulator"


class Channel(StrEnum):
    EMAIL = "email"
    STATUS_PAGE = "status_page"
    SLACK = "slack"
    PHONE = "phone"
    SMS = "sms"
    PORTAL = "portal"
    SOCIAL = "social"
    LETTER = "letter"
    MEETING = "meeting"
    IN_APP = "in_app"


class Role(StrEnum):
    OWNER = "owner"
    LIAISON = "liaison"
    SCRIBE = "scribe"
    PARTICIPANT = "participant"
    OBSERVER = "observer"


class Team(StrEnum):
    CX = "cx"
    ENGINEERING = "engineering"
    SALES = "sales"
    CUSTOMER_SUCCESS = "customer_success"
    LEGAL = "legal"
    VENDOR = "vendor"
    PRODUCT = "product"
    SECURITY = "security"
    EXECUTIVE = "executive"
    OPERATIONS = "operations"


class ActionKind(StrEnum):
    MITIGATE = "mitigate"
    PREVENT = "prevent"


class ActionPhase(StrEnum):
    RESPONSE = "response"
    POSTMORTEM = "postmortem"


class PrivacyRegime(StrEnum):
    """The law a privacy (data subject) request is made under; it sets the legal clock."""

    GDPR = "gdpr"
    CCPA = "ccpa"


class PrivacyRequestType(StrEnum):
    ERASURE = "erasure"
    ACCESS = "access"
    RECTIFICATION = "rectification"
    OPT_OUT = "opt_out"


class DismissalReason(StrEnum):
    SPAM = "spam"
    DUPLICATE = "duplicate"
    NOT_ACTIONABLE = "not_actionable"


COMPONENT_IMPACTS = ("degraded_performance", "partial_outage", "major_outage")
"""How badly an affected component is hit (the Statuspage component statuses short of operational)."""
SETTLED_COMPONENT = "operational"
"""What an escalation that ended (resolved, closed, dismissed) says of every component it names."""
