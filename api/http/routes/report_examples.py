"""The reference's examples of the queue and the reports, JSON and CSV, dated when it is served.

A report is read at a moment and speaks of moments before and after it; fixed dates in an example
would soon all be in the past, and the reference shows no stale moment. So the examples are
written around a moment two days after the reference is served (`document_report_examples`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI

from domain.moments import utc_text

CASE = "6f1c2b9e-1d1e-4c55-9a43-1f1f7c6d2a10"
TITLE = "Checkout failing for EU customers"
QUEUE_REASON = (
    "SEV1; first response overdue by 2 h; next update to executives due in 20 min "
    "(promised {promised}); 120,000 USD at risk"
)


def _queue(at: datetime) -> tuple[dict[str, Any], str]:
    def t(**delta: float) -> str:
        return utc_text(at + timedelta(**delta))

    promised = (at + timedelta(minutes=20)).strftime("%H:%M UTC")
    reason = QUEUE_REASON.format(promised=promised)
    item = {
        "rank": 1, "id": CASE, "title": TITLE, "severity": "SEV1", "status": "investigating",
        "source": "tools_outage", "account": None, "owner": "maria", "tier": 1,
        "target": "first_response", "next_target": "update:c1", "next_due_at": t(minutes=20),
        "revenue_at_risk": 120000.0, "reason": reason,
        "reasons": [
            {"target": "first_response", "state": "overdue", "due_at": t(hours=-2),
             "text": "first response overdue by 2 h"},
            {"target": "update:c1", "state": "pending", "due_at": t(minutes=20),
             "text": f"next update to executives due in 20 min (promised {promised})"},
        ],
    }  # fmt: skip
    csv = (
        "rank,id,title,severity,status,source,account,owner,tier,target,next_target,"
        f"next_due_at,revenue_at_risk,reason\r\n1,{CASE},{TITLE},SEV1,investigating,"
        f'tools_outage,,maria,1,first_response,update:c1,{t(minutes=20)},120000.0,"{reason}"\r\n'
    )
    return {"as_of": t(), "items": [item]}, csv


def _sla(at: datetime) -> tuple[dict[str, Any], str]:
    def t(**delta: float) -> str:
        return utc_text(at + timedelta(**delta))

    breach = {
        "id": CASE, "title": TITLE, "severity": "SEV1", "target": "first_response",
        "label": "first response", "due_at": t(hours=-2), "breached_at": t(hours=-2),
        "recorded_at": t(hours=-1, minutes=-35), "reason": "first response overdue by 2 h",
    }  # fmt: skip
    report = {
        "as_of": t(),
        "since": utc_text(at - timedelta(days=1)),  # ?days=1
        "attainment": 0.8,
        "by_target": {
            "first_response": {"label": "first response", "met": 4, "missed": 1, "attainment": 0.8},
        },
        "breaches": [breach],
        "breaching_within_hour": [],
    }
    csv = (
        "section,target,label,met,missed,attainment,id,title,severity,due_at,breached_at,"
        "recorded_at,minutes_left,reason\r\nattainment,all,all targets,,,0.8,,,,,,,,\r\n"
        "attainment,first_response,first response,4,1,0.8,,,,,,,,\r\n"
        f"breach,first_response,first response,,,,{CASE},{TITLE},SEV1,{breach['due_at']},"
        f"{breach['breached_at']},{breach['recorded_at']},,first response overdue by 2 h\r\n"
    )
    return report, csv


def _metrics(at: datetime) -> tuple[dict[str, Any], str]:
    handle = {"cases": 2, "mean_seconds": 3300.0, "p50_seconds": 2400.0, "p90_seconds": 4200.0}
    report = {
        "as_of": utc_text(at),
        "since": None,
        "cases": 3,
        "mean_time_to_acknowledge_seconds": 900.0,
        "mean_time_to_resolve_seconds": 4500.0,
        "handle_time": {**handle, "by_source": {"email": handle}, "by_severity": {"SEV2": handle}},
        "sla_breaches": {"total": 1, "by_target": {"first_response": 1}},
        "definitions": {
            "handle_time": "Handle time of a case: from its first acknowledgement to its first "
            "resolution, minus the time within that span it spent in status 'monitoring' ..."
        },
    }
    csv = (
        "section,name,value,cases,mean_seconds,p50_seconds,p90_seconds\r\n"
        "summary,cases,3,,,,\r\nhandle_time,all,,2,3300.0,2400.0,4200.0\r\n"
        "handle_time,source:email,,2,3300.0,2400.0,4200.0\r\n"
        "sla_breaches,first_response,1,,,,\r\n"
    )
    return report, csv


def _trends(at: datetime) -> tuple[dict[str, Any], str]:
    week, before = at.isocalendar(), (at - timedelta(weeks=1)).isocalendar()
    weeks = [f"{before[0]}-W{before[1]:02d}", f"{week[0]}-W{week[1]:02d}"]
    series = {"value": "billing", "counts": [1, 5], "total": 6, "recurring": True,
              "week_over_week": 4, "spikes": [weeks[1]]}  # fmt: skip
    report = {"as_of": utc_text(at), "weeks": weeks, "total": [1, 5], "categories": [series]}
    csv = (
        f"section,value,{weeks[0]},{weeks[1]},total,week_over_week,recurring,spikes\r\n"
        f"total,all escalations,1,5,6,,,\r\ncategories,billing,1,5,6,4,true,{weeks[1]}\r\n"
    )
    return report, csv


EXAMPLES: dict[str, Callable[[datetime], tuple[dict[str, Any], str]]] = {
    "/queue": _queue,
    "/reports/sla": _sla,
    "/reports/metrics": _metrics,
    "/reports/trends": _trends,
}


def document_report_examples(app: FastAPI, clock: Callable[[], datetime]) -> None:
    """Sets the JSON and CSV examples of the queue and the reports each time the reference is
    served, around a moment two days on (so that every moment they show is still to come)."""
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build_openapi()
        at = (clock() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        for path, example in EXAMPLES.items():
            operation = schema.get("paths", {}).get(path, {}).get("get")
            if operation is None:
                continue
            report, csv = example(at)
            content = operation["responses"]["200"]["content"]
            content["application/json"] = content["application/json"] | {"example": report}
            content["text/csv"] = content["text/csv"] | {"example": csv}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
