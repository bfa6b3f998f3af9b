from tests.backends import OnPostgreSQL
from tests.persistence.application_behaviour import ApplicationBehaviour


class TestApplicationOnPostgreSQL(OnPostgreSQL, ApplicationBehaviour):
    pass
