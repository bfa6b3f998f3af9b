"""axe-core finds no serious or critical accessibility violation on the status page and the HTML
documents, and only the part of the status page that changes is a live region."""

from __future__ import annotations

from tests.standards.checkers import axe_violations
from tests.standards.pages import AUDIENCES, demo_server


def test_the_status_page_and_the_documents_have_no_serious_accessibility_violation(sqlite_url):
    with demo_server(sqlite_url) as (http, head):
        status = http.get(f"/status?wait_for={head}").text
        postmortems = [
            path
            for item in http.get("/escalations", params={"limit": 100}).json()["items"]
            for path in [f"/escalations/{item['id']}/postmortem?format=html"]
            if http.get(path).status_code == 200
        ]
        eid = postmortems[0].split("/")[2]
        # A regulator's response exists only where a regulator is involved (the BBB complaint).
        regulated = [
            path
            for item in http.get("/escalations", params={"limit": 100}).json()["items"]
            for path in [f"/escalations/{item['id']}/updates/regulator?format=html"]
            if http.get(path).status_code == 200
        ]
        paths = [
            "/status",
            "/reports/trends?format=html",
            "/reports/metrics?format=html",
            f"/escalations/{eid}/timeline?format=html",
            postmortems[0],
            *(f"/escalations/{eid}/updates/{a}?format=html" for a in AUDIENCES if a != "regulator"),
            regulated[0],
        ]
        found = axe_violations(str(http.base_url).rstrip("/"), paths, dict(http.headers))
    # the demo page shows banners and components in more than one state
    assert 'class="banner' in status and "status-" in status
    assert found == {path: [] for path in paths}


def test_only_the_changing_part_of_the_status_page_is_announced(sqlite_url):
    with demo_server(sqlite_url) as (http, head):
        status = http.get(f"/status?wait_for={head}").text
    # the page is redrawn whole on every change: a live region around it would read it all again
    assert status.count("aria-live") == 1
    assert '<div id="announce" class="visually-hidden" role="status" aria-live="polite">' in status
    assert '<main id="live">' in status
