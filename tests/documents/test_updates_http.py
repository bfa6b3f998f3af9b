"""Stakeholder updates through HTTP: every audience in every format, negotiation, problems."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from tests.documents.conftest import Store, make_client
from tests.documents.scenarios import MARKERS, T0

# A phrase that only the right template writes, per audience and format.
SECTIONS = {
    "executive": ("## Impact in numbers", "<h2>Impact in numbers</h2>", "impact"),
    "tactical": ("## Needs", "<h2>Needs</h2>", "needs"),
    "sales_cs": ("## Talking points", "<h2>Talking points</h2>", "talking_points"),
    "customer": ("## What you can do", "<h2>What you can do</h2>", "what_you_can_do"),
    "regulator": ("## Facts of the case", "<h2>Facts of the case</h2>", "facts"),
}


@pytest.mark.parametrize("audience", list(SECTIONS))
def test_each_audience_renders_in_markdown_html_and_json(store: Store, audience: str) -> None:
    markdown, html, json_key = SECTIONS[audience]
    url = f"/escalations/{store.complaint}/updates/{audience}"

    as_md = store.client.get(url, params={"format": "md"})
    assert as_md.status_code == 200
    assert as_md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert markdown in as_md.text

    as_html = store.client.get(url, params={"format": "html"})
    assert as_html.headers["content-type"] == "text/html; charset=utf-8"
    assert as_html.text.startswith("<!doctype html>")
    assert html in as_html.text

    as_json = store.client.get(url, params={"format": "json"})
    assert as_json.headers["content-type"] == "application/json"
    body = as_json.json()
    assert body["header"]["audience"] == audience
    assert body[json_key]


def test_markdown_is_the_default_and_accept_chooses_otherwise(store: Store) -> None:
    url = f"/escalations/{store.outage}/updates/executive"
    assert store.client.get(url).headers["content-type"].startswith("text/markdown")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert store.client.get(url, headers={"Accept": browser}).text.startswith("<!doctype html>")
    weighted = {"Accept": "text/html;q=0.5, application/json"}
    assert store.client.get(url, headers=weighted).json()["header"]["audience"] == "executive"
    response = store.client.get(url, headers={"Accept": "text/markdown"})
    assert response.text.startswith("# Executive update")
    assert response.headers["vary"] == "Accept"


def test_format_parameter_wins_over_accept(store: Store) -> None:
    url = f"/escalations/{store.outage}/updates/customer"
    response = store.client.get(url, params={"format": "json"}, headers={"Accept": "text/html"})
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({"Accept": "application/pdf"}, {}),
        ({"Accept": "text/html;q=0"}, {}),
        ({}, {"format": "pdf"}),
    ],
)
def test_a_format_not_offered_is_a_406_problem(
    store: Store, headers: dict[str, str], params: dict[str, str]
) -> None:
    url = f"/escalations/{store.outage}/updates/executive"
    response = store.client.get(url, headers=headers, params=params)
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/not-acceptable"
    assert "md" in response.json()["detail"] and "json" in response.json()["detail"]


def test_an_unknown_audience_is_a_404_problem_naming_the_audiences(store: Store) -> None:
    response = store.client.get(f"/escalations/{store.outage}/updates/board")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "executive, tactical, sales_cs, customer, regulator" in response.json()["detail"]


def test_the_public_audience_is_pointed_to_the_status_page(store: Store) -> None:
    response = store.client.get(f"/escalations/{store.outage}/updates/public")
    assert response.status_code == 404
    assert "/status" in response.json()["detail"]


def test_an_unknown_escalation_is_a_404_problem(store: Store) -> None:
    response = store.client.get(f"/escalations/{uuid4()}/updates/executive")
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/escalation-not-found"


def test_as_of_before_the_escalation_was_opened_is_a_404(store: Store) -> None:
    before = (T0 - timedelta(hours=1)).isoformat()
    response = store.client.get(
        f"/escalations/{store.outage}/updates/executive", params={"as_of": before}
    )
    assert response.status_code == 404
    assert "did not exist yet" in response.json()["detail"]


def test_as_of_without_a_timezone_is_refused(store: Store) -> None:
    response = store.client.get(
        f"/escalations/{store.outage}/updates/executive", params={"as_of": "2026-11-02T09:30:00"}
    )
    assert response.status_code == 422


def test_executive_update_as_of_shows_what_was_true_then(store: Store) -> None:
    url = f"/escalations/{store.outage}/updates/executive"
    moment = (T0 + timedelta(minutes=20)).isoformat()
    then = store.client.get(url, params={"as_of": moment, "format": "json"}).json()
    assert then["header"]["status"] == "investigating"
    assert then["header"]["version"] == 14  # the events recorded by 09:20
    assert then["latest_message"]["paragraphs"][0] == MARKERS["executive"]
    assert then["next_update"] == (
        "Next update to executives due by 2026-11-02 10:16 UTC (in 56 min)."
    )
    now = store.client.get(url, params={"format": "json"}).json()
    assert now["header"]["status"] == "resolved"
    assert now["next_update"].startswith("No further update to executives is due")


def test_an_update_before_any_communication_for_its_audience_has_no_message(store: Store) -> None:
    moment = (T0 + timedelta(minutes=15, seconds=30)).isoformat()
    response = store.client.get(
        f"/escalations/{store.outage}/updates/executive", params={"as_of": moment}
    )
    assert MARKERS["executive"] not in response.text
    assert "No further update to executives has been promised." in response.text


def test_the_update_routes_document_their_three_formats(store: Store) -> None:
    paths = store.client.get("/openapi.json").json()["paths"]
    for path in (
        "/escalations/{escalation_id}/updates/{audience}",
        "/escalations/{escalation_id}/postmortem",
        "/escalations/{escalation_id}/timeline",
    ):
        content = paths[path]["get"]["responses"]["200"]["content"]
        assert {"text/markdown", "text/html", "application/json"} <= set(content)
        assert "406" in paths[path]["get"]["responses"]


@pytest.mark.parametrize("status", ["just opened", "dismissed"])
def test_every_document_renders_for_a_bare_escalation(tmp_path: object, status: str) -> None:
    container, client = make_client(tmp_path)
    escalation_id = container.app.open(
        actor="ann", at=T0, title="Spam?", scope="customer", source="email", severity="SEV4"
    ).escalation_id
    if status == "dismissed":
        container.app.execute(
            escalation_id, lambda e, at: e.dismiss(actor="ann", at=at, reason="spam"), at=T0
        )
    for audience in SECTIONS:
        for fmt in ("md", "html", "json"):
            response = client.get(
                f"/escalations/{escalation_id}/updates/{audience}", params={"format": fmt}
            )
            # An e-mail involves no regulator, so it has no regulator's response.
            expected = 404 if audience == "regulator" else 200
            assert response.status_code == expected, (audience, fmt, response.text)
    assert client.get(f"/escalations/{escalation_id}/timeline?format=html").status_code == 200
    assert client.get(f"/escalations/{escalation_id}/postmortem").status_code == 404
    container.close()


def test_as_of_in_another_timezone_means_the_same_moment_and_renders_in_utc(store: Store) -> None:
    body = store.client.get(
        f"/escalations/{store.outage}/updates/executive",
        params={"as_of": "2026-11-02T11:20:00+02:00", "format": "json"},
    ).json()
    assert body["header"]["version"] == 14
    assert body["header"]["as_of"] == "2026-11-02T09:20:00Z"
