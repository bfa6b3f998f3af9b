"""One store with an escalation and one key per role, shared by the read-mostly access tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import Container, build
from infra.keys import AccessRole
from infra.settings import Settings
from tests.conftest import ManualClock


@dataclass
class AccessStore:
    container: Container
    app: FastAPI
    client: TestClient
    escalation: UUID
    secrets: dict[str, str]
    """role name -> secret; also "revoked" -> a manager key that was revoked."""
    spare_key: UUID
    """A key for the admin's revoke route to act on, so the matrix never revokes its own keys."""

    def headers(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secrets[role]}"} if role else {}


@pytest.fixture(scope="module")
def access(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccessStore]:
    path = tmp_path_factory.mktemp("access") / "store.db"
    # The live status stream answers for 25 s by default; the matrix only needs its status.
    settings = Settings(database_url=f"sqlite:///{path}", status_stream_seconds=0.05)
    container = build(settings, clock=ManualClock())
    escalation = container.app.open(
        actor="setup", title="Sync down", scope="global", source="tools_outage", severity="SEV1"
    ).escalation_id
    secrets = {
        role.value: container.keys.create(name=f"{role.value}-key", role=role, actor="setup").secret
        for role in AccessRole
    }
    revoked = container.keys.create(name="gone", role="manager", actor="setup")
    container.keys.revoke(str(revoked.info.id), actor="setup")
    secrets["revoked"] = revoked.secret
    spare = container.keys.create(name="spare", role="stakeholder", actor="setup").info.id
    app = create_app(container)
    with TestClient(app) as client:
        yield AccessStore(container, app, client, escalation, secrets, spare)
    container.close()
