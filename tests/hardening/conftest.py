"""The client the hardening tests attack: a manager's key on a fresh store of either backend,
with the views' runners started as `escalations serve` starts them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support import api_client


@pytest.fixture
def client(database_url: str, clock) -> Iterator[TestClient]:
    with api_client(database_url, clock, views=True) as client:
        yield client
