"""Distribution lists and deliveries over HTTP, on both stores, with the real SMTP server."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from infra.bootstrap import build
from infra.delivery.wiring import build_worker
from tests.backends import OnPostgreSQL, OnSQLite
from tests.conftest import ManualClock
from tests.delivery.behaviour import settings_for
from tests.delivery.over_http import OverHttp, create_list, open_outage
from tests.delivery.smtp_server import MailServer

PROBLEM = "application/problem+json"


class DeliveryOverHttpBehaviour(OverHttp):
    url: str

    def _list(self, client: TestClient, *addresses: str, audience: str = "executive") -> str:
        list_id = create_list(client, audience=audience)
        for address in addresses:
            added = client.post(f"/distribution-lists/{list_id}/members", json={"address": address})
            assert added.status_code == 201, added.text
        return str(list_id)

    def _incident(self, client: TestClient) -> str:
        return open_outage(client)

    def test_lists_are_created_shown_and_changed(
        self, client: TestClient, clock: ManualClock
    ) -> None:
        list_id = self._list(client, "maria.chen@example.com", "Kofi.Mensah@Example.COM")
        clock.advance(minutes=5)
        before_removal = clock.now
        clock.advance(minutes=5)
        removed = client.delete(f"/distribution-lists/{list_id}/members/maria.chen@example.com")
        assert removed.status_code == 200, removed.text
        assert removed.json()["members"] == ["Kofi.Mensah@example.com"]

        now = client.get(f"/distribution-lists/{list_id}").json()
        assert (now["name"], now["audience"], now["members"]) == (
            "Leaders",
            "executive",
            ["Kofi.Mensah@example.com"],
        )
        then = client.get(
            f"/distribution-lists/{list_id}", params={"as_of": before_removal.isoformat()}
        )
        assert then.json()["members"] == ["maria.chen@example.com", "Kofi.Mensah@example.com"]
        self._list(client, audience="sales_cs")
        every = client.get("/distribution-lists").json()["items"]
        assert sorted(lst["audience"] for lst in every) == ["executive", "sales_cs"]
        executive = client.get("/distribution-lists", params={"audience": "executive"}).json()[
            "items"
        ]
        assert [lst["id"] for lst in executive] == [list_id]

    @pytest.mark.parametrize(
        "address",
        ["not-an-address", "Maria <maria@example.com>", "maria@localhost", "a@b@example.com",
         "maria chen@example.com", "maria@[10.0.0.1]", "maria@example.123", ".maria@example.com"],
    )  # fmt: skip
    def test_an_invalid_address_is_a_problem_that_says_what_to_send(
        self, client: TestClient, address: str
    ) -> None:
        list_id = self._list(client)
        refused = client.post(f"/distribution-lists/{list_id}/members", json={"address": address})
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert refused.json()["type"] == "/problems/invalid-command"
        assert "maria.chen@example.com" in refused.json()["detail"]

    def test_adding_a_member_twice_or_removing_a_stranger_is_a_conflict(
        self, client: TestClient
    ) -> None:
        list_id = self._list(client, "maria.chen@example.com")
        again = client.post(
            f"/distribution-lists/{list_id}/members", json={"address": "MARIA.CHEN@example.com"}
        )
        assert again.status_code == 409
        assert again.json()["type"] == "/problems/rule-violated"
        stranger = client.delete(f"/distribution-lists/{list_id}/members/nobody@example.com")
        assert stranger.status_code == 409

    def test_an_unknown_list_is_not_found(self, client: TestClient) -> None:
        unknown = "/distribution-lists/0b7e4b2e-93a1-4bd4-9a8e-0b5ad2b4b1a0"
        for missing in (
            client.get(unknown),
            client.post(f"{unknown}/members", json={"address": "maria.chen@example.com"}),
            client.post(f"{unknown}/members", json={"webhook": "https://93.184.215.14/hook"}),
            client.delete(f"{unknown}/members/maria.chen@example.com"),
        ):
            assert missing.status_code == 404, missing.text
            assert missing.headers["content-type"].startswith(PROBLEM)
            assert missing.json()["type"] == "/problems/not-found"
            assert "GET /distribution-lists lists them" in missing.json()["detail"]
        unknown_audience = client.post(
            "/distribution-lists", json={"name": "x", "audience": "martians"}
        )
        assert unknown_audience.status_code == 422

    def test_a_delivered_communication_says_how_many_are_queued_and_its_outcomes_are_listed(
        self, client: TestClient, url: str, clock: ManualClock, mail_server: MailServer
    ) -> None:
        self._list(client, "maria.chen@example.com", "kofi.mensah@example.com")
        self._list(client, "kofi.mensah@example.com", "dev.patel@example.com")  # one copy for kofi
        escalation = self._incident(client)
        clock.advance(minutes=1)
        sent = client.post(
            f"/escalations/{escalation}/communications",
            json={"audience": "executive", "channel": "email", "subject": "Sync delays",
                  "body": "Rolling back.", "deliver": True},
        )  # fmt: skip
        assert sent.status_code == 200, sent.text
        assert sent.json()["delivery"] == {"recipients_queued": 3}
        communication = sent.json()["created"]["communication_id"]
        recorded_only = client.post(
            f"/escalations/{escalation}/communications",
            json={"audience": "executive", "channel": "email", "body": "Told them by phone."},
        )
        assert "delivery" not in recorded_only.json()

        pending = client.get(f"/escalations/{escalation}/communications/{communication}/deliveries")
        assert pending.json() == {
            "communication_id": communication,
            "deliver": True,
            "taken_in": False,
            "items": [],
        }

        worker_container = build(settings_for(url, mail_server), clock=clock)
        try:
            build_worker(worker_container).run_until_idle(timeout_s=30)
        finally:
            worker_container.close()

        listed = client.get(f"/escalations/{escalation}/communications/{communication}/deliveries")
        assert listed.status_code == 200
        items = listed.json()["items"]
        assert [(i["address"], i["state"], i["attempts"]) for i in items] == [
            ("dev.patel@example.com", "sent", 1),
            ("kofi.mensah@example.com", "sent", 1),
            ("maria.chen@example.com", "sent", 1),
        ]
        by_recipient = {str(m["To"]): str(m["Message-ID"]) for m in mail_server.messages}
        assert {i["address"]: i["message_id"] for i in items} == by_recipient
        assert all(i["sent_at"] is not None and i["last_error"] is None for i in items)

        other = recorded_only.json()["created"]["communication_id"]
        not_delivered = client.get(
            f"/escalations/{escalation}/communications/{other}/deliveries"
        ).json()
        assert (not_delivered["deliver"], not_delivered["items"]) == (False, [])
        unknown = client.get(f"/escalations/{escalation}/communications/c99/deliveries")
        assert unknown.status_code == 404
        assert unknown.json()["type"] == "/problems/unknown-item"

        timeline = client.get(
            f"/escalations/{escalation}/timeline", headers={"Accept": "application/json"}
        )
        texts = [entry["text"] for entry in timeline.json()]
        assert f"Update {communication} sent to 3 of 3." in texts

    def test_deliver_on_a_channel_that_cannot_be_delivered_is_refused(
        self, client: TestClient
    ) -> None:
        escalation = self._incident(client)
        refused = client.post(
            f"/escalations/{escalation}/communications",
            json={"audience": "public", "channel": "status_page", "body": "x", "deliver": True},
        )
        assert refused.status_code == 422
        assert "channel email" in refused.json()["detail"]


class TestDeliveryOverHttpOnSQLite(OnSQLite, DeliveryOverHttpBehaviour):
    pass


class TestDeliveryOverHttpOnPostgreSQL(OnPostgreSQL, DeliveryOverHttpBehaviour):
    pass
