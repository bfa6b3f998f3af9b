"""Bidirectional controls are refused in one-line fields; where a multi-line field may hold one,
every HTML page and document isolates it (`<bdi>` or `dir="auto"`), so it cannot reorder the
text around it. JSON keeps the text as stored."""

from __future__ import annotations

import re

import pytest

OVERRIDE = "status \u202enwod si\u202c ok"


def test_a_bidi_control_in_a_public_update_is_isolated_on_the_status_page(client):
    opened = client.post(
        "/escalations",
        json={"title": "Sync down", "scope": "global", "source": "tools_outage",
              "severity": "SEV1", "description": OVERRIDE},
    )  # fmt: skip
    assert opened.status_code == 201, opened.text
    eid = opened.json()["id"]
    sent = client.post(
        f"/escalations/{eid}/communications",
        json={"audience": "public", "channel": "status_page", "body": OVERRIDE},
    )
    assert sent.status_code == 200, sent.text
    wait = sent.headers["Escalations-Position"]
    page = client.get(f"/status?wait_for={wait}")
    assert page.status_code == 200
    assert f"<bdi>{OVERRIDE}</bdi>" in page.text
    assert client.post(f"/escalations/{eid}/notes", json={"text": OVERRIDE}).status_code == 200
    document = client.get(f"/escalations/{eid}/timeline", params={"format": "html"})
    assert document.status_code == 200, document.text
    holders = re.findall(r"<(\w+)([^>]*)>[^<]*\u202e", document.text)
    isolated = [tag == "bdi" or 'dir="auto"' in attributes for tag, attributes in holders]
    assert holders and all(isolated), holders
    state = client.get(f"/escalations/{eid}").json()
    assert state["description"] == OVERRIDE  # multi-line JSON keeps it as stored


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/escalations", {"title": "Sync", "scope": "global", "source": "tools_outage",
                          "severity": "SEV1", "tags": ["a\u202eb"]}),
        ("/escalations", {"title": "Sync", "scope": "global", "source": "tools_outage",
                          "severity": "SEV1", "account": "Acme\u2066"}),
    ],
)  # fmt: skip
def test_bidi_controls_in_one_line_fields_are_refused_naming_the_field(client, path, body):
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert ("tags" if "tags" in body else "account") in response.json()["detail"]
