"""Ending an escalation: dismissing, resolving, reopening, feedback, closing and the post-mortem."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain import limits
from domain.errors import InvalidCommand, RuleViolated
from domain.policies import UpdateCadence
from domain.state import EscalationState
from domain.validation import (
    enum_value,
    optional_text,
    required_text,
    text_list,
    text_or_blank,
    utc,
    whole_number_between,
)
from domain.values import (
    DismissalReason,
    Scope,
    Status,
)


class ClosureDecisions:
    """Mixed into `Escalation`; the methods run with the aggregate as `self`."""

    def dismiss(
        self: EscalationState,
        *,
        actor: str,
        at: datetime,
        reason: DismissalReason | str,
        note: str = "",
        duplicate_of: str | None = None,
    ) -> None:
        actor, at = self._check(actor, at)
        reason_value = enum_value(DismissalReason, reason, "reason")
        self._require_transition(Status.DISMISSED, "dismiss")
        duplicate_of = optional_text(duplicate_of, "duplicate_of", limits.DUPLICATE_OF_MAX)
        if reason_value == DismissalReason.DUPLICATE and duplicate_of is None:
            raise InvalidCommand("a duplicate needs duplicate_of: the escalation it repeats")
        if reason_value != DismissalReason.DUPLICATE and duplicate_of is not None:
            raise InvalidCommand("duplicate_of only applies to reason 'duplicate'")
        if duplicate_of == str(self.id):
            raise InvalidCommand("an escalation cannot duplicate itself")
        self._record(
            self.Dismissed,
            actor,
            at,
            reason=reason_value,
            note=text_or_blank(note, "note", limits.REASON_MAX),
            duplicate_of=duplicate_of,
        )

    def resolve(
        self: EscalationState, *, actor: str, at: datetime, summary: str, override_reason: str = ""
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_transition(Status.RESOLVED, "resolve")
        unmet = self.unmet_exit_criteria
        reason = text_or_blank(override_reason, "override_reason", limits.REASON_MAX)
        if unmet and not reason:
            listed = "; ".join(f"{cid}: {self.exit_criteria[cid]['description']}" for cid in unmet)
            raise RuleViolated(
                f"{len(unmet)} exit criteria are not met ({listed}). Meet them, or resolve "
                "with an override_reason that says why they no longer apply"
            )
        self._record(
            self.Resolved,
            actor,
            at,
            summary=required_text(summary, "summary", limits.SUMMARY_MAX),
            overridden_criteria=unmet,
            override_reason=reason if unmet else "",
        )

    def resolve_with_global(
        self: EscalationState, parent: EscalationState, *, actor: str, at: datetime
    ) -> None:
        """Resolve this linked case because its global escalation `parent` is resolved (the
        problem/incident model: the incident follows its problem). The parent's resolution is
        the reason, so unmet exit criteria of the case are overridden with it."""
        actor, at = self._check(actor, at)
        if self.linked_to != str(parent.id):
            raise RuleViolated(
                f"this case follows only the global escalation it is linked to "
                f"({self.linked_to or 'none'}), not {parent.id}"
            )
        parent.require_followable()
        self._require_transition(Status.RESOLVED, "resolve")
        reason = f"resolved with global escalation {parent.title} ({parent.id})"
        unmet = self.unmet_exit_criteria
        self._record(
            self.Resolved,
            actor,
            at,
            summary=reason,
            overridden_criteria=unmet,
            override_reason=reason if unmet else "",
            resolved_with=str(parent.id),
        )

    def require_followable(self: EscalationState) -> None:
        """Linked cases follow a global escalation once it is resolved (and still, once it is
        closed after that): the resolution they follow must stand."""
        if self.scope != Scope.GLOBAL:
            raise RuleViolated(
                f"only a global escalation has linked cases to follow it; this one has scope "
                f"{self.scope}"
            )
        if self.resolution is None:
            raise RuleViolated(
                f"global escalation {self.id} is {self.status}: its linked cases follow its "
                "resolution once it is resolved"
            )

    def reopen(
        self: EscalationState,
        *,
        actor: str,
        at: datetime,
        reason: str,
        next_update_due: datetime | None = None,
        update_cadence: UpdateCadence | None = None,
    ) -> None:
        """Reopen a resolved escalation. It owes its audiences an update: by `next_update_due`
        when given, else by the SLA policy's cadence from now (`update_cadence`), else at once."""
        actor, at = self._check(actor, at)
        self._require_transition(Status.INVESTIGATING, "reopen")
        reason = required_text(reason, "reason", limits.REASON_MAX)
        if next_update_due is not None:
            due = utc(next_update_due, "next_update_due")
            if due <= at:
                raise InvalidCommand(
                    f"next_update_due must be in the future (after {at.isoformat()})"
                )
        elif update_cadence is not None:
            due = update_cadence(self.source, self.severity, at)
        else:
            due = at
        self._record(self.Reopened, actor, at, reason=reason, next_update_due=due)

    def receive_feedback(
        self: EscalationState,
        *,
        actor: str,
        at: datetime,
        csat: int | None = None,
        nps: int | None = None,
        comment: str = "",
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_resolved("feedback is taken after resolution, before closing", "feedback")
        if csat is None and nps is None:
            raise InvalidCommand(
                f"give csat ({limits.CSAT_MIN}-{limits.CSAT_MAX}), "
                f"nps ({limits.NPS_MIN}-{limits.NPS_MAX}) or both"
            )
        if csat is not None and not whole_number_between(csat, limits.CSAT_MIN, limits.CSAT_MAX):
            raise InvalidCommand(
                f"csat is a whole-number score from {limits.CSAT_MIN} to {limits.CSAT_MAX}"
            )
        if nps is not None and not whole_number_between(nps, limits.NPS_MIN, limits.NPS_MAX):
            raise InvalidCommand(
                f"nps is a whole-number score from {limits.NPS_MIN} to {limits.NPS_MAX}"
            )
        self._record(
            self.FeedbackReceived,
            actor,
            at,
            csat=csat,
            nps=nps,
            comment=text_or_blank(comment, "comment", limits.DETAIL_MAX),
        )

    def close(self: EscalationState, *, actor: str, at: datetime, reason: str = "") -> None:
        actor, at = self._check(actor, at)
        self._require_transition(Status.CLOSED, "close")
        self._record(
            self.Closed,
            actor,
            at,
            reason=text_or_blank(reason, "reason", limits.REASON_MAX),
        )

    def record_postmortem(
        self: EscalationState,
        *,
        actor: str,
        at: datetime,
        summary: str,
        root_cause: str,
        impact: str = "",
        root_cause_category: str = "",
        trigger: str = "",
        contributing_factors: Iterable[str] = (),
        detection: str = "",
        response: str = "",
        recovery: str = "",
        five_whys: Iterable[str] = (),
        went_well: Iterable[str] = (),
        went_wrong: Iterable[str] = (),
        where_we_got_lucky: Iterable[str] = (),
    ) -> None:
        actor, at = self._check(actor, at)
        self._require_resolved("a post-mortem is written after resolution", "postmortem")
        if self.postmortem_published_at is not None:
            raise RuleViolated("the post-mortem is already published; it cannot be revised")
        whys = text_list(five_whys, "five_whys", max_len=limits.POSTMORTEM_ITEM_MAX)
        if len(whys) > limits.FIVE_WHYS_MAX:
            raise InvalidCommand(f"five_whys takes at most {limits.FIVE_WHYS_MAX} answers")

        def text(value: str, name: str) -> str:
            return text_or_blank(value, name, limits.POSTMORTEM_TEXT_MAX)

        self._record(
            self.PostMortemRecorded,
            actor,
            at,
            summary=required_text(summary, "summary", limits.POSTMORTEM_TEXT_MAX),
            impact=text(impact, "impact"),
            root_cause=required_text(root_cause, "root_cause", limits.POSTMORTEM_TEXT_MAX),
            root_cause_category=text_or_blank(
                root_cause_category, "root_cause_category", limits.CATEGORY_MAX
            ),
            trigger=text(trigger, "trigger"),
            contributing_factors=text_list(
                contributing_factors, "contributing_factors", max_len=limits.POSTMORTEM_ITEM_MAX
            ),
            detection=text(detection, "detection"),
            response=text(response, "response"),
            recovery=text(recovery, "recovery"),
            five_whys=whys,
            went_well=text_list(went_well, "went_well", max_len=limits.POSTMORTEM_ITEM_MAX),
            went_wrong=text_list(went_wrong, "went_wrong", max_len=limits.POSTMORTEM_ITEM_MAX),
            where_we_got_lucky=text_list(
                where_we_got_lucky, "where_we_got_lucky", max_len=limits.POSTMORTEM_ITEM_MAX
            ),
        )

    def publish_postmortem(self: EscalationState, *, actor: str, at: datetime) -> None:
        actor, at = self._check(actor, at)
        self._require_resolved("a post-mortem is published after resolution", "postmortem/publish")
        if self.postmortem is None:
            raise RuleViolated("record the post-mortem before publishing it")
        if self.postmortem_published_at is not None:
            raise RuleViolated("the post-mortem is already published")
        self._record(
            self.PostMortemPublished,
            actor,
            at,
            revision=self.postmortem["revision"],
        )
