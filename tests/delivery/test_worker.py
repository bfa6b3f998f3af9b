from __future__ import annotations

from tests.backends import OnPostgreSQL, OnSQLite
from tests.delivery.behaviour import DeliveryBehaviour


class TestDeliveryOnSQLite(OnSQLite, DeliveryBehaviour):
    pass


class TestDeliveryOnPostgreSQL(OnPostgreSQL, DeliveryBehaviour):
    pass
