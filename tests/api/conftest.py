from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings


@pytest.fixture
def client(sqlite_url: str, clock) -> Iterator[TestClient]:
    container = build(Settings(database_url=sqlite_url, max_body_bytes=20_000), clock=clock)
    with TestClient(create_app(container)) as client:
        client.headers["X-Actor"] = "tester"
        yield client
    container.close()


@pytest.fixture
def escalation_id(client: TestClient) -> str:
    response = client.post(
        "/escalations",
        json={
            "title": "Sync down",
            "scope": "global",
            "source": "tools_outage",
            "severity": "SEV1",
        },
    )
    assert response.status_code == 201
    return str(response.json()["id"])
