"""The status page in a real browser: an update posted through the API appears without a reload.

Needs Debian's Chromium (scripts/ensure-chromium.sh installs it; `make test` runs that first).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import IN_CI
from tests.support import bearer, issue_key, running_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page():
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("Chromium is required in CI: run scripts/ensure-chromium.sh")
        pytest.skip("Chromium is not installed here (scripts/ensure-chromium.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_a_public_update_appears_on_the_open_status_page_without_a_reload(sqlite_url, browser_page):
    env = {"ESCALATIONS_STATUS_PAGE_NAME": "Acme status"}
    secret = issue_key(sqlite_url, "manager", name="maria.chen")
    with running_server(sqlite_url, extra_env=env) as base, httpx.Client(base_url=base) as http:
        headers = bearer(secret)
        opened = http.post(
            "/escalations",
            headers=headers,
            json={
                "title": "Sync delays",
                "scope": "global",
                "source": "tools_outage",
                "severity": "SEV2",
                "components": ["Sync"],
            },
        )
        eid = opened.json()["id"]

        def post_update(body: str) -> str:
            response = http.post(
                f"/escalations/{eid}/communications",
                headers=headers,
                json={"audience": "public", "channel": "status_page", "body": body},
            )
            assert response.status_code == 200, response.text
            return response.headers["Escalations-Position"]

        position = post_update("We are investigating delayed uploads.")
        page = browser_page
        page.goto(f"{base}/status?wait_for={position}")
        assert page.title().startswith("Acme status")
        assert page.locator("#active h3").inner_text() == "Sync delays"
        assert page.get_by_text("We are investigating delayed uploads.").is_visible()
        page.evaluate("window.loadedOnce = true")

        post_update("A fix is rolling out; uploads are catching up.")
        page.locator("#live").get_by_text(
            "A fix is rolling out; uploads are catching up."
        ).wait_for(timeout=15_000)
        assert page.evaluate("window.loadedOnce") is True  # the same document: no reload
        bodies = page.locator("#active .update").all_inner_texts()
        assert len(bodies) == 2  # newest first
        assert bodies[0].lower().startswith("investigating")
        assert "A fix is rolling out" in bodies[0]
        # only what changed is announced, in the one live region
        announced = page.locator("#announce").inner_text()
        assert "A fix is rolling out" in announced and "investigating delayed" not in announced
        # the tab title follows the page: resolving the only incident settles the whole page
        assert "All Systems Operational" not in page.title()
        resolved = http.post(
            f"/escalations/{eid}/resolve", headers=headers, json={"summary": "Rolled back"}
        )
        assert resolved.status_code == 200, resolved.text
        page.wait_for_function("document.title.includes('All Systems Operational')", timeout=15_000)
        assert page.title() == "Acme status - All Systems Operational"
        assert page.evaluate("window.loadedOnce") is True
        page.close()  # ends the event stream, so the server can stop at once
