"""Every HTML page the server answers, from a running server over the demo history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx

from infra.bootstrap import build
from infra.demo.scenarios import load_demo
from infra.settings import Settings
from tests.support import bearer, running_server

AUDIENCES = ("executive", "customer", "regulator", "sales_cs", "tactical")


@contextmanager
def demo_server(
    database_url: str, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[httpx.Client, str]]:
    """A server over the demo history, with an analyst's client (who reads every document)."""
    container = build(Settings(database_url=database_url))
    try:
        load_demo(container.app, datetime.now(UTC))
        secret = container.keys.create(name="auditor", role="analyst", actor="tests").secret
        head = container.app.recorder.max_notification_id() or 0
    finally:
        container.close()
    with (
        running_server(database_url, extra_env=extra_env) as base,
        httpx.Client(base_url=base, headers=bearer(secret), timeout=30) as http,
    ):
        # every view has the whole history before a page is read
        assert http.get(f"/queue?wait_for={head}").headers.get("Escalations-View-Stale") is None
        yield http, str(head)


def html_pages(http: httpx.Client, head: str) -> dict[str, str]:
    """path -> HTML of the status page, the trends and metrics reports and every document of every
    escalation the demo tells."""
    paths = [
        f"/status?wait_for={head}",
        "/reports/trends?format=html",
        "/reports/metrics?format=html",
    ]
    ids = [item["id"] for item in http.get("/escalations", params={"limit": 100}).json()["items"]]
    assert ids
    for eid in ids:
        paths += [f"/escalations/{eid}/updates/{a}?format=html" for a in AUDIENCES]
        paths += [
            f"/escalations/{eid}/timeline?format=html",
            f"/escalations/{eid}/postmortem?format=html",
        ]
    pages = {}
    for path in paths:
        response = http.get(path)
        if response.status_code == 404 and "/postmortem" in path:
            continue  # not every escalation has had its post-mortem
        if response.status_code == 404 and path.endswith("/updates/regulator?format=html"):
            assert response.json()["type"] == "/problems/no-regulator", path
            continue  # only an escalation a regulator is involved in has a regulator response
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith("text/html"), path
        pages[path] = response.text
    assert any("/postmortem" in path for path in pages)
    assert any("/updates/regulator" in path for path in pages)
    return pages
