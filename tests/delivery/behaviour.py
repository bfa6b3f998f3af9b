"""The delivery worker against the real SMTP server, written once and run on each store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from infra.bootstrap import Container, build
from infra.delivery.lists import DistributionLists
from infra.delivery.wiring import build_worker, lists_of, outcome_store
from infra.delivery.worker import utc_now
from infra.settings import Settings
from projections.documents.timeline import build_timeline
from tests.delivery.smtp_server import MailServer

SENDER = "updates@example.com"


def settings_for(url: str, mail_server: MailServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "smtp_url": mail_server.url,
        "mail_from": SENDER,
        "delivery_retry_schedule_s": [0.05, 0.1, 0.2],
        "delivery_poll_interval_s": 0.02,
    }
    return Settings(**(values | overrides))


def open_incident(container: Container, title: str = "Sync outage") -> UUID:
    return container.app.open(
        actor="ana", title=title, scope="global", source="tools_outage", severity="SEV2"
    ).escalation_id


def communicate(
    container: Container, escalation: UUID, audience: str = "executive", **more: Any
) -> str:
    result = container.app.run(
        "communicate",
        escalation,
        actor="ana",
        audience=audience,
        channel="email",
        subject=more.pop("subject", "Sync delays"),
        body=more.pop("body", "We are rolling back.\n\nNext update within the hour."),
        deliver=True,
        **more,
    )
    return str(result.extra["communication_id"])


def executive_list(lists: DistributionLists, *addresses: str) -> UUID:
    created = lists.create(name="Executives", audience="executive", actor="ana")
    for address in addresses:
        lists.add(created.id, address=address, actor="ana")
    return created.id


def deliver_update(
    container: Container, title: str = "Sync outage", **more: Any
) -> tuple[UUID, str]:
    """An incident communicated to executives (`more` as for `communicate`), and the worker run
    until it has nothing left to do: the escalation and the communication delivered."""
    escalation = open_incident(container, title)
    communication = communicate(container, escalation, **more)
    build_worker(container).run_until_idle()
    return escalation, communication


def deliver_to(container: Container, *addresses: str) -> tuple[UUID, str]:
    """`deliver_update` to an executive list of these addresses."""
    executive_list(lists_of(container), *addresses)
    return deliver_update(container)


def delivery_rounds(container: Container, escalation: UUID) -> list[Any]:
    """The escalation's CommunicationDelivered events: one a delivery round, in order."""
    events = container.app.events.get(escalation)
    return [e for e in events if type(e).__name__ == "CommunicationDelivered"]


def deliveries_by_address(
    container: Container, escalation: UUID, communication: str
) -> dict[str, Any]:
    """The delivery rows of one communication, by the recipient's address."""
    rows = outcome_store(container).deliveries(str(escalation), communication) or []
    return {row.address: row for row in rows}


class DeliveryBehaviour:
    url: str

    @pytest.fixture
    def container(self, url: str, mail_server: MailServer) -> Iterator[Container]:
        container = build(settings_for(url, mail_server))
        yield container
        container.close()

    def test_each_member_gets_one_message_threaded_under_the_escalation(
        self, container: Container, mail_server: MailServer
    ) -> None:
        lists = lists_of(container)
        executive_list(lists, "maria.chen@example.com", "kofi.mensah@example.com")
        lists.create(name="Sales", audience="sales_cs", actor="ana")  # another audience: not sent
        escalation = open_incident(container)
        communication = communicate(container, escalation)

        worker = build_worker(container)
        worker.run_until_idle(timeout_s=30)
        worker.close()

        messages = mail_server.messages
        assert sorted(str(m["To"]) for m in messages) == [
            "kofi.mensah@example.com",
            "maria.chen@example.com",
        ]
        root = f"<escalation.{escalation}@example.com>"
        for message in messages:
            assert str(message["From"]) == SENDER
            assert str(message["Subject"]) == "Sync delays"
            assert str(message["In-Reply-To"]) == root
            assert str(message["References"]) == root
            assert str(message["Auto-Submitted"]) == "auto-generated"
            assert str(message["Message-ID"]).startswith(f"<{communication}.{escalation}.")
            assert message.get_content_type() == "multipart/alternative"
            text, html = [part for part in message.iter_parts()]
            assert text.get_content_type() == "text/plain"
            assert "We are rolling back." in text.get_content()
            assert html.get_content_type() == "text/html"
            assert "<p>We are rolling back.</p>" in html.get_content()
        assert len({str(m["Message-ID"]) for m in messages}) == 2

        rows = outcome_store(container).deliveries(str(escalation), communication)
        assert rows is not None
        assert [(r.address, r.state, r.attempts) for r in rows] == [
            ("kofi.mensah@example.com", "sent", 1),
            ("maria.chen@example.com", "sent", 1),
        ]
        by_address = {str(m["To"]): str(m["Message-ID"]) for m in messages}
        assert {r.address: r.message_id for r in rows} == by_address

        delivered = delivery_rounds(container, escalation)
        assert [(e.round, e.recipients, e.sent, e.failed, e.reasons) for e in delivered] == [
            (1, 2, 2, 0, {})
        ]

    def test_the_recipients_are_the_members_at_the_time_of_the_communication(
        self, container: Container, mail_server: MailServer
    ) -> None:
        lists = lists_of(container)
        list_id = executive_list(lists, "maria.chen@example.com", "kofi.mensah@example.com")
        escalation = open_incident(container)
        communication = communicate(container, escalation)
        lists.remove(list_id, address="kofi.mensah@example.com", actor="ana")
        lists.add(list_id, address="late.joiner@example.com", actor="ana")

        build_worker(container).run_until_idle(timeout_s=30)

        assert sorted(str(m["To"]) for m in mail_server.messages) == [
            "kofi.mensah@example.com",
            "maria.chen@example.com",
        ]
        rows = outcome_store(container).deliveries(str(escalation), communication) or []
        assert "late.joiner@example.com" not in {r.address for r in rows}

    def test_a_refused_recipient_is_failed_with_the_reason_and_the_others_are_sent(
        self, container: Container, mail_server: MailServer
    ) -> None:
        mail_server.refuse("gone@example.com")
        escalation, communication = deliver_to(
            container, "maria.chen@example.com", "gone@example.com", "kofi.mensah@example.com"
        )

        assert sorted(str(m["To"]) for m in mail_server.messages) == [
            "kofi.mensah@example.com",
            "maria.chen@example.com",
        ]
        rows = deliveries_by_address(container, escalation, communication)
        refused = rows["gone@example.com"]
        assert (refused.state, refused.attempts, refused.next_attempt_at) == ("failed", 1, None)
        assert refused.last_error is not None and refused.last_error.startswith("550 ")
        assert {rows[a].state for a in ("maria.chen@example.com", "kofi.mensah@example.com")} == {
            "sent"
        }
        [delivered] = delivery_rounds(container, escalation)
        assert (delivered.recipients, delivered.sent, delivered.failed) == (3, 2, 1)
        assert delivered.reasons == {"mailbox unavailable": 1}
        timeline = [entry.text for entry in build_timeline(container.app.events.get(escalation))]
        assert f"Update {communication} sent to 2 of 3; 1 failed: mailbox unavailable." in timeline

    def test_a_temporary_refusal_is_retried_on_the_schedule_and_each_round_is_reported_once(
        self, container: Container, mail_server: MailServer
    ) -> None:
        mail_server.busy("busy@example.com", times=1)
        escalation, communication = deliver_to(
            container, "maria.chen@example.com", "busy@example.com"
        )

        assert sorted(str(m["To"]) for m in mail_server.messages) == [
            "busy@example.com",
            "maria.chen@example.com",
        ]
        rows = deliveries_by_address(container, escalation, communication)
        assert (rows["busy@example.com"].state, rows["busy@example.com"].attempts) == ("sent", 2)
        assert rows["maria.chen@example.com"].attempts == 1
        rounds = [
            (e.round, e.sent, e.failed, e.retrying) for e in delivery_rounds(container, escalation)
        ]
        assert rounds == [(1, 1, 0, 1), (2, 2, 0, 0)]

    def test_a_recipient_still_refused_after_the_last_retry_has_failed_for_good(
        self, url: str, mail_server: MailServer
    ) -> None:
        mail_server.busy("busy@example.com", times=10)
        container = build(settings_for(url, mail_server, delivery_retry_schedule_s=[0.01, 0.01]))
        try:
            escalation, communication = deliver_to(container, "busy@example.com")
            [row] = outcome_store(container).deliveries(str(escalation), communication) or []
            assert (row.state, row.attempts, row.next_attempt_at) == ("failed", 3, None)
            assert row.last_error is not None and row.last_error.startswith("450")
            last = delivery_rounds(container, escalation)[-1]
            summary = (last.round, last.failed, last.reasons)
            assert summary == (3, 1, {"mailbox busy": 1}), summary
        finally:
            container.close()

    def test_a_mail_server_down_for_a_while_gets_every_message_once_it_is_back(
        self, container: Container, mail_server: MailServer
    ) -> None:
        lists = lists_of(container)
        executive_list(lists, *(f"member{i}@example.com" for i in range(12)))
        escalation = open_incident(container)
        communication = communicate(container, escalation)
        mail_server.stop()

        worker = build_worker(container)
        for _ in range(5):
            worker.work_round()
        assert worker.stats.unavailable >= 1
        rows = outcome_store(container).deliveries(str(escalation), communication) or []
        assert {(r.state, r.attempts) for r in rows} == {("queued", 0)}  # no attempt was spent

        mail_server.start()
        worker.run_until_idle(timeout_s=30)

        by_recipient = mail_server.message_ids_by_recipient()
        assert sorted(by_recipient) == sorted(f"member{i}@example.com" for i in range(12))
        assert all(len(ids) == 1 for ids in by_recipient.values())
        rows = outcome_store(container).deliveries(str(escalation), communication) or []
        assert {r.state for r in rows} == {"sent"}

    def test_only_the_holder_of_the_lease_sends_and_a_standby_takes_over_when_it_lapses(
        self, url: str, mail_server: MailServer
    ) -> None:
        settings = settings_for(url, mail_server, delivery_lease_s=30)
        first, second = build(settings), build(settings)
        try:
            active, standby = build_worker(first), build_worker(second)
            assert active.hold_lease()
            assert not standby.hold_lease()
            executive_list(lists_of(first), "maria.chen@example.com")
            communicate(first, open_incident(first))
            assert not standby.work_round()
            assert mail_server.messages == []

            # The active worker stops renewing, as if it had died, and its lease's time passes.
            standby.now = active.now = lambda: utc_now() + timedelta(seconds=31)
            standby.run_until_idle(timeout_s=30)
            assert [str(m["To"]) for m in mail_server.messages] == ["maria.chen@example.com"]
            assert not active.hold_lease()

            standby.close()  # a clean stop hands the lease back at once
            assert active.hold_lease()
        finally:
            first.close()
            second.close()
