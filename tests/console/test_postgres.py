from tests.backends import OnPostgreSQL
from tests.console.behaviour import ConsoleBehaviour


class TestConsoleOnPostgreSQL(OnPostgreSQL, ConsoleBehaviour):
    pass
