"""The queue and the reports as CSV tables, for spreadsheets.

Each report is one table: the queue one row per escalation; the SLA report, the metrics and the
trends, whose JSON has several parts, one row per entry of each part, named in a `section` column
(the columns a part does not use stay empty). Numbers stay numbers. Text a spreadsheet would read
as a formula (a cell starting with = + - @, or a tab or carriage return that some spreadsheets
skip before one) is written with a leading apostrophe, so a title typed by anyone cannot run as
a formula in the reader's spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """One value as a CSV cell: None empty, booleans as true/false, lists joined, formulas
    neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(columns: list[str], rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: cell(row.get(c)) for c in columns})
    return out.getvalue()


QUEUE_COLUMNS = [
    "rank", "id", "title", "severity", "status", "source", "account", "owner", "tier", "target",
    "next_target", "next_due_at", "revenue_at_risk", "reason",
]  # fmt: skip


def queue_csv(report: dict[str, Any]) -> str:
    return to_csv(QUEUE_COLUMNS, report["items"])


SLA_COLUMNS = [
    "section", "target", "label", "met", "missed", "attainment", "id", "title", "severity",
    "due_at", "breached_at", "recorded_at", "minutes_left", "reason",
]  # fmt: skip


def sla_csv(report: dict[str, Any]) -> str:
    """Sections: `attainment` (one row per kind of target, and `all`), `breach`, `due_soon`."""
    rows: list[dict[str, Any]] = [
        {
            "section": "attainment",
            "target": "all",
            "label": "all targets",
            "attainment": report["attainment"],
        }
    ]
    rows += [
        {"section": "attainment", "target": kind, **entry}
        for kind, entry in report["by_target"].items()
    ]
    rows += [{"section": "breach", **row} for row in report["breaches"]]
    rows += [{"section": "due_soon", **row} for row in report["breaching_within_hour"]]
    return to_csv(SLA_COLUMNS, rows)


METRICS_COLUMNS = [
    "section", "name", "value", "cases", "mean_seconds", "p50_seconds", "p90_seconds",
]  # fmt: skip
_SCALARS = ("cases", "mean_time_to_acknowledge_seconds", "mean_time_to_resolve_seconds")


def metrics_csv(report: dict[str, Any]) -> str:
    """Sections: `summary` (name, value), `by_status`/`by_severity`/`by_source` (name, count as
    value), `sla_breaches` (kind, count), `handle_time` (all, and `source:` and `severity:`
    groups, with cases, mean, p50, p90) and `definition` (name, the text)."""
    rows: list[dict[str, Any]] = [
        {"section": "summary", "name": name, "value": report[name]} for name in _SCALARS
    ]
    rows += [
        {"section": "summary", "name": "csat_average", "value": report["csat"]["average"]},
        {"section": "summary", "name": "csat_responses", "value": report["csat"]["responses"]},
        {"section": "summary", "name": "nps_score", "value": report["nps"]["score"]},
        {"section": "summary", "name": "nps_responses", "value": report["nps"]["responses"]},
    ]
    for part in ("by_status", "by_severity", "by_source"):
        rows += [{"section": part, "name": k, "value": n} for k, n in report[part].items()]
    if "sla_breaches" in report:
        rows += [
            {"section": "sla_breaches", "name": kind, "value": n}
            for kind, n in report["sla_breaches"]["by_target"].items()
        ]
    handle = report["handle_time"]
    rows.append({"section": "handle_time", "name": "all", **handle})
    for group in ("source", "severity"):
        rows += [
            {"section": "handle_time", "name": f"{group}:{key}", **entry}
            for key, entry in handle[f"by_{group}"].items()
        ]
    rows += [
        {"section": "definition", "name": name, "value": text}
        for name, text in report["definitions"].items()
    ]
    return to_csv(METRICS_COLUMNS, rows)


_TREND_PARTS = ("categories", "components", "root_causes", "sources")


def trends_csv(report: dict[str, Any]) -> str:
    """One row per series (`section` is the dimension, then `total` for all escalations), a
    column per ISO week, then total, week over week, recurring and the spike weeks."""
    weeks = list(report["weeks"])
    columns = ["section", "value", *weeks, "total", "week_over_week", "recurring", "spikes"]
    totals = report["total"]
    rows: list[dict[str, Any]] = [
        {
            "section": "total",
            "value": "all escalations",
            **dict(zip(weeks, totals, strict=True)),
            "total": sum(totals),
        }
    ]
    for part in _TREND_PARTS:
        for series in report[part]:
            rows.append(
                {"section": part, **series, **dict(zip(weeks, series["counts"], strict=True))}
            )
    return to_csv(columns, rows)
