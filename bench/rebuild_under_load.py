"""Rebuilding the views while the serving process's runners follow four writers.

    python -m bench.rebuild_under_load [--events 20000] [--rebuilds 8] [--writers 4]
                                       [--postgres URL]

For each store: load `--events` events, start the views' runners (as `serve` does), start the
writers (open, acknowledge, note: three commands per escalation), rebuild all three views
`--rebuilds` times in turn, stop the writers, and check that every view reaches the head, that no
rebuild and no runner failed, and that every view equals a fresh rebuild. The suite's
`tests/projections/test_rebuild_while_serving.py` is the small form. Figures: docs/reliability.md.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.projections import load
from bench.stores import on_each_store, store_arguments
from infra.application import Escalations
from infra.bootstrap import build
from infra.settings import Settings
from infra.views.lifecycle import VIEWS, open_views, rebuild, start_projections


def _acknowledge(escalation: Any, *, at: datetime) -> None:
    escalation.acknowledge(actor="writer", at=at)


def _note(escalation: Any, *, at: datetime) -> None:
    escalation.add_note(actor="writer", at=at, text="note")  # its id is no extra of the answer


def write(app: Escalations, stop: threading.Event, done: list[int], errors: list[str]) -> None:
    at = datetime.now(UTC)
    commands = 0
    try:
        while not stop.is_set():
            at += timedelta(seconds=1)
            result = app.open(actor="writer", at=at, title="Under load", scope="global",
                              source="tools_outage", severity="SEV3", tags=["load"])  # fmt: skip
            eid = result.escalation_id
            app.execute(eid, _acknowledge, at=at)
            app.execute(eid, _note, at=at)
            commands += 3
    except Exception as error:  # counted and printed: the figure is that there are none
        errors.append(repr(error))
    done.append(commands)


def run(url: str, events: int, rebuilds: int, writers: int) -> None:
    container = build(Settings(database_url=url))
    try:
        head = load(container.app, events)
        print(f"  stored {head:,} events")
        serving = start_projections(container)
        assert serving.wait_for(head, 600)
        stop, done, errors = threading.Event(), [], []
        threads = [
            threading.Thread(target=write, args=(container.app, stop, done, errors))
            for _ in range(writers)
        ]
        for thread in threads:
            thread.start()
        failures, times = [], []
        started = time.perf_counter()
        for n in range(rebuilds):
            name = list(VIEWS)[n % len(VIEWS)]
            t0 = time.perf_counter()
            try:
                rebuild(container, name)
            except Exception as error:
                failures.append(f"{name}: {error!r}")
            times.append(time.perf_counter() - t0)
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        head = container.app.recorder.max_notification_id() or 0
        t0 = time.perf_counter()
        at_head = serving.wait_for(head, 120)
        settle = time.perf_counter() - t0
        views = open_views(container)
        served = {name: views[name].documents() for name in VIEWS}
        serving.stop()
        unequal = []
        for name in VIEWS:
            rebuild(container, name)
            if views[name].documents() != served[name]:
                unequal.append(name)
        views.close()
        print(f"  {rebuilds} rebuilds in {elapsed:.1f} s (each {min(times):.2f}-{max(times):.2f} s)"
              f" under {writers} writers: {sum(done):,} commands ({sum(done) / elapsed:,.0f}/s)")  # fmt: skip
        print(f"  rebuild failures: {len(failures)} {failures}")
        print(f"  writer failures: {len(errors)} {errors[:3]}")
        print(f"  runner faults/errors: {serving.faults() or serving.errors() or 'none'}")
        print(f"  every view at the head ({head:,}): {at_head}, {settle:.2f} s after the writers")
        print(f"  views unequal to a fresh rebuild: {unequal or 'none'}")
    finally:
        container.close()


def main() -> None:
    parser = store_arguments(__doc__, events=20_000)
    parser.add_argument("--rebuilds", type=int, default=8)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()
    on_each_store(
        lambda url: run(url, args.events, args.rebuilds, args.writers), args.events, args.postgres
    )


if __name__ == "__main__":
    main()
