"""Text and moments a client sends are checked where they come in: NUL and other control
characters are refused with a 422 naming the field, text is stored in NFC, one-line fields refuse
bidi controls, and date-times at the calendar's ends are a 4xx, on both stores. Nothing a client
sends reaches a view it could stop."""

from __future__ import annotations

import unicodedata

import pytest

OPEN = {"title": "Sync down", "scope": "global", "source": "tools_outage", "severity": "SEV1"}


def _problem_names(response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text


@pytest.mark.parametrize("bad", ["\u0000", "\u0007", "\u001b[31m", "\u007f", "\u0085"])
def test_control_characters_in_a_title_are_refused_naming_the_field(client, bad):
    response = client.post("/escalations", json={**OPEN, "title": f"Sync{bad}down"})
    _problem_names(response, "title")


def test_nul_anywhere_in_a_body_is_refused_and_the_views_keep_up(client):
    refused = [
        client.post("/escalations", json={**OPEN, "description": "a\u0000b"}),
        client.post("/escalations", json={**OPEN, "tags": ["ok", "b\u0000d"]}),
        client.post("/escalations", json={**OPEN, "components": ["Sy\u0000nc"]}),
        client.post(
            "/escalations",
            json={
                **OPEN,
                "scope": "customer",
                "source": "email",
                "customer": {"name": "Ada\u0000", "email": "ada@example.com"},
            },
        ),
    ]
    for response in refused:
        assert response.status_code == 422, response.text
    opened = client.post("/escalations", json=OPEN)
    assert opened.status_code == 201
    eid = opened.json()["id"]
    note = client.post(f"/escalations/{eid}/notes", json={"text": "line one\u0000"})
    _problem_names(note, "text")
    position = client.post(f"/escalations/{eid}/notes", json={"text": "tab\there\nand a newline"})
    assert position.status_code == 200
    wait = position.headers["Escalations-Position"]
    listed = client.get(f"/escalations?wait_for={wait}")
    assert [item["id"] for item in listed.json()["items"]] == [eid]
    assert "Escalations-View-Stale" not in listed.headers


def test_text_is_stored_in_nfc(client):
    decomposed = "Cafe\u0301 orders stuck"
    response = client.post("/escalations", json={**OPEN, "title": decomposed})
    assert response.status_code == 201
    state = client.get(f"/escalations/{response.json()['id']}").json()
    assert state["title"] == unicodedata.normalize("NFC", decomposed) == "Café orders stuck"


@pytest.mark.parametrize("bidi", ["\u202e", "\u2066", "\u200f"])
def test_bidi_controls_in_one_line_fields_are_refused(client, bidi):
    response = client.post("/escalations", json={**OPEN, "title": f"invoice{bidi}fdp.exe"})
    _problem_names(response, "title")


EXTREMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]


@pytest.mark.parametrize("moment", EXTREMES)
def test_moments_at_the_calendars_ends_in_bodies_are_client_errors(client, moment):
    opened = client.post(
        "/escalations",
        json={**OPEN, "scope": "customer", "source": "privacy_request", "privacy_regime": "gdpr",
              "received_at": moment},
    )  # fmt: skip
    assert 400 <= opened.status_code < 500, opened.text
    deadline = client.post("/escalations", json={**OPEN, "deadline": moment})
    assert 400 <= deadline.status_code < 500, deadline.text
    eid = client.post("/escalations", json=OPEN).json()["id"]
    answers = [
        client.post(f"/escalations/{eid}/communications",
                    json={"audience": "public", "channel": "status_page", "body": "x",
                          "next_update_due": moment}),
        client.post(f"/escalations/{eid}/action-items",
                    json={"description": "x", "owner": "ana", "kind": "mitigate",
                          "due_at": moment}),
    ]  # fmt: skip
    for answer in answers:
        assert 400 <= answer.status_code < 500, answer.text


@pytest.mark.parametrize(
    "path",
    [
        "/escalations?q=a%00b",
        "/escalations?owner=a%00b",
        "/escalations/00000000-0000-0000-0000-00000000%00",
        "/subjects/a%00b/erasure",
    ],
)
def test_nul_in_a_query_or_path_is_a_client_error(client, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500, response.text
