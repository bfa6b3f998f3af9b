"""State as of a moment on a 10,000-event stream (target: under 20 ms), on SQLite.

.venv/bin/python -m bench.as_of [--events 10000] [--queries 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from domain.escalation import Escalation
from infra.bootstrap import build
from infra.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/asof.db"
        container = build(Settings(database_url=url))
        app = container.app
        escalation = Escalation.open(
            actor="bench",
            at=start,
            title="Long-running global incident",
            scope="global",
            source="tools_outage",
            severity="SEV2",
        )
        app.save(escalation)
        eid = escalation.id
        loaded = time.perf_counter()
        # A realistic mix for a long incident: notes, communications to each audience, linked cases.
        audiences = ("public", "executive", "sales_cs", "customer")
        for i in range(1, args.events):
            at = start + timedelta(seconds=i)
            if i % 10 == 0:
                escalation.communicate(
                    actor="bench", at=at, audience=audiences[i % 4], channel="email",
                    body=f"Update {i}", next_update_due=at + timedelta(minutes=30),
                )  # fmt: skip
            elif i % 7 == 0:
                escalation.trigger_event(
                    Escalation.CaseLinked, timestamp=at, actor="bench", case_id=str(uuid4())
                )
            else:
                escalation.add_note(actor="bench", at=at, text=f"note {i}")
            if i % 100 == 0 or i == args.events - 1:
                app.save(escalation)  # snapshots are taken as usual, every interval
        print(f"wrote {args.events} events in {time.perf_counter() - loaded:.1f} s")
        samples = []
        rng = random.Random(7)
        for _ in range(args.queries):
            moment = start + timedelta(seconds=rng.uniform(0, args.events))
            t0 = time.perf_counter()
            state = app.get_as_of(eid, moment)
            samples.append((time.perf_counter() - t0) * 1000)
            assert state.modified_on <= moment
        samples.sort()
        p99 = samples[max(0, int(len(samples) * 0.99) - 1)]
        print(
            f"as_of on a {args.events}-event stream: p50 {statistics.median(samples):.2f} ms, "
            f"p99 {p99:.2f} ms, max {samples[-1]:.2f} ms (target < 20 ms)"
        )
        container.close()


if __name__ == "__main__":
    main()
