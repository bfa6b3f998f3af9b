"""An Idempotency-Key belongs to the caller that sent it: two callers who happen to derive the same
key (from one CRM case id, say) each get their own command applied once, and neither learns that
the other used the key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings
from tests.support import bearer, issue_key

OPEN = {"title": "Refund missing", "scope": "customer", "source": "email", "severity": "SEV3"}


@pytest.fixture
def two_callers(database_url: str, clock) -> Iterator[tuple[TestClient, dict, dict]]:
    container = build(Settings(database_url=database_url), clock=clock)
    with TestClient(create_app(container)) as client:
        alice = bearer(issue_key(container, "manager", name="alice"))
        bob = bearer(issue_key(container, "manager", name="bob"))
        yield client, alice, bob
    container.close()


def test_two_callers_with_one_key_each_get_their_own_command_applied_once(two_callers):
    client, alice, bob = two_callers
    key = {"Idempotency-Key": "crm-case-4711"}
    first = client.post("/escalations", json=OPEN, headers=alice | key)
    other = client.post("/escalations", json=OPEN, headers=bob | key)
    assert first.status_code == 201, first.text
    assert other.status_code == 201, other.text
    assert first.json()["id"] != other.json()["id"]
    again = client.post("/escalations", json=OPEN, headers=alice | key)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert (
        client.post("/escalations", json=OPEN, headers=bob | key).json()["id"] == other.json()["id"]
    )


def test_a_key_reused_by_its_own_caller_for_another_request_is_still_refused(two_callers):
    client, alice, _ = two_callers
    key = {"Idempotency-Key": "crm-case-4712"}
    assert client.post("/escalations", json=OPEN, headers=alice | key).status_code == 201
    changed = client.post("/escalations", json={**OPEN, "title": "Other"}, headers=alice | key)
    assert changed.status_code == 422
