"""Projection benchmarks: catch-up (rebuild) events/s per view, and command-to-visible latency.

    python -m bench.projections [--events 100000] [--commands 500] [--postgres URL]

Targets (docs/performance.md): catch-up at least 20,000 events/s; a command visible on the status
page and in the list within 100 ms at p99. Writes nothing but a temporary store.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

from bench.stores import on_each_store, store_arguments
from domain.escalation import Escalation
from infra.application import Escalations
from infra.bootstrap import Container, build
from infra.settings import Settings
from infra.views.lifecycle import VIEWS, open_views, rebuild, start_projections

SCOPES = ("global", "group", "customer")


def load(app: Escalations, events: int) -> int:
    """Escalations of 50 events each (a realistic mix), each saved in one transaction."""
    start = datetime.now(UTC) - timedelta(days=60)
    per = 50
    for n in range(max(events // per, 1)):
        at = start + timedelta(minutes=n)
        e = Escalation.open(
            actor="bench", at=at, title=f"Escalation {n}", scope=SCOPES[n % 3],
            source="tools_outage", severity=f"SEV{1 + n % 4}", components=["Sync", "Sign-in"],
            tags=["sync", f"tag{n % 7}"], customer={"subject_id": f"s{n}", "name": "Customer"},
        )  # fmt: skip
        e.acknowledge(actor="bench", at=at)
        e.assign_owner(actor="bench", at=at, owner=f"owner{n % 5}", team="cx")
        for k in range(per - 3):
            at += timedelta(seconds=30)
            kind = k % 4
            if kind == 0:
                e.communicate(actor="bench", at=at, audience="public", channel="status_page",
                              body=f"update {k}", next_update_due=at + timedelta(hours=1))  # fmt: skip
            elif kind == 1:
                e.add_note(actor="bench", at=at, text=f"note {k}")
            elif kind == 2:
                e.assess_impact(actor="bench", at=at, customers_affected=k,
                                components={"Sync": "partial_outage"})  # fmt: skip
            else:
                e.add_participant(
                    actor="bench", at=at, name=f"p{k}", role="observer", team="engineering"
                )
        app.save(e)
    return app.recorder.max_notification_id() or 0


def catch_up_rates(container: Container) -> dict[str, float]:
    rates = {}
    for name in VIEWS:
        started = time.perf_counter()
        done = rebuild(container, name)
        rates[name] = done / (time.perf_counter() - started)
    head = container.app.recorder.max_notification_id() or 0
    views = open_views(container)
    for view in views.views.values():
        view.reset(container.app.name)
    started = time.perf_counter()
    handle = start_projections(container)
    handle.wait_for(head, timeout=600)
    rates["all three at once (per view)"] = head / (time.perf_counter() - started)
    handle.stop()
    views.close()
    return rates


def command_to_visible(container: Container, commands: int) -> dict[str, float]:
    """Run commands with the runners going; time until the status and search views show each."""
    app = container.app
    handle = start_projections(container)
    reader = open_views(container, ["status", "search"])
    eid: UUID = app.open(actor="bench", title="Latency probe", scope="global",
                         source="tools_outage", severity="SEV2").escalation_id  # fmt: skip
    after_command, end_to_end = [], []
    try:
        for n in range(commands):
            started = time.perf_counter()
            result = app.run(
                "communicate",
                eid,
                actor="bench",
                audience="public",
                channel="status_page",
                body=f"probe {n}",
            )
            committed = time.perf_counter()
            assert result.position is not None
            assert reader.wait_for(result.position, timeout=5)
            visible = time.perf_counter()
            after_command.append((visible - committed) * 1000)
            end_to_end.append((visible - started) * 1000)
            time.sleep(0.005)
    finally:
        reader.close()
        handle.stop()
    return {
        "p50 ms (commit -> visible)": statistics.median(after_command),
        "p99 ms (commit -> visible)": percentile(after_command, 99),
        "p99 ms (command start -> visible)": percentile(end_to_end, 99),
        "max ms (commit -> visible)": max(after_command),
    }


def read_latency(container: Container, reads: int) -> dict[str, float]:
    """The status page (folded live from the status view) and a first page of the list."""
    from projections.search.base import SearchQuery
    from projections.status.page import build_page
    from projections.status.statuspage import summary as summary_json

    views = open_views(container, ["status", "search"])
    now = datetime.now(UTC)
    page_ms, list_ms, filtered_ms = [], [], []
    try:
        for _ in range(reads):
            started = time.perf_counter()
            docs = views["status"].documents_for(now, timedelta(days=90))
            summary_json(build_page(docs, now, page_id="b", page_name="Bench", url="http://b",
                                    configured_components=[]))  # fmt: skip
            page_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            views["search"].search(SearchQuery(limit=50))
            list_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            views["search"].search(
                SearchQuery(limit=50, severity=["SEV1"], tag="tag3", text="sync")
            )
            filtered_ms.append((time.perf_counter() - started) * 1000)
    finally:
        views.close()
    return {
        f"status page p99 ms ({len(docs)} incidents)": percentile(page_ms, 99),
        "list, first 50, p99 ms": percentile(list_ms, 99),
        "list, filtered, p99 ms": percentile(filtered_ms, 99),
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(url: str, events: int, commands: int) -> None:
    container = build(Settings(database_url=url))
    try:
        started = time.perf_counter()
        head = load(container.app, events)
        print(f"  stored {head:,} events in {time.perf_counter() - started:.1f} s")
        for name, rate in catch_up_rates(container).items():
            print(f"  catch-up {name:<28} {rate:>10,.0f} events/s")
        for name, value in command_to_visible(container, commands).items():
            print(f"  {name:<36} {value:>8.1f}")
        for name, value in read_latency(container, 100).items():
            print(f"  {name:<36} {value:>8.1f}")
    finally:
        container.close()


def main() -> None:
    parser = store_arguments(__doc__, events=100_000)
    parser.add_argument("--commands", type=int, default=500)
    args = parser.parse_args()
    on_each_store(lambda url: run(url, args.events, args.commands), args.events, args.postgres)


if __name__ == "__main__":
    main()
