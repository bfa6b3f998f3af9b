"""Oversized bodies are refused with 413 before any route reads them, on every kind of write,
whether the length is declared or the body arrives in chunks; nothing is written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings
from tests.support import bearer, issue_key

LIMIT = 20_000
BIG = "x" * (LIMIT + 1)


@pytest.fixture
def limited(sqlite_url: str) -> Iterator[tuple[TestClient, str]]:
    container = build(Settings(database_url=sqlite_url, max_body_bytes=LIMIT))
    client = TestClient(create_app(container), headers=bearer(issue_key(container, "admin")))
    opened = client.post(
        "/escalations",
        json={"title": "t", "scope": "global", "source": "tools_outage", "severity": "SEV1"},
    )
    yield client, opened.json()["id"]
    container.close()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/escalations", {"title": "t", "description": BIG}),
        ("/escalations/{id}/notes", {"text": BIG}),
        ("/escalations/{id}/communications", {"audience": "public", "body": BIG}),
        ("/escalations/{id}/postmortem", {"summary": BIG}),
        ("/escalations/{id}/resolve", {"summary": BIG}),
        ("/keys", {"name": BIG, "role": "admin"}),
    ],
)
def test_an_oversized_body_is_refused_with_413_and_nothing_is_written(
    limited: tuple[TestClient, str], path: str, body: dict
) -> None:
    client, escalation_id = limited
    response = client.post(path.replace("{id}", escalation_id), json=body)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/body-too-large"
    assert client.get(f"/escalations/{escalation_id}").json()["version"] == 1


def test_a_chunked_body_without_a_length_is_counted_and_refused(
    limited: tuple[TestClient, str],
) -> None:
    client, escalation_id = limited

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(LIMIT // 1000 + 2):
            yield b"y" * 1000
        yield b'"}'

    response = client.post(
        f"/escalations/{escalation_id}/notes",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert client.get(f"/escalations/{escalation_id}").json()["version"] == 1


def test_a_body_under_the_limit_is_accepted(limited: tuple[TestClient, str]) -> None:
    client, escalation_id = limited
    response = client.post(f"/escalations/{escalation_id}/notes", json={"text": "x" * 10_000})
    assert response.status_code == 200
