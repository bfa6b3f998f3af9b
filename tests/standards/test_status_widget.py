"""Atlassian's own Statuspage widget, loaded unchanged from its npm package into a page of another
origin, reads our Statuspage API v2 and shows our status: the proof that the shapes (and CORS)
are what Statuspage's clients expect."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.conftest import IN_CI
from tests.projections.test_status_in_browser import ARGS, CHROMIUM
from tests.standards.checkers import STATUS_WIDGET, require
from tests.support import bearer, issue_key, running_server

pytestmark = pytest.mark.browser

EMBEDDING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Our intranet</title>
<script src="status-widget.js"></script></head>
<body>
<statuspage-widget id="basic" src="{base}"></statuspage-widget>
<statuspage-widget id="badge" src="{base}" appearance="badge"></statuspage-widget>
</body></html>
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def embedding_site(folder: Path, base: str) -> Iterator[str]:
    """A static site on its own port (another origin than the API) with the widget on a page."""
    (folder / "status-widget.js").write_bytes(require(STATUS_WIDGET).read_bytes())
    (folder / "index.html").write_text(EMBEDDING.format(base=base), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def _shown(page, widget: str) -> tuple[str, str]:
    """(text, indicator classes) the widget renders in its shadow root."""
    text = page.locator(f"#{widget} .status-text")
    text.wait_for(timeout=15_000)
    classes = page.locator(f"#{widget} .status-indicator").get_attribute("class") or ""
    return text.inner_text().strip(), classes


def test_statuspage_widget_shows_our_status_from_another_origin(sqlite_url, tmp_path):
    if not CHROMIUM.exists():
        message = "Chromium is missing: run scripts/ensure-chromium.sh"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    secret = issue_key(sqlite_url, "manager", name="bcp.lead")
    with (
        running_server(sqlite_url) as base,
        httpx.Client(base_url=base, headers=bearer(secret)) as http,
        embedding_site(tmp_path, base) as site,
        sync_playwright() as playwright,
    ):
        opened = http.post("/escalations", json={
            "title": "Search is slow", "scope": "global", "source": "tools_outage",
            "severity": "SEV2", "components": ["Search", "CRM"]})  # fmt: skip
        eid = opened.json()["id"]
        http.post(f"/escalations/{eid}/impact", json={
            "customers_affected": 10, "components": {"Search": "degraded_performance"}})  # fmt: skip
        posted = http.post(f"/escalations/{eid}/communications", json={
            "audience": "public", "channel": "status_page", "body": "Searches take longer."})  # fmt: skip
        position = posted.headers["Escalations-Position"]
        summary = http.get(f"/api/v2/summary.json?wait_for={position}").json()
        assert summary["status"]["description"] == "Minor Service Outage"

        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            cross_origin = []
            page.on("response", lambda r: cross_origin.append(r) if "/api/v2/" in r.url else None)
            page.goto(site)
            assert _shown(page, "basic") == ("Minor Service Outage", "status-indicator minor")
            # the badge shows its title, and our description in the coloured indicator
            badge = page.locator("#badge .status-indicator")
            assert (badge.text_content() or "").strip() == "Minor Service Outage"
            assert "minor" in (badge.get_attribute("class") or "")
            assert page.locator("#basic a").get_attribute("href") == base
            assert cross_origin and cross_origin[0].url == f"{base}/api/v2/summary.json"

            # the incident is over and a coordinator's planned downtime is under way
            now = datetime.now(UTC)
            resolved = http.post(f"/escalations/{eid}/resolve", json={"summary": "Index rebuilt"})
            assert resolved.status_code == 200, resolved.text
            planned = http.post("/escalations", json={
                "title": "CRM upgrade", "scope": "group", "source": "internal",
                "severity": "SEV4", "components": ["CRM"]}).json()["id"]  # fmt: skip
            scheduled = http.post(f"/escalations/{planned}/maintenances", json={
                "title": "CRM upgrade", "components": ["CRM"],
                "starts_at": now.isoformat(), "ends_at": (now + timedelta(hours=1)).isoformat()})  # fmt: skip
            assert scheduled.status_code == 200, scheduled.text
            started = http.post(f"/escalations/{planned}/maintenances/m1/start")
            assert started.status_code == 200, started.text
            later = started.headers["Escalations-Position"]
            summary = http.get(f"/api/v2/summary.json?wait_for={later}").json()
            assert summary["status"]["indicator"] == "maintenance"
            page.reload()
            assert _shown(page, "basic") == (
                "Service Under Maintenance",
                "status-indicator maintenance",
            )
            page.close()
        finally:
            browser.close()
