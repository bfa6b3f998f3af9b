"""Webhook and Slack members against a real HTTP receiver, verified with the `standardwebhooks`
library, written once and run on each store."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from domain.distribution_list import MemberKind
from infra.bootstrap import Container, build
from infra.delivery.wiring import build_worker, lists_of, outcome_store
from tests.delivery.behaviour import communicate, deliver_update, settings_for
from tests.delivery.http_receiver import Receiver
from tests.delivery.smtp_server import MailServer

HOOK_SETTINGS: dict[str, Any] = {
    "webhook_allow_private": True,
    "webhook_timeout_s": 2.0,
    "delivery_link_base_url": "https://escalations.example.com",
}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WebhookBehaviour:
    url: str

    @pytest.fixture
    def container(self, url: str, mail_server: MailServer) -> Iterator[Container]:
        container = build(settings_for(url, mail_server, **HOOK_SETTINGS))
        yield container
        container.close()

    def _endpoint(
        self, container: Container, kind: MemberKind, url: str, *, actor: str = "ana"
    ) -> tuple[UUID, str | None]:
        lists = lists_of(container)
        created = lists.create(name="Status watchers", audience="executive", actor="ana")
        _, secret = lists.add_endpoint(
            created.id, kind=kind, url=url, actor=actor, allow_private=True,
            owner="owner@example.com",
        )  # fmt: skip
        return created.id, secret

    def _deliveries(self, container: Container, escalation: UUID, c: str) -> list[dict[str, Any]]:
        rows = outcome_store(container).deliveries(str(escalation), c) or []
        return [row.as_dict() for row in rows]

    def test_a_webhook_gets_the_communication_signed_as_standard_webhooks_verify(
        self, container: Container, receiver: Receiver
    ) -> None:
        hook = receiver.url("/hook")
        _, secret = self._endpoint(container, MemberKind.WEBHOOK, hook)
        assert secret is not None and secret.startswith("whsec_")
        escalation, c = deliver_update(container, subject="Sync delays", body="Rolling back.")

        [post] = receiver.posts("/hook")
        payload = Webhook(secret).verify(post.body, post.headers)
        assert payload["type"] == "escalation.communication"
        assert payload["data"] == {
            "escalation_id": str(escalation), "communication_id": c, "title": "Sync outage",
            "severity": "SEV2", "status": "triage", "audience": "executive",
            "subject": "Sync delays", "body": "Rolling back.",
            "links": {"update": f"https://escalations.example.com/escalations/{escalation}"
                      "/updates/executive"},
        }  # fmt: skip
        assert "@" not in post.body.decode()  # no address, not even the owner's
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(post.body + b" ", post.headers)
        [row] = self._deliveries(container, escalation, c)
        assert (row["kind"], row["endpoint"], row["state"]) == ("webhook", hook, "sent")
        assert secret not in repr(row) and secret not in repr(lists_of(container).all())

    def test_a_retry_carries_the_same_webhook_id_after_a_server_error(
        self, container: Container, receiver: Receiver
    ) -> None:
        hook = receiver.script("/flaky", (503, "busy"), (200, "ok"))
        _, secret = self._endpoint(container, MemberKind.WEBHOOK, hook)
        escalation, c = deliver_update(container)

        first, second = receiver.posts("/flaky")
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert (
            Webhook(str(secret)).verify(second.body, second.headers)["data"]["communication_id"]
            == c
        )
        [row] = self._deliveries(container, escalation, c)
        assert (row["state"], row["attempts"]) == ("sent", 2)

    @pytest.mark.parametrize(
        ("answer", "state", "attempts", "retried"),
        [((404, "no such hook"), "failed", 1, False), ((410, "gone"), "failed", 1, False),
         ((302, "moved"), "failed", 1, False), ((429, "slow down"), "failed", 4, True),
         ((408, "timeout"), "failed", 4, True), ((500, "oops"), "failed", 4, True)],
    )  # fmt: skip
    def test_what_an_answer_means(
        self, container: Container, receiver: Receiver, answer: tuple[int, str], state: str,
        attempts: int, retried: bool,
    ) -> None:  # fmt: skip
        hook = receiver.script("/answer", answer)
        self._endpoint(container, MemberKind.WEBHOOK, hook)
        escalation, c = deliver_update(container)
        [row] = self._deliveries(container, escalation, c)
        assert (row["state"], row["attempts"]) == (state, attempts)  # schedule of 3: 1 + 3 tries
        assert len(receiver.posts("/answer")) == attempts
        assert receiver.posts("/elsewhere") == []  # a redirect is never followed
        assert row["last_error"].startswith(f"HTTP {answer[0]}")
        assert retried == (attempts > 1)

    def test_a_refused_connection_is_retried_and_costs_the_others_nothing(
        self, container: Container, receiver: Receiver, mail_server: MailServer
    ) -> None:
        list_id, _ = self._endpoint(
            container, MemberKind.WEBHOOK, f"http://127.0.0.1:{_closed_port()}/hook"
        )
        lists_of(container).add(list_id, address="maria.chen@example.com", actor="ana")
        escalation, c = deliver_update(container)
        by_kind = {row["kind"]: row for row in self._deliveries(container, escalation, c)}
        assert (by_kind["webhook"]["state"], by_kind["webhook"]["attempts"]) == ("failed", 4)
        assert "connection" in by_kind["webhook"]["last_error"].lower()
        assert (by_kind["email"]["state"], by_kind["email"]["attempts"]) == ("sent", 1)
        assert len(mail_server.messages) == 1

    def test_slack_gets_a_block_kit_message_in_slack_limits(
        self, container: Container, receiver: Receiver
    ) -> None:
        hook = receiver.url("/services/T1/B2/c3")
        _, secret = self._endpoint(container, MemberKind.SLACK, hook)
        assert secret is None
        escalation, c = deliver_update(
            container, "T" * 200, subject="Sync <delays>", body="x" * 5000
        )

        [post] = receiver.posts("/services/T1/B2/c3")
        assert "webhook-signature" not in post.headers
        message = post.json()
        assert message["text"].startswith("T")
        types = [block["type"] for block in message["blocks"]]
        assert types == ["header", "section", "section", "context", "actions"]
        header, update, fields, context, actions = message["blocks"]
        assert header["text"]["type"] == "plain_text" and len(header["text"]["text"]) <= 150
        assert update["text"]["type"] == "mrkdwn" and len(update["text"]["text"]) <= 3000
        assert update["text"]["text"].startswith("*Sync &lt;delays&gt;*")
        assert [f["text"] for f in fields["fields"]] == [
            "*Severity*\nSEV2",
            "*Status*\ntriage",
            "*Audience*\nexecutive",
        ]
        assert context["elements"][0]["text"].startswith("Update of ")
        [button] = actions["elements"]
        assert button["type"] == "button" and button["url"].endswith("/updates/executive")
        assert len(button["text"]["text"]) <= 75
        [row] = self._deliveries(container, escalation, c)
        assert (row["kind"], row["state"]) == ("slack", "sent")

    def test_an_endpoint_failing_past_the_limit_is_disabled_and_its_owner_told(
        self, url: str, mail_server: MailServer, receiver: Receiver
    ) -> None:
        container = build(
            settings_for(url, mail_server, **HOOK_SETTINGS, webhook_disable_after_s=0.1)
        )
        try:
            hook = receiver.script("/down", (503, "down"))
            list_id, _ = self._endpoint(container, MemberKind.WEBHOOK, hook)
            escalation, _ = deliver_update(container)

            [endpoint] = lists_of(container).get(list_id).endpoints
            assert endpoint["disabled"]["owner_notice"] == "told by e-mail to owner@example.com"
            assert endpoint["disabled"]["reason"].startswith("failing since")
            [notice] = mail_server.messages
            assert notice["To"] == "owner@example.com"
            assert hook in notice.get_body().get_content()  # type: ignore[union-attr]
            posts = len(receiver.posts("/down"))
            communicate(container, escalation, subject="Second update")
            build_worker(container).run_until_idle()
            assert len(receiver.posts("/down")) == posts  # disabled: nothing more is posted
        finally:
            container.close()

    def test_webhooks_and_slack_of_one_batch_are_each_posted_their_own_way(
        self, container: Container, receiver: Receiver
    ) -> None:
        list_id, secret = self._endpoint(container, MemberKind.WEBHOOK, receiver.url("/hook"))
        lists_of(container).add_endpoint(
            list_id, kind=MemberKind.SLACK, url=receiver.url("/services/A/B/C"), actor="ana",
            allow_private=True,
        )  # fmt: skip
        escalation, c = deliver_update(container)
        [hook] = receiver.posts("/hook")
        [slack] = receiver.posts("/services/A/B/C")
        assert Webhook(str(secret)).verify(hook.body, hook.headers)["data"]["communication_id"] == c
        assert "webhook-signature" not in slack.headers and "blocks" in slack.json()
        states = {row["kind"]: row["state"] for row in self._deliveries(container, escalation, c)}
        assert states == {"webhook": "sent", "slack": "sent"}
