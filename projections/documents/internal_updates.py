"""Updates read inside the company: the executive brief and the tactical (CAN) report.

Executives get the few numbers that size the problem and what happens next, fed only by
updates addressed to executives. The tactical report is for the people working the escalation:
conditions, actions, needs, and the team's own notes. Neither names the customer: people inside
the company need the account, not the person.

Lifecycle: live. Each read builds the update afresh from the case file (`fold.py`) of the events
recorded up to the moment asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projections.documents import common
from projections.documents.casefile import CaseFile
from projections.documents.common import Fact, Header, Message
from projections.documents.formatting import (
    a_source,
    audience_label,
    count_text,
    duration_text,
    join_words,
    money_text,
    plural,
    status_label,
    utc_text,
    words,
)


@dataclass(frozen=True)
class ExecutiveUpdate:
    header: Header
    current_status: str
    overview: list[str]
    latest_message: Message | None
    impact: list[Fact]
    next_steps: list[str]
    risks: list[str]
    next_update_due: datetime | None
    next_update: str


@dataclass(frozen=True)
class TimedNote:
    at: datetime
    by: str
    text: str


@dataclass(frozen=True)
class TacticalUpdate:
    header: Header
    conditions: list[str]
    actions: list[str]
    needs: list[str]
    team: list[str]
    promises: list[str]
    recent_notes: list[TimedNote]
    latest_message: Message | None


def status_line(case: CaseFile, as_of: datetime) -> str:
    clock = duration_text(case.elapsed(as_of))
    if case.is_reopened:
        timing = f"Open for {clock}, reopened {utc_text(case.reopens[-1])}"
    elif case.is_open:
        timing = f"Open for {clock}"
    elif case.status == "dismissed":
        timing = f"Dismissed as {words(case.dismissal_reason or 'not actionable')}"
    else:
        timing = f"Resolved {clock} after it was received"
    owner = f"owner {case.owner} ({words(case.owner_team or '')})" if case.owner else "no owner yet"
    return f"{case.severity} · {status_label(case.status)}. {timing}; {owner}."


def _time_label(case: CaseFile) -> str:
    if case.is_open:
        return "Time open"
    return "Time to dismissal" if case.status == "dismissed" else "Time to resolve"


def impact_facts(case: CaseFile, as_of: datetime, *, at_worst: bool = False) -> list[Fact]:
    """The numbers that size the escalation; components as they stand now, or (`at_worst`, for
    the post-mortem) as the latest assessment found them while it was open."""
    facts: list[Fact] = []
    if case.impact is None:
        facts.append(Fact("Customers affected", "not assessed yet"))
    else:
        facts.append(Fact("Customers affected", count_text(case.impact.customers_affected)))
    accounts = common.named_accounts(case)
    if accounts:
        facts.append(Fact("Named accounts", f"{len(accounts)}: {join_words(accounts)}"))
    if case.impact is not None and case.impact.revenue_at_risk:
        facts.append(
            Fact("Revenue at risk", money_text(case.impact.revenue_at_risk, case.impact.currency))
        )
    if at_worst and case.assessed_components:
        facts.append(Fact("Components affected", common.component_list(case.assessed_components)))
    elif case.components:
        facts.append(Fact("Components", common.component_list(case.components)))
    if case.impact is not None and case.impact.regions:
        facts.append(Fact("Regions", join_words(case.impact.regions)))
    if case.impact is not None and case.impact.segments:
        facts.append(Fact("Segments", join_words(case.impact.segments)))
    if case.linked_cases:
        facts.append(Fact("Linked customer cases", count_text(len(case.linked_cases))))
    told = case.communications_for("customer", "public")
    if told:
        reached = sum(c.recipient_count for c in told)
        value = plural(len(told), "update")
        facts.append(Fact("Customer updates sent", f"{value}, {plural(reached, 'recipient')}"))
    facts.append(Fact(_time_label(case), duration_text(case.elapsed(as_of))))
    return facts


def risks(case: CaseFile, as_of: datetime) -> list[str]:
    found = [
        f"SLA missed: {words(target)} was due {utc_text(due)}."
        for target, due, _ in case.sla_breaches
    ]
    if case.deadline is not None and case.is_open:
        regime = f" ({case.privacy_regime.upper()})" if case.privacy_regime else ""
        if case.deadline < as_of:
            found.append(f"Legal deadline{regime} passed at {utc_text(case.deadline)}.")
        else:
            left = duration_text(case.deadline - as_of)
            found.append(
                f"Legal deadline{regime}: respond by {utc_text(case.deadline)} ({left} left)."
            )
    for audience in ("customer", "public", "regulator"):
        due = common.promised_update(case, case.communications_for(audience))
        if case.is_open and due is not None and due < as_of:
            found.append(
                f"The update to {audience_label(audience)} promised by {utc_text(due)} is overdue."
            )
    if case.reopen_count:
        times = "once" if case.reopen_count == 1 else plural(case.reopen_count, "time")
        found.append(f"Reopened {times} after being resolved.")
    return found


def next_steps(case: CaseFile, as_of: datetime) -> list[str]:
    steps = [
        f"{item.description} ({item.owner}; {common.state_of_action(False, item.due_at, None, as_of)})"
        for item in case.open_action_items()
        if item.phase == "response" or not case.is_open
    ]
    if case.is_open:
        steps += [f"Meet the exit criterion: {c.description}" for c in case.unmet_criteria()]
    elif case.status == "resolved" and case.postmortem is None:
        steps.append("Hold the post-mortem and record its findings.")
    elif case.status == "resolved" and case.postmortem and case.postmortem.published_at is None:
        steps.append("Publish the post-mortem.")
    return steps or ["No open actions."]


def executive_update(case: CaseFile, as_of: datetime) -> ExecutiveUpdate:
    briefings = case.communications_for("executive")
    overview = [
        f"{case.title}: a {case.severity} {case.scope} escalation raised from "
        f"{a_source(case.source)} on {utc_text(case.received_at)}."
    ]
    if case.impact is not None and case.impact.summary:
        overview.append(case.impact.summary)
    if case.strategy and case.is_open:
        overview.append(f"De-escalation strategy: {case.strategy}")
    if case.resolved_at is not None and case.resolution_summary:
        overview.append(f"Resolution: {case.resolution_summary}")
    due = common.promised_update(case, briefings)
    return ExecutiveUpdate(
        header=common.header(case, "Executive update", "executive", as_of),
        current_status=status_line(case, as_of),
        overview=overview,
        latest_message=common.message(common.latest(briefings), case),
        impact=impact_facts(case, as_of),
        next_steps=next_steps(case, as_of),
        risks=risks(case, as_of),
        next_update_due=due,
        next_update=common.promise_text(due, as_of, "executives", case.is_open),
    )


def _conditions(case: CaseFile, as_of: datetime) -> list[str]:
    found = [status_line(case, as_of)]
    if case.acknowledged_at is not None:
        found.append(
            f"Acknowledged {utc_text(case.acknowledged_at)}, "
            f"{duration_text(case.acknowledged_at - case.received_at)} after it was received."
        )
    if case.components:
        found.append(f"Components: {common.component_list(case.components)}.")
    if case.impact is not None:
        numbers = [f"{plural(case.impact.customers_affected, 'customer')} affected"]
        if case.impact.revenue_at_risk:
            numbers.append(
                f"{money_text(case.impact.revenue_at_risk, case.impact.currency)} at risk"
            )
        found.append(f"Impact: {', '.join(numbers)}. {case.impact.summary}".strip())
    if case.exit_criteria:
        met = len(case.exit_criteria) - len(case.unmet_criteria())
        found.append(f"Exit criteria: {met} of {len(case.exit_criteria)} met.")
    return found + risks(case, as_of)


def _actions(case: CaseFile, as_of: datetime) -> list[str]:
    found = []
    if case.strategy:
        found.append(f"De-escalation strategy: {case.strategy}")
        found += [f"Step {n}: {step}" for n, step in enumerate(case.strategy_steps, 1)]
    for item in case.action_items.values():
        state = common.state_of_action(item.done, item.due_at, item.completed_at, as_of)
        found.append(f"{item.id} {item.description} ({item.kind}; {item.owner}; {state})")
    return found or ["No actions recorded yet."]


def _needs(case: CaseFile, as_of: datetime) -> list[str]:
    if not case.is_open:
        if case.status == "resolved" and case.postmortem is None:
            return ["A post-mortem: hold the review and record it."]
        if case.status == "resolved" and case.postmortem and case.postmortem.published_at is None:
            return ["The post-mortem published, once it is reviewed."]
        return ["Nothing outstanding."]
    found = []
    if case.owner is None:
        found.append("An owner: nobody owns this escalation yet.")
    if case.acknowledged_at is None:
        waited = duration_text(as_of - case.received_at)
        found.append(f"An acknowledgement: received {waited} ago and not acknowledged.")
    if case.impact is None:
        found.append("An impact assessment: customers, accounts, revenue and components affected.")
    if not case.exit_criteria:
        found.append("Exit criteria: what must hold before this can be resolved.")
    found += [f"Exit criterion to meet: {c.description}" for c in case.unmet_criteria()]
    if case.strategy is None:
        found.append("A de-escalation strategy.")
    found += [
        f"{item.id} is overdue ({item.owner}): {item.description}"
        for item in case.open_action_items()
        if item.due_at is not None and item.due_at < as_of
    ]
    return found or ["Nothing outstanding."]


def tactical_update(case: CaseFile, as_of: datetime) -> TacticalUpdate:
    promises = []
    for audience in ("public", "customer", "executive", "sales_cs", "regulator", "internal"):
        sent = case.communications_for(audience)
        if sent and case.is_open:
            promises.append(
                common.promise_text(
                    common.promised_update(case, sent), as_of, audience_label(audience), True
                )
            )
    team = [
        f"{name}: {role} ({words(team)})"
        for name, (role, team) in sorted(case.participants.items())
    ]
    return TacticalUpdate(
        header=common.header(case, "Tactical update", "tactical", as_of),
        conditions=_conditions(case, as_of),
        actions=_actions(case, as_of),
        needs=_needs(case, as_of),
        team=team,
        promises=promises,
        recent_notes=[TimedNote(n.at, n.by, n.text) for n in case.notes[-5:]],
        latest_message=common.message(common.latest(case.communications_for("internal")), case),
    )
