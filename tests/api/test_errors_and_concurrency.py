"""Every error a client can cause is a 4xx problem+json that says what to fix; nothing is written."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def version_of(client, eid: str) -> int:
    return client.get(f"/escalations/{eid}").json()["version"]


def test_a_stale_if_match_is_refused_with_412_naming_the_current_version(client, escalation_id):
    client.post(f"/escalations/{escalation_id}/acknowledge", headers={"If-Match": '"1"'})
    response = client.post(
        f"/escalations/{escalation_id}/notes", json={"text": "x"}, headers={"If-Match": '"1"'}
    )
    body = assert_problem(response, 412, "stale-version")
    assert body["current_version"] == 2
    assert response.headers["etag"] == '"2"'
    assert version_of(client, escalation_id) == 2


def test_a_current_if_match_is_accepted_and_answers_the_new_etag(client, escalation_id):
    response = client.post(
        f"/escalations/{escalation_id}/notes", json={"text": "x"}, headers={"If-Match": "1"}
    )
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    assert response.json()["created"] == {"note_id": "n1"}
    assert int(response.headers["escalations-position"]) >= 2


def test_a_malformed_if_match_is_a_400(client, escalation_id):
    response = client.post(
        f"/escalations/{escalation_id}/notes", json={"text": "x"}, headers={"If-Match": "yesterday"}
    )
    assert_problem(response, 400, "malformed-request")


def test_resolving_with_unmet_exit_criteria_is_refused_and_says_which(client, escalation_id):
    client.post(
        f"/escalations/{escalation_id}/exit-criteria", json={"criteria": ["Backlog replayed"]}
    )
    response = client.post(f"/escalations/{escalation_id}/resolve", json={"summary": "done"})
    body = assert_problem(response, 409, "rule-violated")
    assert "Backlog replayed" in body["detail"] and "override_reason" in body["detail"]
    overridden = client.post(
        f"/escalations/{escalation_id}/resolve",
        json={"summary": "done", "override_reason": "Backlog replay moved to a follow-up"},
        headers={"Prefer": "return=representation"},
    )
    assert overridden.status_code == 200
    assert overridden.json()["escalation"]["resolution"]["overridden_criteria"] == ["ec1"]


def test_an_illegal_transition_is_a_409_naming_both_states(client, escalation_id):
    response = client.post(f"/escalations/{escalation_id}/close", json={})
    body = assert_problem(response, 409, "illegal-transition")
    assert body["current_status"] == "triage"
    assert "triage" in body["detail"] and "closed" in body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/escalations/0b7e4b2e-93a1-4bd4-9a8e-0b5ad2b4b1a0",
        "/escalations/0b7e4b2e-93a1-4bd4-9a8e-0b5ad2b4b1a0/events",
    ],
)
def test_an_unknown_escalation_is_a_404(client, path):
    assert_problem(client.get(path), 404, "escalation-not-found")


def test_a_command_on_an_unknown_escalation_is_a_404(client):
    response = client.post("/escalations/0b7e4b2e-93a1-4bd4-9a8e-0b5ad2b4b1a0/acknowledge")
    assert_problem(response, 404, "escalation-not-found")


def test_an_unknown_exit_criterion_is_a_404_listing_the_known_ones(client, escalation_id):
    client.post(f"/escalations/{escalation_id}/exit-criteria", json={"criteria": ["A"]})
    body = assert_problem(
        client.post(f"/escalations/{escalation_id}/exit-criteria/ec9/met"), 404, "unknown-item"
    )
    assert "ec1" in body["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": "global", "source": "tools_outage", "severity": "SEV1"}, "title"),
        ({"title": "x", "scope": "planet", "source": "tools_outage", "severity": "SEV1"}, "scope"),
        (
            {"title": "x", "scope": "global", "source": "tools_outage", "severity": "SEV9"},
            "severity",
        ),
        ({"title": "x", "scope": "global", "source": "fax", "severity": "SEV1"}, "source"),
        (
            {
                "title": "x",
                "scope": "global",
                "source": "email",
                "severity": "SEV1",
                "received_at": "2026-01-01T00:00:00",
            },
            "received_at",
        ),
        (
            {
                "title": "x",
                "scope": "global",
                "source": "email",
                "severity": "SEV1",
                "colour": "red",
            },
            "colour",
        ),
        ({"title": "", "scope": "global", "source": "email", "severity": "SEV1"}, "title"),
        ([1, 2, 3], "body"),
    ],
)
def test_a_malformed_open_is_a_422_naming_the_field(client, body, field):
    problem = assert_problem(client.post("/escalations", json=body), 422, "validation-error")
    assert any(error["field"].startswith(field) for error in problem["errors"]), problem


def test_broken_json_is_a_422_about_the_body(client):
    response = client.post(
        "/escalations", content=b'{"title": ', headers={"content-type": "application/json"}
    )
    problem = assert_problem(response, 422, "validation-error")
    assert problem["errors"][0]["field"] == "body"


def test_a_privacy_request_without_a_regime_is_refused_by_the_domain(client):
    response = client.post(
        "/escalations",
        json={
            "title": "Erase me",
            "scope": "customer",
            "source": "privacy_request",
            "severity": "SEV3",
        },
    )
    body = assert_problem(response, 422, "invalid-command")
    assert "privacy_regime" in body["detail"]


def test_a_communication_due_in_the_past_is_refused(client, escalation_id):
    response = client.post(
        f"/escalations/{escalation_id}/communications",
        json={
            "audience": "public",
            "channel": "status_page",
            "body": "hi",
            "next_update_due": "2001-01-01T00:00:00Z",
        },
    )
    assert_problem(response, 422, "invalid-command")
    assert version_of(client, escalation_id) == 1


def test_an_oversized_body_is_refused_with_413(client, escalation_id):
    response = client.post(f"/escalations/{escalation_id}/notes", json={"text": "x" * 30_000})
    assert_problem(response, 413, "body-too-large")
    assert version_of(client, escalation_id) == 1


def test_version_and_as_of_cannot_be_combined_and_must_be_valid(client, escalation_id):
    assert_problem(
        client.get(
            f"/escalations/{escalation_id}", params={"version": 1, "as_of": "2026-01-01T00:00:00Z"}
        ),
        400,
        "malformed-request",
    )
    assert_problem(
        client.get(f"/escalations/{escalation_id}", params={"version": 0}), 422, "validation-error"
    )
    assert_problem(
        client.get(f"/escalations/{escalation_id}", params={"version": 99}),
        404,
        "escalation-not-found",
    )
    assert_problem(
        client.get(f"/escalations/{escalation_id}", params={"as_of": "not a date"}),
        422,
        "validation-error",
    )


def test_the_state_as_of_a_time_and_at_a_version(client, escalation_id, clock):
    first = client.get(f"/escalations/{escalation_id}").json()
    clock.advance(minutes=5)
    client.post(f"/escalations/{escalation_id}/status", json={"status": "investigating"})
    clock.advance(minutes=5)
    client.post(f"/escalations/{escalation_id}/status", json={"status": "identified"})
    assert (
        client.get(f"/escalations/{escalation_id}", params={"as_of": first["opened_at"]}).json()[
            "status"
        ]
        == "triage"
    )
    mid = clock.now.replace(minute=clock.now.minute - 2).isoformat()
    assert (
        client.get(f"/escalations/{escalation_id}", params={"as_of": mid}).json()["status"]
        == "investigating"
    )
    assert (
        client.get(f"/escalations/{escalation_id}", params={"version": 3}).json()["status"]
        == "identified"
    )


def test_an_idempotent_retry_answers_as_the_first_time_and_appends_nothing(client, escalation_id):
    headers = {"Idempotency-Key": "note-123"}
    first = client.post(
        f"/escalations/{escalation_id}/notes", json={"text": "once"}, headers=headers
    )
    second = client.post(
        f"/escalations/{escalation_id}/notes", json={"text": "once"}, headers=headers
    )
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.headers["etag"] == second.headers["etag"]
    assert second.headers["idempotent-replayed"] == "true"
    assert version_of(client, escalation_id) == 2
    reused = client.post(
        f"/escalations/{escalation_id}/notes", json={"text": "other"}, headers=headers
    )
    assert_problem(reused, 422, "idempotency-key-reused")
    assert version_of(client, escalation_id) == 2


def test_an_idempotent_open_returns_the_same_escalation(client):
    body = {"title": "x", "scope": "customer", "source": "email", "severity": "SEV4"}
    first = client.post("/escalations", json=body, headers={"Idempotency-Key": "open-1"})
    second = client.post("/escalations", json=body, headers={"Idempotency-Key": "open-1"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first.headers["location"] == second.headers["location"]


def test_linking_a_case_shows_on_both_escalations(client, escalation_id):
    case = client.post(
        "/escalations",
        json={
            "title": "Acme cannot sync",
            "scope": "customer",
            "source": "vendor",
            "severity": "SEV2",
        },
    ).json()["id"]
    response = client.post(
        f"/escalations/{escalation_id}/links",
        json={"case_id": case},
        headers={"Prefer": "return=representation"},
    )
    assert response.status_code == 200
    assert response.json()["escalation"]["linked_cases"] == [case]
    assert client.get(f"/escalations/{case}").json()["linked_to"] == escalation_id
    assert_problem(
        client.post(f"/escalations/{case}/links", json={"case_id": escalation_id}),
        409,
        "rule-violated",
    )


def test_unknown_routes_and_methods_are_problems_too(client, escalation_id):
    assert_problem(client.get("/nowhere"), 404, "not-found")
    assert_problem(client.delete(f"/escalations/{escalation_id}"), 405, "method-not-allowed")


def test_the_openapi_document_lists_every_command_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    for command in [
        "acknowledge", "severity", "status", "impact", "owner", "participants", "notes", "exit-criteria",
        "exit-criteria/{criterion_id}/met", "deescalation", "action-items", "action-items/{action_id}/complete",
        "links", "communications", "resolve", "reopen", "postmortem", "postmortem/publish", "feedback",
        "close", "dismiss", "deadline-extension",
    ]:  # fmt: skip
        assert f"/escalations/{{escalation_id}}/{command}" in paths, command


def test_answers_are_minimal_unless_the_full_representation_is_preferred(client, escalation_id):
    minimal = client.post(f"/escalations/{escalation_id}/acknowledge")
    assert minimal.json() == {"id": escalation_id, "version": 2, "status": "triage", "created": {}}
    assert minimal.headers["preference-applied"] == "return=minimal"
    full = client.post(
        f"/escalations/{escalation_id}/notes",
        json={"text": "n"},
        headers={"Prefer": "return=representation"},
    )
    assert full.headers["preference-applied"] == "return=representation"
    assert full.json()["escalation"]["notes"][0]["text"] == "n"
    assert full.json()["escalation"]["acknowledged_at"] is not None
