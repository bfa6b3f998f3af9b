import pytest

from tests.persistence.behaviour import ApplicationBehaviour


class TestApplicationOnPostgreSQL(ApplicationBehaviour):
    @pytest.fixture
    def url(self, postgres_url: str) -> str:
        return postgres_url
