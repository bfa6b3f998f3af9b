"""The root-cause report: what the team wrote in the post-mortem, plus what only the events know.

Durations and the timeline are computed from the stream, never typed by hand, so the report
cannot disagree with what happened. The timeline leaves out team-only entries (internal notes
and updates to the team) because a published post-mortem is read beyond the team.

Lifecycle: replayed on read; the report as of a moment is built from the case file and the
timeline of the events up to it, and kept nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from projections.documents.casefile import CaseFile, PostMortem
from projections.documents.common import Fact, Header, copied, header, state_of_action
from projections.documents.formatting import duration_text, paragraphs, utc_text
from projections.documents.internal_updates import impact_facts
from projections.documents.timeline import TimelineEntry


class PostmortemMissing(LookupError):
    """There is no post-mortem to show yet; the message says what to do next."""


class PostmortemNotPublished(LookupError):
    """The reader may read only the published revision, and none is published (yet, as of the
    moment asked for)."""


# Which revision a reader asks for: the published one, or the latest draft (managers only).
PUBLISHED, DRAFT = "published", "draft"


@dataclass(frozen=True)
class Measure:
    label: str
    started_at: datetime
    ended_at: datetime | None
    seconds: int | None
    text: str


@dataclass(frozen=True)
class ActionLine:
    id: str
    description: str
    owner: str
    kind: str
    phase: str
    state: str
    done: bool


# The team's words, as the report shows them: texts in paragraphs, lists item by item.
PARAGRAPHED = ("summary", "impact", "root_cause", "trigger", "detection", "response", "recovery")
LISTED = ("contributing_factors", "five_whys", "went_well", "went_wrong", "where_we_got_lucky")


@dataclass(frozen=True)
class PostmortemReport:
    header: Header
    state: str
    """Which revision this is, in words: `Published revision 2, ...` or `DRAFT, revision 3, ...`."""
    revision: int
    published: bool
    published_at: datetime | None
    recorded_at: datetime
    summary: list[str]
    impact: list[str]
    impact_figures: list[Fact]
    root_cause: list[str]
    root_cause_category: str
    trigger: list[str]
    contributing_factors: list[str]
    detection: list[str]
    response: list[str]
    recovery: list[str]
    five_whys: list[str]
    went_well: list[str]
    went_wrong: list[str]
    where_we_got_lucky: list[str]
    action_items: list[ActionLine]
    durations: list[Measure]
    timeline: list[TimelineEntry]


def measure(label: str, start: datetime, end: datetime | None) -> Measure:
    if end is None:
        return Measure(label, start, None, None, "not reached")
    elapsed = end - start
    return Measure(label, start, end, int(elapsed.total_seconds()), duration_text(elapsed))


def durations(case: CaseFile) -> list[Measure]:
    """Each measured from the moment the escalation was received: the customer's clock."""
    told = case.communications_for("customer", "public")
    start = case.received_at
    return [
        measure("Time to acknowledge", start, case.acknowledged_at),
        measure("Time to first customer communication", start, told[0].at if told else None),
        measure("Time to mitigate", start, case.first_mitigated_at),
        measure("Time to resolve", start, case.resolutions[-1] if case.resolutions else None),
    ]


def missing_reason(case: CaseFile) -> str:
    base = f"/escalations/{case.escalation_id}"
    if case.is_open:
        return (
            f"escalation {case.escalation_id} is {case.status}; a post-mortem is written after "
            f"resolution. Resolve it (POST {base}/resolve), then record the post-mortem "
            f"(POST {base}/postmortem)"
        )
    if case.status == "resolved":
        return (
            f"no post-mortem has been recorded for escalation {case.escalation_id} yet; record it "
            f"with POST {base}/postmortem"
        )
    return (
        f"escalation {case.escalation_id} is {case.status} and no post-mortem was recorded "
        "before that; post-mortems are recorded while an escalation is resolved"
    )


def not_published_reason(case: CaseFile) -> str:
    return (
        f"the post-mortem of escalation {case.escalation_id} is not published yet; it can be read "
        "here once a manager publishes it (POST "
        f"/escalations/{case.escalation_id}/postmortem/publish)"
    )


def chosen_revision(case: CaseFile, wanted: str | None, may_read_drafts: bool) -> PostMortem:
    """The revision a reader sees: the published one when there is one (or when only that one
    may be read); otherwise, for a reader who may read drafts, the latest draft. `wanted` names
    one of them explicitly."""
    if wanted == DRAFT or (wanted is None and may_read_drafts and not case.published_postmortem):
        if case.postmortem is None:
            raise PostmortemMissing(missing_reason(case))
        return case.postmortem
    if case.published_postmortem is None:
        if may_read_drafts and case.postmortem is None:
            raise PostmortemMissing(missing_reason(case))
        raise PostmortemNotPublished(not_published_reason(case))
    return case.published_postmortem


def revision_state(written: PostMortem) -> str:
    if written.published_at is not None:
        return (
            f"Published revision {written.revision}, published {utc_text(written.published_at)} "
            f"(recorded {utc_text(written.recorded_at)} by {written.recorded_by})."
        )
    return (
        f"DRAFT, revision {written.revision}, recorded {utc_text(written.recorded_at)} by "
        f"{written.recorded_by}: not published, so stakeholders cannot read it yet."
    )


def postmortem_report(
    case: CaseFile,
    timeline: list[TimelineEntry],
    as_of: datetime,
    *,
    wanted: str | None = None,
    may_read_drafts: bool = True,
) -> PostmortemReport:
    written = chosen_revision(case, wanted, may_read_drafts)
    actions = [
        copied(
            ActionLine,
            item,
            state=state_of_action(item.done, item.due_at, item.completed_at, as_of),
        )
        for item in case.action_items.values()
    ]
    return PostmortemReport(
        header=header(case, "Post-mortem", "postmortem", as_of),
        state=revision_state(written),
        revision=written.revision,
        published=written.published_at is not None,
        published_at=written.published_at,
        recorded_at=written.recorded_at,
        impact_figures=impact_facts(case, as_of, at_worst=True),
        root_cause_category=written.words.root_cause_category,
        **{name: paragraphs(getattr(written.words, name)) for name in PARAGRAPHED},
        **{name: list(getattr(written.words, name)) for name in LISTED},
        action_items=actions,
        durations=durations(case),
        timeline=[replace(entry, detail="") for entry in timeline if not entry.internal],
    )
