"""Reports computed from the case ledger at read time: triage queue, SLA, metrics, trends."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.values import severity_rank
from projections.base import Doc, instant
from projections.cases.base import CasesView, iso_week
from projections.sla import SlaPolicy, TargetState, targets

LEGAL_URGENT = timedelta(hours=72)
SOON = timedelta(hours=1)


def _human(delta: timedelta) -> str:
    seconds = abs(int(delta.total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400} d {seconds % 86400 // 3600} h"
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 60} min"


# ------------------------------------------------------------------ triage queue


def queue(docs: list[Doc], policy: SlaPolicy, now: datetime) -> list[dict[str, Any]]:
    """Open escalations, most urgent first, each with the reason for its place.

    Order: (1) a target already missed, (2) a legal deadline within 72 h or any target due within
    the hour, (3) the rest; within a tier by severity, then the earliest due target, then the
    money at risk (largest first).
    """
    items = []
    for doc in docs:
        states = targets(doc, policy, now)
        pending = sorted((s for s in states if s.state == "pending"), key=lambda s: s.due_at)
        overdue = [s for s in states if s.state == "missed" and s.met_at is None]
        legal = next((s for s in pending if s.target.startswith("legal")), None)
        next_due = pending[0] if pending else None
        if overdue:
            tier, why = 1, [f"{s.target} overdue by {_human(now - s.due_at)}" for s in overdue]
        elif (legal and legal.due_at - now <= LEGAL_URGENT) or (
            next_due and next_due.due_at - now <= SOON
        ):
            tier, why = 2, []
        else:
            tier, why = 3, []
        reason = [doc["severity"], *why]
        if next_due:
            reason.append(f"{next_due.target} due in {_human(next_due.due_at - now)}")
        if legal and legal is not next_due:
            reason.append(f"{legal.target} in {_human(legal.due_at - now)}")
        money = float(doc.get("revenue_at_risk") or 0)
        if money:
            reason.append(f"{money:,.0f} {doc.get('currency') or ''} at risk".strip())
        if doc.get("account"):
            reason.append(f"account {doc['account']}")
        earliest = min(
            [s.due_at for s in overdue] + ([next_due.due_at] if next_due else []), default=None
        )
        key = (
            tier,
            severity_rank(doc["severity"]),
            instant(earliest) or "~",
            -money,
            doc["id"],
        )
        items.append((key, doc, tier, next_due, "; ".join(reason)))
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
            "next_target": next_due.target if next_due else None,
            "next_due_at": instant(next_due.due_at) if next_due else None,
            "revenue_at_risk": doc.get("revenue_at_risk") or 0,
            "reason": reason,
        }
        for n, (_, doc, tier, next_due, reason) in enumerate(items)
    ]


# ---------------------------------------------------------------------- SLA


def unrecorded_breaches(doc: Doc, policy: SlaPolicy, now: datetime) -> list[TargetState]:
    """Targets of an open case that were missed and are not yet recorded as SlaBreached."""
    return [
        s
        for s in targets(doc, policy, now)
        if s.state == "missed" and not s.breach_recorded and s.due_at < now
    ]


def sla_report(
    docs: list[Doc], policy: SlaPolicy, now: datetime, since: datetime
) -> dict[str, Any]:
    attained: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # target kind -> [met, missed]
    breaches, soon = [], []
    for doc in docs:
        for state in targets(doc, policy, now):
            kind = state.target.split(":", 1)[0]
            if state.state in ("met", "missed") and state.due_at >= since:
                attained[kind][0 if state.state == "met" else 1] += 1
            if state.state == "pending" and state.due_at <= now + SOON:
                soon.append(_target_row(doc, state, now))
        for target, breach in sorted(doc["breaches"].items()):
            if breach["at"] >= (instant(since) or ""):
                breaches.append(
                    {"id": doc["id"], "title": doc["title"], "target": target, **breach}
                )
    met = sum(m for m, _ in attained.values())
    total = sum(m + x for m, x in attained.values())
    return {
        "as_of": instant(now),
        "since": instant(since),
        "attainment": round(met / total, 4) if total else None,
        "by_target": {
            kind: {"met": m, "missed": x, "attainment": round(m / (m + x), 4) if m + x else None}
            for kind, (m, x) in sorted(attained.items())
        },
        "breaches": sorted(breaches, key=lambda b: b["at"], reverse=True),
        "breaching_within_hour": sorted(soon, key=lambda r: r["due_at"]),
    }


def _target_row(doc: Doc, state: TargetState, now: datetime) -> dict[str, Any]:
    return {
        "id": doc["id"],
        "title": doc["title"],
        "severity": doc["severity"],
        "target": state.target,
        "due_at": instant(state.due_at),
        "minutes_left": round((state.due_at - now).total_seconds() / 60, 1),
    }


# ------------------------------------------------------------------- metrics


def metrics(view: CasesView, since: datetime | None = None) -> dict[str, Any]:
    agg = view.aggregates(since)
    csat_count = int(agg["csat_count"] or 0)
    nps_count = int(agg["nps_count"] or 0)
    return {
        "since": instant(since),
        "cases": int(agg["cases"] or 0),
        "by_status": view.counts("status", since),
        "by_severity": view.counts("severity", since),
        "by_source": view.counts("source", since),
        "mean_time_to_acknowledge_seconds": _round(agg["mtta"]),
        "mean_time_to_resolve_seconds": _round(agg["mttr"]),
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
