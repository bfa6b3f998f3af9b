"""The key's name is the actor on every event; keys are issued, listed and revoked by the CLI and
by admins over HTTP, and a revocation counts on the very next request."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli.main import cli
from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings
from tests.auth.conftest import AccessStore
from tests.support import bearer

OPEN = {"title": "Sync down", "scope": "global", "source": "tools_outage", "severity": "SEV1"}
runner = CliRunner()


def actors(client: TestClient, escalation_id: str, headers: dict[str, str]) -> list[str]:
    page = client.get(f"/escalations/{escalation_id}/events", headers=headers).json()
    return [item["actor"] for item in page["items"]]


def test_x_actor_cannot_speak_for_an_authenticated_key(access: AccessStore) -> None:
    headers = access.headers("manager") | {"X-Actor": "the.ceo"}
    opened = access.client.post("/escalations", json=OPEN, headers=headers)
    assert opened.status_code == 201
    escalation_id = opened.json()["id"]
    noted = access.client.post(
        f"/escalations/{escalation_id}/notes", json={"text": "hi"}, headers=headers
    )
    assert noted.status_code == 200
    assert actors(access.client, escalation_id, headers) == ["manager-key", "manager-key"]


def test_one_callers_idempotency_key_never_answers_for_another(access: AccessStore) -> None:
    path = f"/escalations/{access.escalation}/notes"
    first = access.client.post(
        path, json={"text": "x"}, headers=access.headers("manager") | {"Idempotency-Key": "k1"}
    )
    other = access.client.post(
        path, json={"text": "x"}, headers=access.headers("admin") | {"Idempotency-Key": "k1"}
    )
    assert first.status_code == 200
    # The same key from another caller is another key: its note is applied too, and no 422
    # tells the admin that the manager used the key.
    assert other.status_code == 200, other.text
    assert other.json()["version"] == first.json()["version"] + 1
    assert "Idempotent-Replayed" not in other.headers


def test_with_authentication_off_x_actor_names_the_actor(sqlite_url: str) -> None:
    container = build(Settings(database_url=sqlite_url, auth_enabled=False))
    with TestClient(create_app(container)) as client:
        opened = client.post("/escalations", json=OPEN, headers={"X-Actor": "maria.chen"})
        assert opened.status_code == 201
        assert actors(client, opened.json()["id"], {}) == ["maria.chen"]
    container.close()


def test_admins_issue_list_and_revoke_keys_over_http(access: AccessStore) -> None:
    admin = access.headers("admin")
    issued = access.client.post("/keys", json={"name": "ops.bot", "role": "analyst"}, headers=admin)
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert body["secret"].startswith("esk_") and body["issued_by"] == "admin-key"
    assert issued.headers["cache-control"] == "no-store"
    key = bearer(body["secret"])
    assert access.client.get(f"/escalations/{access.escalation}", headers=key).status_code == 200
    listed = access.client.get("/keys", headers=admin).json()["items"]
    assert body["secret"] not in json.dumps(listed)
    assert any(k["id"] == body["id"] and k["active"] for k in listed)

    revoked = access.client.post(f"/keys/{body['id']}/revoke", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_by"] == "admin-key"
    assert access.client.get(f"/escalations/{access.escalation}", headers=key).status_code == 401
    again = access.client.post(f"/keys/{body['id']}/revoke", headers=admin)
    assert again.status_code == 409
    unknown = access.client.post("/keys/0b7e4b2e-93a1-4bd4-9a8e-0b5ad2b4b1a0/revoke", headers=admin)
    assert unknown.status_code == 404
    bad_role = access.client.post("/keys", json={"name": "x", "role": "god"}, headers=admin)
    assert bad_role.status_code == 422


def test_the_store_holds_only_a_digest_of_each_secret(access: AccessStore, tmp_path) -> None:
    issued = access.container.keys.create(name="digest-check", role="analyst", actor="t")
    stored = [
        n.state
        for n in access.container.app.recorder.select_notifications(1, 10_000)
        if n.originator_id == issued.info.id
    ]
    assert stored and all(issued.secret.encode() not in state for state in stored)


def test_keys_cli_creates_lists_and_revokes(sqlite_url: str) -> None:
    env = {"ESCALATIONS_DATABASE_URL": sqlite_url}
    created = runner.invoke(
        cli, ["keys", "create", "--name", "maria.chen", "--role", "manager"], env=env
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert re.fullmatch(r"esk_[A-Za-z0-9_-]{43}", secret)

    listed = runner.invoke(cli, ["keys", "list", "--json"], env=env)
    assert listed.exit_code == 0
    (key,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert key["name"] == "maria.chen" and key["role"] == "manager" and key["active"]
    assert key["issued_by"].startswith("cli")
    assert secret not in listed.stdout
    table = runner.invoke(cli, ["keys", "list"], env=env)
    assert table.exit_code == 0 and "maria.chen" in table.stdout

    # no remembered keys here, so the CLI's revocation shows on the very next request (the cache
    # window is covered by its own test below)
    container = build(Settings(database_url=sqlite_url, auth_cache_seconds=0))
    with TestClient(create_app(container)) as client:
        assert client.post("/escalations", json=OPEN, headers=bearer(secret)).status_code == 201
        revoked = runner.invoke(
            cli, ["keys", "revoke", key["id"][:8], "--actor", "sec.team"], env=env
        )
        assert revoked.exit_code == 0, revoked.output
        assert "revoked" in revoked.stdout
        # another process revoked it: refused on the very next request
        assert client.post("/escalations", json=OPEN, headers=bearer(secret)).status_code == 401
    container.close()

    twice = runner.invoke(cli, ["keys", "revoke", key["id"]], env=env)
    assert twice.exit_code == 1
    unknown_role = runner.invoke(cli, ["keys", "create", "--name", "x", "--role", "god"], env=env)
    assert unknown_role.exit_code == 2
    blank = runner.invoke(cli, ["keys", "create", "--name", "  ", "--role", "admin"], env=env)
    assert blank.exit_code == 2


def test_the_demo_prints_a_fresh_manager_key_each_run_that_drives_it(sqlite_url: str) -> None:
    env = {"ESCALATIONS_DATABASE_URL": sqlite_url}
    first = runner.invoke(cli, ["demo", "--no-serve"], env=env)
    second = runner.invoke(cli, ["demo", "--no-serve"], env=env)
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    old, new = first.stdout.strip(), second.stdout.strip()
    assert old.startswith("esk_") and new.startswith("esk_") and old != new
    assert "curl -H 'Authorization: Bearer" in second.output

    container = build(Settings(database_url=sqlite_url))
    with TestClient(create_app(container)) as client:
        opened = client.post("/escalations", json=OPEN, headers=bearer(new))
        assert opened.status_code == 201
        assert actors(client, opened.json()["id"], bearer(new)) == ["demo-manager"]
        assert client.post("/escalations", json=OPEN, headers=bearer(old)).status_code == 401
    assert [k.name for k in container.keys.active()] == ["demo-manager"]
    container.close()


def test_a_checked_key_is_remembered_briefly_and_a_revocation_elsewhere_applies_after_that(
    tmp_path,
) -> None:
    from infra.bootstrap import build
    from infra.keys import ApiKeys
    from infra.settings import Settings

    container = build(Settings(database_url=f"sqlite:///{tmp_path}/keys.db"))
    try:
        ticks = [100.0]
        server = ApiKeys(
            container.app, container.keys.clock, cache_seconds=2, monotonic=lambda: ticks[0]
        )
        issued = container.keys.create(name="ops", role="manager", actor="admin")
        assert server.authenticate(issued.secret) is not None
        other_process = ApiKeys(container.app, container.keys.clock)
        other_process.revoke(str(issued.info.id), actor="admin")
        ticks[0] += 1.0
        assert server.authenticate(issued.secret) is not None, "still within the cache window"
        ticks[0] += 1.5
        assert server.authenticate(issued.secret) is None, "the revocation applies after the window"
        fresh = container.keys.create(name="new", role="analyst", actor="admin")
        assert server.authenticate(fresh.secret) is not None, "unknown keys are never remembered"
        server.revoke(str(fresh.info.id), actor="admin")
        assert server.authenticate(fresh.secret) is None, "a revocation here applies at once"
    finally:
        container.close()
