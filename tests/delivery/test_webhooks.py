from __future__ import annotations

from tests.backends import OnPostgreSQL, OnSQLite
from tests.delivery.webhook_behaviour import WebhookBehaviour


class TestWebhooksOnSQLite(OnSQLite, WebhookBehaviour):
    pass


class TestWebhooksOnPostgreSQL(OnPostgreSQL, WebhookBehaviour):
    pass
