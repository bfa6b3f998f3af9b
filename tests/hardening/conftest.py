"""The client the hardening tests attack: a manager's key on a fresh store of either backend,
with the views' runners started as `escalations serve` starts them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings
from infra.views.lifecycle import start_projections
from tests.support import bearer, issue_key


@pytest.fixture
def client(database_url: str, clock) -> Iterator[TestClient]:
    container = build(Settings(database_url=database_url), clock=clock)
    app = create_app(container, lifespan_hooks=[lambda: start_projections(container)])
    with TestClient(app) as client:
        client.headers.update(bearer(issue_key(container, "manager", name="tester")))
        yield client
    container.close()
