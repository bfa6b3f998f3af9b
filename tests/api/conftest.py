from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support import api_client


@pytest.fixture
def client(sqlite_url: str, clock) -> Iterator[TestClient]:
    with api_client(sqlite_url, clock, max_body_bytes=20_000) as client:
        yield client


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
