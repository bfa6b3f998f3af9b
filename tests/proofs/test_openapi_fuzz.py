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


@pytest.mark.parametrize("path", ["/status", "/status.json", "/status/feed.atom"])
def test_a_status_page_as_of_before_1970_is_a_422_not_a_crash(tmp_path, path: str) -> None:
    """Found by the full-size fuzz: ?as_of=0001-01-01 overflowed the page's history window."""
    container = build(Settings(database_url=f"sqlite:///{tmp_path}/s.db"))
    client = TestClient(create_app(container))
    for moment, status in (("0001-01-01T00:00:00Z", 422), ("1970-01-01T00:00:00Z", 200)):
        response = client.get(path, params={"as_of": moment})
        assert response.status_code == status, response.text
    container.close()
