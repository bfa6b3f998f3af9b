"""A store written by release 0.1, before delivery existed: its communications read as recorded
only (`deliver` false), and the worker sends none of them."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from domain.escalation import Escalation
from infra.bootstrap import build
from infra.delivery.wiring import build_worker
from infra.settings import Settings
from tests.delivery.behaviour import (
    SENDER,
    communicate,
    executive_list,
    open_incident,
    settings_for,
)
from tests.delivery.smtp_server import MailServer

DATA = Path(__file__).parents[1] / "compat" / "data" / "store-0.1"


def test_old_communications_load_as_recorded_only_and_are_never_sent(
    tmp_path: Path, mail_server: MailServer
) -> None:
    shutil.copy(DATA / "store.db", tmp_path / "store.db")
    master_key = (DATA / "store.db.master-key").read_text(encoding="utf-8").strip()
    container = build(
        Settings(
            database_url=f"sqlite:///{tmp_path}/store.db", master_key=master_key,
            smtp_url=mail_server.url, mail_from=SENDER,
        )
    )  # fmt: skip
    try:
        app = container.app
        communicated = [
            app.mapper.to_domain_event(n)
            for n in app.notifications()
            if n.topic.endswith("Escalation.Communicated")
        ]
        assert communicated, "the 0.1 store holds communications"
        assert all(
            isinstance(e, Escalation.Communicated) and e.deliver is False for e in communicated
        )

        worker = build_worker(container)
        worker.run_until_idle(timeout_s=30)
        assert mail_server.messages == []
        assert worker.stats.taken_in == 0
    finally:
        container.close()


def test_no_address_reaches_the_log(
    sqlite_url: str, mail_server: MailServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mail_server.refuse("gone@example.com")
    container = build(settings_for(sqlite_url, mail_server))
    try:
        executive_list(container.lists, "maria.chen@example.com", "gone@example.com")
        communicate(container, open_incident(container))
        worker = build_worker(container)
        worker.run_until_idle(timeout_s=30)
        mail_server.stop()
        communicate(container, open_incident(container))
        for _ in range(3):
            worker.work_round()
        worker.close()
    finally:
        container.close()
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "refused a message with 550" in ours  # (mail.log is the test server's own log)
    assert "mail server unavailable" in ours
    assert "example.com" not in ours
