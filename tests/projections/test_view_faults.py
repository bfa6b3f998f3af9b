"""A view that fails on an event keeps retrying and says so: `/healthz` reports the event and the
error (503 with ?ready=true), `escalations projections status` shows it, and `projections skip`
moves the view past that one event with the reason recorded, after which it serves again.

The failure is the database's own: a trigger refuses to store one escalation's document, as a
backend refuses what it cannot hold."""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli.main import cli
from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings
from infra.views.lifecycle import open_views, rebuild, start_projections
from tests.projections.support import Driver, serving
from tests.support import bearer, issue_key

SQLITE_TRIGGER = (
    "CREATE TRIGGER refuse BEFORE INSERT ON search_docs WHEN NEW.doc LIKE '%POISON%' "
    "BEGIN SELECT RAISE(ABORT, 'refused by the database'); END"
)
POSTGRES_TRIGGER = """
CREATE FUNCTION "{schema}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.doc LIKE '%POISON%' THEN RAISE EXCEPTION 'refused by the database'; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER refuse BEFORE INSERT ON "{schema}".search_docs
  FOR EACH ROW EXECUTE FUNCTION "{schema}".refuse();
"""


def refuse_poison(container, views, refuse: bool) -> None:
    view = views["search"]
    if container.settings.is_postgres:
        schema = view.schema
        sql = POSTGRES_TRIGGER.format(schema=schema) if refuse else (
            f'DROP TRIGGER refuse ON "{schema}".search_docs'
        )  # fmt: skip
    else:
        sql = SQLITE_TRIGGER if refuse else "DROP TRIGGER refuse"
    with view.writing() as c:
        c.execute(sql)


def until(check, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError("not reached in time")


def test_a_view_stopped_on_an_event_is_visible_and_can_skip_it(database_url, clock):
    container = build(Settings(database_url=database_url), clock=clock)
    app = create_app(container, lifespan_hooks=[lambda: start_projections(container)])
    driver = Driver(container.app)
    views = open_views(container)
    refuse_poison(container, views, refuse=True)
    at = clock.now - timedelta(hours=1)
    env = {"ESCALATIONS_DATABASE_URL": database_url, "COLUMNS": "250"}
    try:
        with TestClient(app) as client:
            client.headers.update(bearer(issue_key(container, "admin", name="tester")))
            before = driver.open(at, title="Before it")
            driver.open(at + timedelta(minutes=1), title="POISON")
            poison = container.app.recorder.max_notification_id()
            after = driver.open(at + timedelta(minutes=2), title="After it")
            head = container.app.recorder.max_notification_id()

            ready = until(lambda: (r := client.get("/healthz?ready=true")).status_code == 503 and r)
            search = {v["view"]: v for v in ready.json()["views"]}["search"]
            assert search["fault"]["failing"] == poison
            assert "refused by the database" in search["fault"]["error"]
            assert search["position"] == poison - 1  # the events before it were applied
            alive = client.get("/healthz")
            assert alive.status_code == 200 and alive.json()["status"] == "degraded"
            listed = client.get("/escalations").json()["items"]
            assert [item["id"] for item in listed] == [str(before)]
            assert views.wait_for(head, 10, ["status", "cases"])  # the other views go on

            status = CliRunner().invoke(cli, ["projections", "status"], env=env)
            assert status.exit_code == 1, status.output
            assert str(poison) in status.output and "refused" in status.output

            wrong = CliRunner().invoke(
                cli, ["projections", "skip", "search", "--position", str(head), "--reason", "x"],
                env=env,
            )  # fmt: skip
            assert wrong.exit_code == 2 and f"is {poison}" in wrong.output, wrong.output
            skipped = CliRunner().invoke(
                cli, ["projections", "skip", "search", "--position", str(poison),
                      "--reason", "poisoned title, see ticket 12"], env=env,
            )  # fmt: skip
            assert skipped.exit_code == 0, skipped.output

            listed = client.get("/escalations", params={"wait_for": head})
            assert "Escalations-View-Stale" not in listed.headers
            assert {item["id"] for item in listed.json()["items"]} == {str(before), str(after)}
            assert until(lambda: client.get("/healthz?ready=true").status_code == 200)
            status = CliRunner().invoke(cli, ["projections", "status"], env=env)
            assert status.exit_code == 0, status.output
            assert "poisoned title, see ticket 12" in status.output
        refuse_poison(container, views, refuse=False)
        served = views["search"].documents()
        rebuild(container, "search")  # the skip holds for a rebuild too
        assert views["search"].documents() == served
    finally:
        views.close()
        container.close()


def test_a_view_whose_failure_passes_carries_on_by_itself(database_url, clock):
    with serving(database_url, clock) as (container, running, views):
        refuse_poison(container, views, refuse=True)
        eid = Driver(container.app).open(clock.now, title="POISON")
        head = container.app.recorder.max_notification_id()
        until(lambda: views["search"].fault(container.app.name))
        assert running.faults()["search"].failing == head
        assert not running.wait_for(head, 0.2)
        refuse_poison(container, views, refuse=False)  # the database takes it again
        assert running.wait_for(head, 20)
        assert [doc["id"] for doc in views["search"].documents()] == [str(eid)]
        assert until(lambda: views["search"].fault(container.app.name) is None)
        assert not running.faults() and not running.errors()
