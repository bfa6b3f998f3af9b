import pytest

from tests.persistence.behaviour import ApplicationBehaviour


class TestApplicationOnSQLite(ApplicationBehaviour):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url
