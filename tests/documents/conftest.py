"""One store with the two scenarios, shared by the read-only HTTP tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import Container, build, reconfigured
from infra.settings import Settings
from tests.documents.scenarios import NOW, bbb_complaint, global_outage
from tests.support import bearer, issue_key


@dataclass
class Store:
    container: Container
    client: TestClient
    outage: UUID
    complaint: UUID
    unreviewed: UUID
    manager: dict[str, str]
    """Headers of a manager, who (unlike the analyst the client acts as) sees contact details."""

    def as_configured_now(self) -> Container:
        """This store under the settings the environment holds now: for a test that sets a
        variable after the store was made (settings are read once, when a container is built)."""
        settings = Settings(database_url=self.container.settings.store.database_url)
        return reconfigured(self.container, settings)


@pytest.fixture(autouse=True)
def _no_template_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own ESCALATIONS_TEMPLATES_DIR must not change what these tests see."""
    monkeypatch.delenv("ESCALATIONS_TEMPLATES_DIR", raising=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("documents") / "store.db"
    container = build(Settings(database_url=f"sqlite:///{path}"), clock=lambda: NOW)
    outage = global_outage(container.app)
    complaint = bbb_complaint(container.app)
    unreviewed = global_outage(container.app, through_postmortem=False)
    # Analysts read every document, as it is now or was; nothing here writes through HTTP.
    client = TestClient(create_app(container), headers=bearer(issue_key(container, "analyst")))
    manager = bearer(issue_key(container, "manager"))
    yield Store(container, client, outage, complaint, unreviewed, manager)
    container.close()


def make_client(tmp_path: object) -> tuple[Container, TestClient]:
    """A fresh, empty store for tests that write."""
    container = build(Settings(database_url=f"sqlite:///{tmp_path}/x.db"), clock=lambda: NOW)
    secret = issue_key(container, "analyst")
    return container, TestClient(create_app(container), headers=bearer(secret))
