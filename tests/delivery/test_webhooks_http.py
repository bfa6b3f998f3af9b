"""Webhook and Slack members over HTTP, on both stores: what is accepted, what is refused and why
(including the addresses the server must not call), and the secret shown once."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from domain.distribution_list import MemberKind
from infra.bootstrap import build
from infra.delivery.wiring import build_worker
from tests.backends import OnPostgreSQL, OnSQLite
from tests.conftest import ManualClock
from tests.delivery.behaviour import settings_for
from tests.delivery.http_receiver import Receiver
from tests.delivery.over_http import OverHttp, create_list, mail_settings, open_outage
from tests.delivery.smtp_server import MailServer
from tests.support import api_client

PROBLEM = "application/problem+json"
PUBLIC_HOOK = "https://93.184.215.14/hooks/escalations"
"""A public address given as a literal: accepted without a DNS lookup, never called here."""


def _list(client: TestClient) -> str:
    return create_list(client, "Hooks")


class WebhooksOverHttpBehaviour(OverHttp):
    url: str

    def test_the_secret_is_shown_once_and_the_endpoint_by_kind(self, client: TestClient) -> None:
        list_id = _list(client)
        added = client.post(
            f"/distribution-lists/{list_id}/members",
            json={"webhook": PUBLIC_HOOK, "owner": "ops@example.com"},
        )
        assert added.status_code == 201, added.text
        secret = added.json()["secret"]
        assert secret.startswith("whsec_")
        [endpoint] = added.json()["endpoints"]
        assert (endpoint["kind"], endpoint["url"], endpoint["added_by"], endpoint["owner"]) == (
            "webhook", PUBLIC_HOOK, "tester", "ops@example.com"
        )  # fmt: skip
        assert added.json()["members"] == [f"webhook:{PUBLIC_HOOK}"]
        for later in (
            client.get(f"/distribution-lists/{list_id}"),
            client.get("/distribution-lists"),
        ):
            assert later.status_code == 200
            assert secret not in later.text and "secret" not in later.text

        removed = client.delete(f"/distribution-lists/{list_id}/members/{endpoint['id']}")
        assert removed.status_code == 200, removed.text
        assert (removed.json()["members"], removed.json()["endpoints"]) == ([], [])

    @pytest.mark.parametrize(
        ("member", "hint"),
        [({"webhook": "http://hooks.example.com/x"}, "must use https"),
         ({"webhook": "ftp://hooks.example.com/x"}, "must use https"),
         ({"webhook": "not a url"}, "https URL"),
         ({"webhook": "https://user:pw@hooks.example.com/x"}, "no user or password"),
         ({"webhook": "https://127.0.0.1/hook"}, "loopback"),
         ({"webhook": "https://localhost:8443/hook"}, "loopback"),
         ({"webhook": "https://10.1.2.3/hook"}, "private"),
         ({"webhook": "https://169.254.169.254/latest/meta-data"}, "link-local"),
         ({"webhook": "https://[::1]/hook"}, "loopback"),
         ({"webhook": "https://224.0.0.1/hook"}, "multicast"),
         ({"webhook": "https://no-such-host.invalid/hook"}, "does not resolve"),
         ({"slack": "https://example.com/services/x"}, "hooks.slack.com/services/"),
         ({"slack": "http://hooks.slack.com/services/x"}, "must use https"),
         ({"address": "maria.chen@example.com", "webhook": PUBLIC_HOOK}, "exactly one"),
         ({}, "exactly one"),
         ({"address": "maria.chen@example.com", "owner": "a@example.com"}, "Slack members only")],
    )  # fmt: skip
    def test_a_bad_endpoint_is_a_problem_that_says_what_to_fix(
        self, client: TestClient, member: dict[str, str], hint: str
    ) -> None:
        list_id = _list(client)
        refused = client.post(f"/distribution-lists/{list_id}/members", json=member)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert refused.json()["type"] == "/problems/invalid-command"
        assert hint in refused.json()["detail"]
        assert client.get(f"/distribution-lists/{list_id}").json()["members"] == []

    def test_an_endpoint_is_checked_again_before_every_send(
        self, url: str, mail_server: MailServer, receiver: Receiver
    ) -> None:
        """Added while private addresses were allowed (as if its name then resolved to a public
        address), it is refused when sending without that allowance: nothing is posted."""
        allowed = build(settings_for(url, mail_server, webhook_allow_private=True))
        created = allowed.lists.create(name="Hooks", audience="executive", actor="ana")
        hook = receiver.url("/inside")
        allowed.lists.add_endpoint(
            created.id, kind=MemberKind.WEBHOOK,
            url=hook, actor="ana", allow_private=True,
        )  # fmt: skip
        allowed.close()
        container = build(settings_for(url, mail_server))
        try:
            escalation = container.app.open(
                actor="ana", title="Sync", scope="global", source="tools_outage", severity="SEV2"
            ).escalation_id
            result = container.app.run(
                "communicate", escalation, actor="ana", audience="executive", channel="email",
                subject="s", body="b", deliver=True,
            )  # fmt: skip
            build_worker(container).run_until_idle()
            c = str(result.extra["communication_id"])
            [row] = container.outcomes.deliveries(str(escalation), c) or []
            assert (row.state, row.attempts, row.next_attempt_at) == ("failed", 1, None)
            assert "loopback" in str(row.last_error)
            assert receiver.received == []
        finally:
            container.close()

    def test_deliveries_show_kind_and_endpoint_never_the_secret(
        self, url: str, clock: ManualClock, mail_server: MailServer, receiver: Receiver
    ) -> None:
        settings = mail_settings(mail_server) | {
            "webhook_allow_private": True, "delivery_retry_schedule_s": [0.05],
        }  # fmt: skip
        with api_client(url, clock, **settings) as client:
            list_id = _list(client)
            hook = receiver.url("/hook")
            added = client.post(f"/distribution-lists/{list_id}/members", json={"webhook": hook})
            secret = added.json()["secret"]
            escalation = open_outage(client)
            said = client.post(
                f"/escalations/{escalation}/communications",
                json={"audience": "executive", "channel": "email", "subject": "Sync delays",
                      "body": "Rolling back.", "deliver": True},
            )  # fmt: skip
            assert said.json()["delivery"] == {"recipients_queued": 1}
            c = said.json()["created"]["communication_id"]
            container = client.app.state.container  # type: ignore[attr-defined]
            build_worker(container).run_until_idle()
            shown = client.get(f"/escalations/{escalation}/communications/{c}/deliveries")
            [item] = shown.json()["items"]
            assert (item["kind"], item["endpoint"], item["state"]) == ("webhook", hook, "sent")
            assert secret not in shown.text
            [post] = receiver.posts("/hook")
            assert (
                Webhook(secret).verify(post.body, post.headers)["data"]["body"] == "Rolling back."
            )
            assert json.loads(post.body)["data"]["escalation_id"] == escalation


class TestWebhooksOverHttpOnSQLite(OnSQLite, WebhooksOverHttpBehaviour):
    pass


class TestWebhooksOverHttpOnPostgreSQL(OnPostgreSQL, WebhooksOverHttpBehaviour):
    pass
