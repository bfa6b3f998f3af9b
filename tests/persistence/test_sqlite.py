from tests.backends import OnSQLite
from tests.persistence.application_behaviour import ApplicationBehaviour


class TestApplicationOnSQLite(OnSQLite, ApplicationBehaviour):
    pass
