"""User text in Markdown and plain-text outputs is literal text: a title or an update written as a
link, an image or a heading reads as the characters typed, never as a link, an image or a heading."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support import api_client

LINK = "[click](javascript:alert(1))"
IMAGE = "![pixel](http://tracker.example/p.png)"
HEADING = "# Everything is fine"


@pytest.fixture
def client(sqlite_url: str, clock) -> Iterator[TestClient]:
    with api_client(sqlite_url, clock) as client:
        yield client


@pytest.fixture
def escalation(client: TestClient) -> str:
    opened = client.post(
        "/escalations",
        json={"title": f"{LINK} {IMAGE}", "scope": "customer", "source": "bbb_complaint",
              "severity": "SEV2", "description": HEADING,
              "customer": {"name": "Ada Example", "email": "ada@example.com"}},
    )  # fmt: skip
    assert opened.status_code == 201, opened.text
    eid = opened.json()["id"]
    for audience in ("customer", "executive", "sales_cs", "regulator", "internal", "public"):
        sent = client.post(
            f"/escalations/{eid}/communications",
            json={"audience": audience, "channel": "email", "subject": LINK,
                  "body": f"{HEADING}\n{LINK}\n{IMAGE}"},
        )  # fmt: skip
        assert sent.status_code == 200, sent.text
    return str(eid)


def _assert_literal(text: str) -> None:
    assert "](javascript:" not in text
    assert "![pixel](" not in text
    assert not any(line.lstrip().startswith("# Everything") for line in text.splitlines())


@pytest.mark.parametrize("audience", ["customer", "executive", "sales_cs", "regulator", "tactical"])
def test_updates_in_markdown_show_user_text_literally(client, escalation, audience):
    response = client.get(f"/escalations/{escalation}/updates/{audience}", params={"format": "md"})
    assert response.status_code == 200, response.text
    assert "click" in response.text  # the text is there, only not as a link
    _assert_literal(response.text)


def test_the_timeline_in_markdown_shows_user_text_literally(client, escalation):
    response = client.get(f"/escalations/{escalation}/timeline", params={"format": "md"})
    assert response.status_code == 200, response.text
    _assert_literal(response.text)


def test_the_postmortem_in_markdown_shows_user_text_literally(client, escalation):
    assert client.post(f"/escalations/{escalation}/acknowledge").status_code == 200
    resolved = client.post(f"/escalations/{escalation}/resolve", json={"summary": LINK})
    assert resolved.status_code == 200, resolved.text
    recorded = client.post(
        f"/escalations/{escalation}/postmortem",
        json={"summary": f"{HEADING}\n{IMAGE}", "root_cause": LINK, "five_whys": [HEADING, LINK],
              "went_well": [IMAGE]},
    )  # fmt: skip
    assert recorded.status_code == 200, recorded.text
    response = client.get(f"/escalations/{escalation}/postmortem", params={"format": "md"})
    assert response.status_code == 200, response.text
    assert "Everything is fine" in response.text and "pixel" in response.text
    _assert_literal(response.text)
