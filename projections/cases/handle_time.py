"""Handle time, as a contact centre means it (the time someone works the case), from the events.

A call centre's handle time is talk time plus after-call work: the span an agent is busy with the
contact, not the time it waits in a queue. Here that span starts at the first acknowledgement
(someone has taken the case; the wait before it is time to acknowledge) and ends at the first
resolution; the time the case spends in `monitoring` inside that span is left out, because then
the fix is out and nobody works the case, the team waits to see it hold.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from typing import Any

from projections.base import Doc, parse_instant

DEFINITION = (
    "Handle time of a case: from its first acknowledgement to its first resolution, minus the "
    "time within that span it spent in status 'monitoring' (the fix is out and the team waits "
    "to see it hold). Cases never acknowledged or not yet resolved have no handle time and are "
    "left out; work after a reopening is not counted. Grouped by the case's source and its "
    "current severity; mean, and the 50th and 90th percentiles by nearest rank (the smallest "
    "handle time that at least that share of the cases is at or below), in seconds."
)


def handle_seconds(doc: Doc) -> float | None:
    """The case's handle time in seconds, or None when it has none (see DEFINITION)."""
    start = parse_instant(doc["acknowledged_at"])
    end = parse_instant(doc["first_resolved_at"])
    if start is None or end is None or end < start:
        return None
    parked = 0.0
    for entered, left in doc.get("parked", []):
        a = max(_moment(entered), start)
        b = min(_moment(left) if left else end, end)
        if b > a:
            parked += (b - a).total_seconds()
    return (end - start).total_seconds() - parked


def nearest_rank(values: list[float], share: float) -> float:
    """The smallest value at least `share` of `values` are at or below (nearest-rank method)."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"cases": 0, "mean_seconds": None, "p50_seconds": None, "p90_seconds": None}
    return {
        "cases": len(values),
        "mean_seconds": round(sum(values) / len(values), 1),
        "p50_seconds": round(nearest_rank(values, 0.5), 1),
        "p90_seconds": round(nearest_rank(values, 0.9), 1),
    }


def handle_time(docs: list[Doc]) -> dict[str, Any]:
    """Handle time over `docs`: all of them, by source and by severity."""
    every: list[float] = []
    by: dict[str, dict[str, list[float]]] = {
        "source": defaultdict(list),
        "severity": defaultdict(list),
    }
    for doc in docs:
        seconds = handle_seconds(doc)
        if seconds is None:
            continue
        every.append(seconds)
        by["source"][doc["source"]].append(seconds)
        by["severity"][doc["severity"]].append(seconds)
    return {
        **summary(every),
        "by_source": {k: summary(v) for k, v in sorted(by["source"].items())},
        "by_severity": {k: summary(v) for k, v in sorted(by["severity"].items())},
    }


def _moment(text: str) -> datetime:
    moment = parse_instant(text)
    assert moment is not None
    return moment
