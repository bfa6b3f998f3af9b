"""The whole OpenAPI, fuzzed with schemathesis in a reduced size (a fixed seed, so CI is stable;
bench/fuzz_openapi.py runs it at full size with fresh randomness)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings
from tests.proofs.fuzz import run_fuzz


def test_no_generated_request_gets_a_5xx_or_an_answer_that_breaks_the_schema(tmp_path) -> None:
    report = run_fuzz(tmp_path, max_examples=10, derandomize=True, log=lambda _: None)
    assert report.operations > 30
    assert report.calls > 500
    assert report.findings == []
    assert not any(status >= 500 for status in report.statuses)


EDGES = ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1969-12-31T23:59:59Z")


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/status", "as_of"),
        ("/status.json", "as_of"),
        ("/status/feed.atom", "as_of"),
        ("/escalations", "opened_after"),
        ("/escalations", "resolved_before"),
        ("/reports/metrics", "since"),
        ("/escalations/{id}", "as_of"),
        ("/escalations/{id}/timeline", "as_of"),
        ("/escalations/{id}/updates/executive", "as_of"),
    ],
)
def test_a_moment_at_the_ends_of_the_calendar_is_a_422_not_a_crash(
    tmp_path, path: str, name: str
) -> None:
    """Found by the full-size fuzz: converting such a moment to UTC, or reaching back a history
    window from it, left the range of dates (500s on the status page, list and reports)."""
    container = build(Settings(database_url=f"sqlite:///{tmp_path}/s.db"))
    secret = container.keys.create(name="t", role="admin", actor="t").secret
    opened = container.app.open(
        actor="t", title="x", scope="global", source="tools_outage", severity="SEV1"
    )
    client = TestClient(create_app(container), headers={"Authorization": f"Bearer {secret}"})
    url = path.replace("{id}", str(opened.escalation_id))
    for moment in EDGES:
        response = client.get(url, params={name: moment})
        assert response.status_code == 422, (moment, response.text)
    assert client.get(url, params={name: "2030-01-01T00:00:00Z"}).status_code in (200, 404)
    container.close()
