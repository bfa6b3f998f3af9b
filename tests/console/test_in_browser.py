"""The console in Debian's Chromium against `escalations serve`: a manager signs in with the
keyboard at phone width, opens the queue and an escalation, acknowledges it and moves its
status; the stream then holds those events with the person as their actor. The pages have no
serious accessibility violation (axe-core) and no Nu Html Checker error."""

from __future__ import annotations

from contextlib import contextmanager

import httpx
import pytest

from infra.bootstrap import build
from infra.settings import Settings
from tests.console.support import OPEN, PASSWORD, csrf_of
from tests.projections.test_status_in_browser import ARGS, CHROMIUM
from tests.standards.checkers import axe_violations, nu_html_errors
from tests.support import bearer, running_server

pytestmark = pytest.mark.browser
MANAGER = "maria.chen@example.com"


@contextmanager
def console_server(database_url: str):
    container = build(Settings(database_url=database_url))
    try:
        container.console.people.create(
            email=MANAGER,
            name="Maria Chen",
            role="manager",
            team="CX",
            time_zone="Europe/Berlin",
            password=PASSWORD,
            actor="tests",
        )
        secret = container.keys.create(name="opener", role="manager", actor="tests").secret
    finally:
        container.close()
    with (
        running_server(database_url) as base,
        httpx.Client(base_url=base, headers=bearer(secret), timeout=30) as api,
    ):
        opened = api.post("/escalations", json=OPEN)
        head = opened.headers["Escalations-Position"]
        assert (
            api.get("/queue", params={"wait_for": head}).headers.get("Escalations-View-Stale")
            is None
        )
        yield base, api, opened.json()["id"]


def test_a_manager_signs_in_opens_the_queue_and_moves_an_escalation(sqlite_url) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is required: run scripts/ensure-chromium.sh")
    from playwright.sync_api import expect, sync_playwright

    with console_server(sqlite_url) as (base, api, eid), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(f"{base}/console/queue")
            assert "/login?next=/console/queue" in page.url
            page.get_by_label("E-mail").focus()
            page.keyboard.type(MANAGER)
            page.keyboard.press("Tab")
            page.keyboard.type(PASSWORD)
            page.keyboard.press("Enter")
            page.wait_for_url(f"{base}/console/queue")
            expect(page.get_by_role("heading", name="Queue")).to_be_visible()
            fits = "document.documentElement.scrollWidth <= window.innerWidth"
            assert page.evaluate(fits), "the queue scrolls sideways at 390 px"
            page.get_by_role("link", name="Sync down").first.click()
            page.wait_for_url(f"{base}/console/escalations/{eid}")
            assert page.evaluate(fits), "the workspace scrolls sideways at 390 px"
            page.get_by_role("button", name="Acknowledge").click()
            expect(page.locator("#status")).to_have_text("triage")
            page.get_by_role("button", name="Move to investigating").click()
            expect(page.locator("#status")).to_have_text("investigating")
            title = page.locator("time").first.get_attribute("title") or ""
            assert title.endswith("UTC")  # the UTC moment beside the person's local time
        finally:
            browser.close()
        events = api.get(f"/escalations/{eid}/events").json()["items"]
        assert [(e["type"], e["actor"]) for e in events[1:]] == [
            ("Acknowledged", MANAGER),
            ("StatusChanged", MANAGER),
        ]


def test_console_pages_pass_axe_and_the_nu_html_checker(sqlite_url) -> None:
    with console_server(sqlite_url) as (base, api, eid):
        with httpx.Client(base_url=base, timeout=30) as visitor:
            login = visitor.get("/login")
            signed = visitor.post(
                "/login",
                data={"csrf_token": csrf_of(login.text), "email": MANAGER, "password": PASSWORD},
            )
            assert signed.status_code == 303
            cookie = {"Cookie": f"escalations_session={visitor.cookies['escalations_session']}"}
            paths = ["/", "/console/queue", f"/console/escalations/{eid}"]
            pages = {"/login": login.text}
            pages |= {path: visitor.get(path).text for path in paths}
            link = api.post(f"/escalations/{eid}/share-links", json={"audience": "executive"})
            share_path = "/share/" + link.json()["url"].split("/share/")[1]
            pages[share_path] = visitor.get(share_path).text
            pages["refused link"] = visitor.get("/share/not-a-link").text
            workspace = pages[f"/console/escalations/{eid}"]
            api.post(f"/escalations/{eid}/acknowledge")  # someone else moves first
            stale = visitor.post(
                f"/console/escalations/{eid}/moves/status-investigating",
                data={"csrf_token": csrf_of(workspace), "version": "1"},
            )
            assert stale.status_code == 409
            pages["conflict"] = stale.text
            forged = visitor.post(f"/console/escalations/{eid}/moves/acknowledge", data={})
            assert forged.status_code == 403
            pages["forged form"] = forged.text
        assert nu_html_errors(pages) == []
        found = axe_violations(base, [*paths, share_path], cookie)
        assert found == {path: [] for path in [*paths, share_path]}
