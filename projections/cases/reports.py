"""Reports computed from the case ledger at read time: triage queue, SLA, metrics, trends."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.values import severity_rank
from projections.base import Doc, instant, parse_instant
from projections.cases.base import CasesView, iso_week
from projections.cases.handle_time import DEFINITION, handle_time
from projections.sla import (
    HARD_DEADLINES,
    SlaPolicy,
    TargetState,
    clock_words,
    reason,
    recorded_breaches,
    targets,
)

LEGAL_URGENT = timedelta(hours=72)
SOON = timedelta(hours=1)


# ------------------------------------------------------------------ triage queue


def queue(docs: list[Doc], policy: SlaPolicy, now: datetime) -> list[dict[str, Any]]:
    """Open escalations, most urgent first, each with the reason for its place.

    Order: (1) a target already missed, (2) a hard deadline (legal, BBB, account commitment)
    within 72 h or any target due within the hour, (3) the rest; within a tier by severity, then
    the earliest due target, then the money at risk (largest first).

    Each item says why in people's words (`reason`, and one entry per target in `reasons`) and
    names the target that places it in machine terms (`target`, a code such as `first_response`
    or `update:c2`).
    """
    items = []
    for doc in docs:
        states = targets(doc, policy, now)
        pending = sorted((s for s in states if s.state == "pending"), key=lambda s: s.due_at)
        overdue = [s for s in states if s.state == "missed" and s.met_at is None]
        deadline = next((s for s in pending if s.kind in HARD_DEADLINES), None)
        next_due = pending[0] if pending else None
        if overdue:
            tier = 1
        elif (deadline and deadline.due_at - now <= LEGAL_URGENT) or (
            next_due and next_due.due_at - now <= SOON
        ):
            tier = 2
        else:
            tier = 3
        said = [*overdue, *([next_due] if next_due else [])]
        if deadline and deadline is not next_due:
            said.append(deadline)
        words = [doc["severity"], *(reason(s, now) for s in said)]
        money = float(doc.get("revenue_at_risk") or 0)
        if money:
            words.append(f"{money:,.0f} {doc.get('currency') or ''} at risk".strip())
        if doc.get("account"):
            words.append(f"account {doc['account']}")
        placing = min(overdue, key=lambda s: s.due_at) if overdue else next_due
        key = (
            tier,
            severity_rank(doc["severity"]),
            instant(placing.due_at) if placing else "~",
            -money,
            doc["id"],
        )
        reasons = [_reason_row(s, now) for s in said]
        items.append((key, doc, tier, placing, next_due, "; ".join(words), reasons))
    items.sort(key=lambda item: item[0])
    return [
        {
            "rank": n + 1,
            "id": doc["id"],
            "title": doc["title"],
            "severity": doc["severity"],
            "status": doc["status"],
            "source": doc["source"],
            "account": doc.get("account"),
            "owner": doc.get("owner"),
            "tier": tier,
            "target": placing.target if placing else None,
            "next_target": next_due.target if next_due else None,
            "next_due_at": instant(next_due.due_at) if next_due else None,
            "revenue_at_risk": doc.get("revenue_at_risk") or 0,
            "reason": words,
            "reasons": reasons,
        }
        for n, (_, doc, tier, placing, next_due, words, reasons) in enumerate(items)
    ]


def _reason_row(state: TargetState, now: datetime) -> dict[str, Any]:
    return {
        "target": state.target,
        "state": "overdue" if state.state == "missed" else state.state,
        "due_at": instant(state.due_at),
        "text": reason(state, now),
    }


# ---------------------------------------------------------------------- SLA


def unrecorded_breaches(doc: Doc, policy: SlaPolicy, now: datetime) -> list[TargetState]:
    """Targets of an open case that were missed and are not yet recorded as SlaBreached."""
    return [
        s
        for s in targets(doc, policy, now)
        if s.state == "missed" and not s.breach_recorded and s.due_at < now
    ]


def breaches(doc: Doc, states: list[TargetState], now: datetime) -> list[dict[str, Any]]:
    """The case's breaches by `now`, each dated at its due time (`breached_at`): the targets the
    policy says were missed by then, and the recorded ones (`recorded_at`, when the watcher
    recorded it; null while it has not), so a watcher that was down changes no date."""
    recorded = recorded_breaches(doc)
    labels = {state.target: state.label for state in states}
    rows: dict[str, dict[str, Any]] = {}
    for state in states:
        if state.state == "missed" and state.due_at <= now:
            at = recorded.get(state.target, {}).get("at")
            rows[state.target] = _breach_row(doc, state.target, state.label, state.due_at, at)
            rows[state.target]["reason"] = reason(state, now)
    for target, breach in recorded.items():
        due = parse_instant(breach["due_at"])
        if target not in rows and due is not None and due <= now:
            kind = target.split(":", 1)[0]
            label = labels.get(target) or KIND_WORDS.get(kind, kind.replace("_", " "))
            rows[target] = _breach_row(doc, target, label, due, breach.get("at"))
            rows[target]["reason"] = f"{label} missed (due {clock_words(due, now)})"
    return list(rows.values())


def _breach_row(
    doc: Doc, target: str, label: str, due: datetime, recorded_at: str | None
) -> dict[str, Any]:
    return {
        "id": doc["id"],
        "title": doc["title"],
        "severity": doc["severity"],
        "target": target,
        "label": label,
        "due_at": instant(due),
        "breached_at": instant(due),
        "recorded_at": recorded_at,
    }


def sla_report(
    docs: list[Doc], policy: SlaPolicy, now: datetime, since: datetime
) -> dict[str, Any]:
    attained: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # target kind -> [met, missed]
    missed, soon = [], []
    for doc in docs:
        states = targets(doc, policy, now)
        for state in states:
            if state.state in ("met", "missed") and state.due_at >= since:
                attained[state.kind][0 if state.state == "met" else 1] += 1
            if state.state == "pending" and state.due_at <= now + SOON:
                soon.append(_target_row(doc, state, now))
        missed += [b for b in breaches(doc, states, now) if b["breached_at"] >= instant(since)]
    met = sum(m for m, _ in attained.values())
    total = sum(m + x for m, x in attained.values())
    return {
        "as_of": instant(now),
        "since": instant(since),
        "attainment": round(met / total, 4) if total else None,
        "by_target": {
            kind: {
                "label": KIND_WORDS.get(kind, kind.replace("_", " ")),
                "met": m,
                "missed": x,
                "attainment": round(m / (m + x), 4) if m + x else None,
            }
            for kind, (m, x) in sorted(attained.items())
        },
        "breaches": sorted(missed, key=lambda b: (b["breached_at"], b["id"]), reverse=True),
        "breaching_within_hour": sorted(soon, key=lambda r: r["due_at"]),
    }


KIND_WORDS = {
    "first_response": "first response",
    "resolution": "resolution",
    "update": "promised next update",
    "update_after": "regular update",
    "legal_acknowledgement": "legal acknowledgement",
    "legal_deadline": "legal deadline",
    "bbb_deadline": "BBB response deadline",
    "account_commitment": "account commitment",
    "committed_deadline": "committed deadline",
    "bbb_response": "first reply to the BBB",
}


def _target_row(doc: Doc, state: TargetState, now: datetime) -> dict[str, Any]:
    return {
        "id": doc["id"],
        "title": doc["title"],
        "severity": doc["severity"],
        "target": state.target,
        "label": state.label,
        "due_at": instant(state.due_at),
        "minutes_left": round((state.due_at - now).total_seconds() / 60, 1),
        "reason": reason(state, now),
    }


# ------------------------------------------------------------------- metrics


def metrics(
    view: CasesView,
    since: datetime | None = None,
    policy: SlaPolicy | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Counts, means, CSAT, NPS and handle time of the cases opened since `since`; with a
    policy and a moment, also their SLA breaches by kind of target, dated at the due time."""
    agg = view.aggregates(since)
    csat_count = int(agg["csat_count"] or 0)
    nps_count = int(agg["nps_count"] or 0)
    docs = view.cases_opened(since)
    report: dict[str, Any] = {
        "since": instant(since),
        "cases": int(agg["cases"] or 0),
        "by_status": view.counts("status", since),
        "by_severity": view.counts("severity", since),
        "by_source": view.counts("source", since),
        "mean_time_to_acknowledge_seconds": _round(agg["mtta"]),
        "mean_time_to_resolve_seconds": _round(agg["mttr"]),
        "handle_time": handle_time(docs),
        "csat": {
            "responses": csat_count,
            "average": round(int(agg["csat_sum"] or 0) / csat_count, 2) if csat_count else None,
        },
        "nps": {
            "responses": nps_count,
            "score": round(
                100 * (int(agg["promoters"] or 0) - int(agg["detractors"] or 0)) / nps_count, 1
            )
            if nps_count
            else None,
        },
    }
    if policy is not None and now is not None:
        kinds: dict[str, int] = defaultdict(int)
        for doc in docs:
            for row in breaches(doc, targets(doc, policy, now), now):
                kinds[row["target"].split(":", 1)[0]] += 1
        report["sla_breaches"] = {
            "total": sum(kinds.values()),
            "by_target": dict(sorted(kinds.items())),
        }
    report["definitions"] = METRIC_DEFINITIONS
    return report


METRIC_DEFINITIONS = {
    "cases": "Escalations opened since `since` (all of them without it).",
    "mean_time_to_acknowledge_seconds": "Mean time from receiving a case to its first "
    "acknowledgement, over the cases acknowledged.",
    "mean_time_to_resolve_seconds": "Mean time from receiving a case to its first resolution, "
    "over the cases resolved.",
    "handle_time": DEFINITION,
    "sla_breaches": "Targets missed, each dated at its due time whether or not the watcher has "
    "recorded it yet, by kind of target.",
    "csat": "Mean of the CSAT answers (1 to 5).",
    "nps": "Percentage of promoters (9-10) minus percentage of detractors (0-6).",
}


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


# -------------------------------------------------------------------- trends


@dataclass
class Series:
    dimension: str
    value: str
    counts: list[int]  # per week, oldest first

    @property
    def change(self) -> int:
        return self.counts[-1] - self.counts[-2] if len(self.counts) > 1 else self.counts[-1]

    def spike_weeks(self, minimum: int = 3, factor: float = 2.0) -> list[int]:
        """Weeks whose count is at least `minimum` and `factor` times the mean of the weeks before."""
        spikes = []
        for n in range(1, len(self.counts)):
            before = self.counts[max(0, n - 4) : n]
            mean = sum(before) / len(before)
            if self.counts[n] >= minimum and self.counts[n] >= factor * max(mean, 0.5):
                spikes.append(n)
        return spikes


DIMENSIONS = {"tag": "categories", "component": "components", "root_cause": "root_causes",
              "source": "sources"}  # fmt: skip


def trends(view: CasesView, now: datetime, weeks: int = 8) -> dict[str, Any]:
    monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    starts = [monday - timedelta(weeks=weeks - 1 - n) for n in range(weeks)]
    labels = [iso_week(s) for s in starts]
    index = {w: n for n, w in enumerate(labels)}
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * weeks)
    totals = [0] * weeks
    for week, kind, value, n in view.weekly_labels(starts[0]):
        if week in index and kind in DIMENSIONS:
            counts[(kind, value)][index[week]] += n
            if kind == "source":
                totals[index[week]] += n
    result: dict[str, Any] = {"as_of": instant(now), "weeks": labels, "total": totals}
    for kind, title in DIMENSIONS.items():
        series = [Series(kind, v, c) for (k, v), c in counts.items() if k == kind]
        series.sort(key=lambda s: (-sum(s.counts), s.value))
        result[title] = [
            {
                "value": s.value,
                "counts": s.counts,
                "total": sum(s.counts),
                "recurring": sum(1 for c in s.counts if c) >= 2,
                "week_over_week": s.change,
                "spikes": [labels[n] for n in s.spike_weeks()],
            }
            for s in series
        ]
    return result


def trend_svg(report: dict[str, Any], width: int = 640, height: int = 200) -> str:
    """A small line chart of weekly totals and the top categories, as inline SVG."""
    weeks = report["weeks"]
    lines = [("total", report["total"])] + [
        (s["value"], s["counts"]) for s in report["categories"][:4]
    ]
    top = max([1] + [max(c) for _, c in lines])
    step = (width - 80) / max(len(weeks) - 1, 1)
    colours = ["#333", "#d9534f", "#0275d8", "#5cb85c", "#f0ad4e"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height + 40}"'
        f' viewBox="0 0 {width} {height + 40}"><title>Escalations per ISO week</title>'
    ]
    parts.append(f'<text x="4" y="24" font-size="10">{top}</text>')
    parts.append(f'<text x="4" y="{height}" font-size="10">0</text>')
    for n, week in enumerate(weeks):
        x = 40 + n * step
        parts.append(f'<text x="{x:.0f}" y="{height + 20}" font-size="10">{week[-3:]}</text>')
    for (name, values), colour in zip(lines, colours, strict=False):
        points = " ".join(
            f"{40 + n * step:.1f},{height - (v / top) * (height - 20):.1f}"
            for n, v in enumerate(values)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}">'
            f"<title>{_xml(name)}</title></polyline>"
        )
    legend = " ".join(
        f'<tspan fill="{c}">{_xml(n)}</tspan>' for (n, _), c in zip(lines, colours, strict=False)
    )
    parts.append(f'<text x="40" y="{height + 36}" font-size="11">{legend}</text></svg>')
    return "".join(parts)


def _xml(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
