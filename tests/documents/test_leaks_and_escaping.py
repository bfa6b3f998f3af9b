"""What must not reach a reader: team-only words, other audiences' words, personal data, and
markup typed into a field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.documents.conftest import Store, make_client
from tests.documents.scenarios import MARKERS, PERSON, T0, at

FORMATS = ("md", "html", "json")
TEAM_ONLY = ("note", "internal", "description")

# For each update: the markers of other audiences (and team-only text) that must never appear.
FORBIDDEN = {
    "customer": (*TEAM_ONLY, "executive", "sales_cs", "regulator", "resolution"),
    "regulator": (*TEAM_ONLY, "executive", "sales_cs", "customer", "public", "resolution"),
    "sales_cs": (*TEAM_ONLY, "executive", "customer", "regulator", "resolution"),
    "executive": ("note", "internal", "sales_cs", "customer", "public", "regulator"),
    "tactical": ("executive", "sales_cs", "customer", "public", "regulator"),
}
# ...and the marker of each update's own audience, which must appear (so absence means something),
# read at a minute when that message still holds (a letter quotes only what was written since the
# escalation entered its current status).
OWN = {
    "customer": ("customer", "complaint", 45),
    "regulator": ("regulator", "complaint", 95),
    "sales_cs": ("sales_cs", "outage", 20),
    "executive": ("executive", "outage", 130),
    "tactical": ("internal", "outage", 130),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("audience", list(FORBIDDEN))
def test_each_update_holds_only_words_meant_for_its_audience(
    store: Store, audience: str, fmt: str
) -> None:
    own, scenario, minute = OWN[audience]
    moments = [{}, {"as_of": at(minute).isoformat()}]
    for escalation_id in (store.outage, store.complaint):
        for moment in moments:
            text = store.client.get(
                f"/escalations/{escalation_id}/updates/{audience}", params={"format": fmt, **moment}
            ).text
            leaked = [name for name in FORBIDDEN[audience] if MARKERS[name] in text]
            assert leaked == [], f"{audience} ({fmt}) shows {leaked}"
    escalation_id = store.complaint if scenario == "complaint" else store.outage
    text = store.client.get(
        f"/escalations/{escalation_id}/updates/{audience}", params={"format": fmt, **moments[1]}
    ).text
    assert MARKERS[own] in text


def test_the_tactical_update_carries_the_teams_notes(store: Store) -> None:
    text = store.client.get(f"/escalations/{store.outage}/updates/tactical").text
    assert MARKERS["note"] in text


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "path",
    [
        "updates/executive",
        "updates/tactical",
        "updates/sales_cs",
        "updates/customer",
        "updates/regulator",
        "timeline",
    ],
)
def test_the_customers_contact_details_appear_in_no_document(
    store: Store, path: str, fmt: str
) -> None:
    text = store.client.get(f"/escalations/{store.complaint}/{path}", params={"format": fmt}).text
    assert PERSON["email"] not in text
    assert PERSON["phone"] not in text
    if path != "updates/customer":
        assert PERSON["name"] not in text


def test_the_customer_update_greets_the_customer_by_name(store: Store) -> None:
    path = f"/escalations/{store.complaint}/updates/customer"
    text = store.client.get(path, headers=store.manager).text
    assert f"Dear {PERSON['name']}," in text
    # An analyst may not see contact details: the same letter greets without the name.
    analyst = store.client.get(path).text
    assert PERSON["name"] not in analyst and "Hello," in analyst


def test_the_postmortem_leaves_out_team_only_entries(store: Store) -> None:
    for fmt in FORMATS:
        text = store.client.get(
            f"/escalations/{store.outage}/postmortem", params={"format": fmt}, headers=store.manager
        ).text
        assert "Summary" in text or "summary" in text
        assert MARKERS["note"] not in text
        assert MARKERS["internal"] not in text
        assert MARKERS["description"] not in text


SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def hostile(tmp_path: object) -> Iterator[tuple[TestClient, str]]:
    """An escalation whose title and communication bodies carry a script tag."""
    container, client = make_client(tmp_path)
    app = container.app
    escalation_id = app.open(
        actor="dana",
        at=T0,
        title=f"Checkout {SCRIPT}",
        scope="global",
        source="tools_outage",
        severity="SEV2",
        components=["Checkout"],
    ).escalation_id
    for audience in ("customer", "executive", "internal"):
        app.execute(
            escalation_id,
            lambda e, at, audience=audience: (
                e.communicate(
                    actor="dana", at=at, audience=audience, channel="email", body=f"Hi {SCRIPT}"
                )
                and None
            ),
        )
    yield client, str(escalation_id)
    container.close()


@pytest.mark.parametrize("path", ["updates/customer", "updates/executive", "updates/tactical"])
def test_markup_typed_into_a_title_or_body_is_escaped_in_html(
    hostile: tuple[TestClient, str], path: str
) -> None:
    client, escalation_id = hostile
    text = client.get(f"/escalations/{escalation_id}/{path}", params={"format": "html"}).text
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text


def test_markup_typed_into_a_body_cannot_run_from_markdown(
    hostile: tuple[TestClient, str],
) -> None:
    client, escalation_id = hostile
    for path in ("updates/customer", "updates/executive", "timeline"):
        text = client.get(f"/escalations/{escalation_id}/{path}", params={"format": "md"}).text
        assert "<script>" not in text
        assert "&lt;script>" in text
