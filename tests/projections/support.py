"""Driving the application at explicit times, and catching views up without threads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from infra.application import CommandResult, Escalations
from infra.bootstrap import Container, build
from infra.settings import Settings
from infra.settings.views import ProjectionSettings
from infra.views.lifecycle import ViewSet, open_views
from infra.views.runner import catch_up


class Driver:
    """Runs commands as the API would, at the times a test names."""

    def __init__(self, app: Escalations) -> None:
        self.app = app

    def open(self, at: datetime, **fields: Any) -> UUID:
        fields.setdefault("scope", "customer")
        fields.setdefault("source", "email")
        fields.setdefault("severity", "SEV3")
        return self.app.open(actor="tester", at=at, **fields).escalation_id

    def do(self, escalation_id: UUID, at: datetime, command: str, **kwargs: Any) -> CommandResult:
        def action(escalation: Any, *others: Any, at: datetime) -> None:
            getattr(escalation, command)(*others, actor="tester", at=at, **kwargs)

        also = kwargs.pop("also", ())
        return self.app.execute(escalation_id, action, at=at, also=also)


def project(views: ViewSet, batch_size: int = 7) -> None:
    """Catch every view up to the head, in small batches so batch boundaries get exercised."""
    settings = ProjectionSettings(batch_size=batch_size)
    for view in views.views.values():
        catch_up(views.app, view, settings)


@contextmanager
def store(database_url: str, clock: Any) -> Iterator[tuple[Container, ViewSet, Driver]]:
    container = build(Settings(database_url=database_url), clock=clock)
    views = open_views(container)
    try:
        yield container, views, Driver(container.app)
    finally:
        views.close()
        container.close()


class BackendSuite:
    """A behaviour suite on a fresh store of the backend its test class names (the `url` fixture
    of `tests.backends.OnSQLite` / `OnPostgreSQL`)."""

    @pytest.fixture
    def running(self, url, clock):
        with store(url, clock) as opened:
            yield opened


def varied_history(driver: Driver, start: datetime, count: int = 12) -> list[UUID]:
    """A mix of scopes, sources, severities and lifecycles, `count` escalations from `start`."""
    sources = ["email", "bbb_complaint", "tools_outage", "priority_support", "social", "vendor"]
    ids = []
    for n in range(count):
        at = start + timedelta(hours=3 * n)
        scope = ("customer", "group", "global")[n % 3]
        eid = driver.open(
            at,
            title=f"Case {n} {'outage' if scope == 'global' else 'complaint'}",
            description=f"description {n}",
            scope=scope,
            source=sources[n % len(sources)],
            severity=f"SEV{1 + n % 4}",
            components=["Sync"] if n % 2 else ["Sign-in", "Checkout"],
            tags=["billing"] if n % 3 == 0 else ["sync", "desktop"],
            account=f"Account {n % 4}",
        )
        ids.append(eid)
        t = at
        if n % 4 != 3:
            t += timedelta(minutes=10)
            driver.do(eid, t, "acknowledge")
        t += timedelta(minutes=5)
        driver.do(eid, t, "assign_owner", owner=f"owner{n % 3}", team="cx")
        t += timedelta(minutes=5)
        driver.do(eid, t, "add_participant", name=f"eng{n}", role="participant", team="engineering")
        t += timedelta(minutes=5)
        driver.do(
            eid,
            t,
            "assess_impact",
            customers_affected=10 * n,
            revenue_at_risk=1000.0 * n,
            components={"Sync": "partial_outage"} if n % 2 else {"Sign-in": "major_outage"},
        )
        t += timedelta(minutes=5)
        driver.do(
            eid,
            t,
            "communicate",
            audience="public" if scope != "customer" else "customer",
            channel="status_page" if scope != "customer" else "email",
            subject=f"Update on case {n}",
            body=f"We are looking into case {n}.",
            next_update_due=t + timedelta(hours=1),
        )
        t += timedelta(minutes=20)
        driver.do(eid, t, "add_note", text=f"internal note {n}")
        if n % 3 != 2:
            t += timedelta(minutes=30)
            driver.do(eid, t, "change_status", status="identified", reason="found it")
            t += timedelta(minutes=10)
            driver.do(eid, t, "resolve", summary=f"fixed {n}")
            if n % 2 == 0:
                t += timedelta(minutes=10)
                driver.do(eid, t, "receive_feedback", csat=1 + n % 5, nps=n % 11)
                t += timedelta(minutes=10)
                driver.do(
                    eid,
                    t,
                    "record_postmortem",
                    summary="summary",
                    root_cause="cause",
                    root_cause_category="deploy" if n % 4 == 0 else "capacity",
                )
    return ids
