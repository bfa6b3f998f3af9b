"""What the escalation owes others: links to a global incident, SLA breaches, legal deadlines,
communications to each audience and the erasure of a person's data."""

from __future__ import annotations

from datetime import datetime

from domain import limits
from domain.distribution_list import DELIVERABLE_CHANNELS
from domain.errors import InvalidCommand, RuleViolated
from domain.state import EscalationState
from domain.validation import (
    enum_value,
    required_text,
    text_or_blank,
    utc,
    whole_number_between,
)
from domain.values import (
    Audience,
    Channel,
    Scope,
)


class ObligationDecisions:
    """Mixed into `Escalation`; the methods run with the aggregate as `self`."""

    def link_case(
        self: EscalationState, case: EscalationState, *, actor: str, at: datetime
    ) -> None:
        """Link a customer case to this global escalation; both streams record it."""
        actor, at = self._check(actor, at)
        case._check(actor, at)
        if self.id == case.id:
            raise InvalidCommand("an escalation cannot be linked to itself")
        if self.scope != Scope.GLOBAL:
            raise RuleViolated(
                f"cases are linked to a global escalation; this one has scope {self.scope}"
            )
        if case.scope == Scope.GLOBAL:
            raise RuleViolated("a global escalation cannot be linked as a case of another")
        self._require_not_terminal("link a case")
        case._require_not_terminal("be linked")
        if case.linked_to == str(self.id):
            raise RuleViolated(f"case {case.id} is already linked to this escalation")
        if case.linked_to is not None:
            raise RuleViolated(f"case {case.id} is already linked to escalation {case.linked_to}")
        self._record(self.CaseLinked, actor, at, case_id=str(case.id))
        case._record(case.LinkedToEscalation, actor, at, escalation_id=str(self.id))

    def record_sla_breach(
        self: EscalationState,
        *,
        actor: str,
        at: datetime,
        target: str,
        due_at: datetime,
        detail: str = "",
    ) -> None:
        """Record that a target (e.g. 'first_response', 'update:c3', 'legal_deadline') was missed.
        Each target is recorded at most once, so a watcher can run any number of times."""
        actor, at = self._check(actor, at)
        self._require_not_terminal("record an SLA breach")
        target = required_text(target, "target", limits.SLA_TARGET_MAX)
        due = utc(due_at, "due_at")
        if target in self.sla_breaches:
            raise RuleViolated(f"the breach of {target} is already recorded")
        if due >= at:
            raise InvalidCommand(f"{target} is due at {due.isoformat()}, which has not passed yet")
        self._record(
            self.SlaBreached,
            actor,
            at,
            target=target,
            due_at=due,
            detail=text_or_blank(detail, "detail", limits.REASON_MAX),
        )

    def extend_deadline(
        self: EscalationState,
        *,
        actor: str,
        at: datetime,
        new_deadline: datetime,
        reason: str,
        notice: str,
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_open("extend the deadline")
        if self.deadline is None:
            raise RuleViolated("this escalation has no deadline to extend")
        new = utc(new_deadline, "new_deadline")
        if new <= self.deadline:
            raise InvalidCommand(
                f"new_deadline must be later than the current deadline {self.deadline.isoformat()}"
            )
        if at > self.deadline:
            raise RuleViolated(
                f"the deadline {self.deadline.isoformat()} has passed; it can only be extended before it"
            )
        if self.privacy is not None:
            if len(self.extensions) >= self.privacy["max_extensions"]:
                raise RuleViolated(
                    f"{self.privacy['regime'].upper()} allows {self.privacy['max_extensions']} "
                    "extension(s) and they are used"
                )
            latest = self.privacy["latest_extended_deadline"]
            if new > latest:
                raise RuleViolated(
                    f"{self.privacy['regime'].upper()} allows extending to {latest.isoformat()} at most"
                )
        self._record(
            self.DeadlineExtended,
            actor,
            at,
            previous_deadline=self.deadline,
            new_deadline=new,
            reason=required_text(reason, "reason", limits.REASON_MAX),
            notice=required_text(notice, "notice (how the requester was told)", limits.REASON_MAX),
        )

    def communicate(
        self: EscalationState,
        *,
        actor: str,
        at: datetime,
        audience: Audience | str,
        channel: Channel | str,
        body: str,
        subject: str = "",
        recipient_count: int = 0,
        next_update_due: datetime | None = None,
        deliver: bool = False,
    ) -> str:
        actor, at = self._check(actor, at)
        self._require_not_terminal("communicate")
        if audience in (None, ""):
            raise InvalidCommand("a communication needs an audience")
        if channel in (None, ""):
            raise InvalidCommand("a communication needs a channel")
        audience_value = enum_value(Audience, audience, "audience")
        channel_value = enum_value(Channel, channel, "channel")
        due = utc(next_update_due, "next_update_due") if next_update_due is not None else None
        if due is not None and due <= at:
            raise InvalidCommand(f"next_update_due must be in the future (after {at.isoformat()})")
        if not whole_number_between(recipient_count, 0, limits.RECIPIENT_COUNT_MAX):
            raise InvalidCommand("recipient_count must be a whole number, zero or more")
        if not isinstance(deliver, bool):
            raise InvalidCommand("deliver must be true or false")
        if deliver and channel_value not in DELIVERABLE_CHANNELS:
            raise InvalidCommand(
                f"a {channel_value} communication cannot be delivered yet; deliver one on the "
                f"channel {', '.join(sorted(DELIVERABLE_CHANNELS))}, or record it without deliver"
            )
        communication_id = f"c{len(self.communications) + 1}"
        self._record(
            self.Communicated,
            actor,
            at,
            communication_id=communication_id,
            audience=audience_value,
            channel=channel_value,
            subject=text_or_blank(subject, "subject", limits.COMMUNICATION_SUBJECT_MAX),
            body=required_text(body, "body", limits.COMMUNICATION_BODY_MAX),
            recipient_count=recipient_count,
            status_at_time=self.status,
            next_update_due=due,
            deliver=deliver,
        )
        return communication_id

    def record_delivery(
        self: EscalationState,
        *,
        actor: str,
        at: datetime,
        communication_id: str,
        round: int,
        recipients: int,
        sent: int,
        failed: int,
        retrying: int = 0,
        reasons: dict[str, int] | None = None,
    ) -> None:
        """Record how a delivery round of a communication ended. Allowed in every status: a
        message sent just before the escalation closed is still reported."""
        actor, at = self._check(actor, at)
        delivered = next((c for c in self.communications if c["id"] == communication_id), None)
        if delivered is None or not delivered.get("deliver"):
            raise RuleViolated(f"communication {communication_id} was not sent for delivery")
        counts = {"round": round, "recipients": recipients, "sent": sent, "failed": failed}
        counts["retrying"] = retrying
        for name, value in counts.items():
            if not whole_number_between(value, 0, limits.RECIPIENT_COUNT_MAX):
                raise InvalidCommand(f"{name} must be a whole number, zero or more")
        if sent + failed + retrying > recipients:
            raise InvalidCommand("sent, failed and retrying add up to more than the recipients")
        summary = {
            text_or_blank(reason, "reason", limits.DETAIL_MAX): count
            for reason, count in (reasons or {}).items()
        }
        self._record(
            self.CommunicationDelivered, actor, at, communication_id=communication_id, **counts,
            reasons=summary,
        )  # fmt: skip

    def erase_customer_data(
        self: EscalationState, *, actor: str, at: datetime, subject_id: str
    ) -> None:
        """Allowed in every status, final ones included: the law does not wait for a case to be
        open, and the history must stay whole, so erasing never changes the status."""
        actor, at = self._check(actor, at)
        subject = required_text(subject_id, "subject_id", limits.SUBJECT_ID_MAX)
        if self.customer is None:
            raise RuleViolated("this escalation holds no customer data to erase")
        if self.customer.get("subject_id") != subject:
            raise RuleViolated(
                f"this escalation's customer is not data subject {subject}; nothing to erase"
            )
        if self.customer_data_erased:
            raise RuleViolated(f"the data of subject {subject} is already erased here")
        self._record(self.CustomerDataErased, actor, at, subject_id=subject)
