"""What the delivery tests over HTTP share: the app wired to the test's mail server, and the
outage and distribution list they deliver to, created through the API as a client would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import ManualClock
from tests.delivery.behaviour import SENDER
from tests.delivery.smtp_server import MailServer
from tests.support import api_client

OUTAGE = {"title": "Sync outage", "scope": "global", "source": "tools_outage", "severity": "SEV2"}


def mail_settings(mail_server: MailServer) -> dict[str, Any]:
    return {"smtp_url": mail_server.url, "mail_from": SENDER}


class OverHttp:
    """Mixed into a behaviour suite: `client` is the app on the suite's store and mail server."""

    @pytest.fixture
    def client(self, url: str, clock: ManualClock, mail_server: MailServer) -> Iterator[TestClient]:
        with api_client(url, clock, **mail_settings(mail_server)) as client:
            yield client


def open_outage(http: httpx.Client) -> str:
    """Opens the global outage the updates are about (over a TestClient or a running server)."""
    opened = http.post("/escalations", json=OUTAGE)
    assert opened.status_code == 201, opened.text
    return str(opened.json()["id"])


def create_list(http: httpx.Client, name: str = "Leaders", audience: str = "executive") -> str:
    created = http.post("/distribution-lists", json={"name": name, "audience": audience})
    assert created.status_code == 201, created.text
    list_id = str(created.json()["id"])
    assert created.headers["Location"] == f"/distribution-lists/{list_id}"
    return list_id
