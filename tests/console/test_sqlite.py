from tests.backends import OnSQLite
from tests.console.behaviour import ConsoleBehaviour


class TestConsoleOnSQLite(OnSQLite, ConsoleBehaviour):
    pass
