"""The worker killed with SIGKILL mid-batch, on each store: every recipient gets the message, at
least once; the copies sent twice are at most the batch that was in flight, and each carries the
Message-ID of the first, so it is recognisable as the same message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infra.bootstrap import build
from infra.delivery.wiring import lists_of, outcome_store
from tests.backends import OnPostgreSQL, OnSQLite
from tests.delivery.behaviour import (
    SENDER,
    communicate,
    delivery_rounds,
    open_incident,
    settings_for,
)
from tests.delivery.smtp_server import MailServer
from tests.support import ROOT

MEMBERS = 400
BATCH = 50


def _deliver(
    url: str, mail_server: MailServer, log: Path, *options: str
) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "ESCALATIONS_DATABASE_URL": url,
        "ESCALATIONS_SMTP_URL": mail_server.url,
        "ESCALATIONS_MAIL_FROM": SENDER,
        "ESCALATIONS_DELIVERY_BATCH_SIZE": str(BATCH),
        "ESCALATIONS_DELIVERY_LEASE_S": "1",
        "ESCALATIONS_DELIVERY_POLL_INTERVAL_S": "0.05",
    }
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", "deliver", *options],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


class KilledWorkerBehaviour:
    url: str

    def test_a_worker_killed_mid_batch_leaves_duplicates_bounded_and_recognisable(
        self, url: str, mail_server: MailServer, tmp_path: Path
    ) -> None:
        container = build(settings_for(url, mail_server))
        try:
            lists = lists_of(container)
            created = lists.create(name="Everyone", audience="internal", actor="ana")
            for i in range(MEMBERS):
                lists.add(created.id, address=f"member{i:03}@example.com", actor="ana")
            escalation = open_incident(container)
            communication = communicate(container, escalation, audience="internal")
        finally:
            container.close()

        mail_server.recorder.delay_s = 0.002  # keeps each batch on the wire long enough to catch
        log = tmp_path / "deliver.log"
        first = _deliver(url, mail_server, log)
        deadline = time.monotonic() + 120
        while mail_server.count < 3 * BATCH + BATCH // 2:  # inside the fourth batch
            assert first.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.005)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        delivered_before = mail_server.count
        assert delivered_before < MEMBERS

        mail_server.recorder.delay_s = 0.0
        second = _deliver(url, mail_server, log, "--once")
        assert second.wait(120) == 0, log.read_text()

        by_recipient = mail_server.message_ids_by_recipient()
        assert sorted(by_recipient) == [f"member{i:03}@example.com" for i in range(MEMBERS)]
        duplicates = sum(len(ids) - 1 for ids in by_recipient.values())
        assert duplicates <= BATCH
        assert all(len(set(ids)) == 1 for ids in by_recipient.values())

        container = build(settings_for(url, mail_server))
        try:
            rows = outcome_store(container).deliveries(str(escalation), communication) or []
            assert len(rows) == MEMBERS
            assert {r.state for r in rows} == {"sent"}
            assert {r.address: r.message_id for r in rows} == {
                address: ids[0] for address, ids in by_recipient.items()
            }
            rounds = delivery_rounds(container, escalation)
            assert [(e.round, e.sent, e.recipients) for e in rounds] == [(1, MEMBERS, MEMBERS)]
        finally:
            container.close()


class TestKilledWorkerOnSQLite(OnSQLite, KilledWorkerBehaviour):
    pass


@pytest.mark.postgres
class TestKilledWorkerOnPostgreSQL(OnPostgreSQL, KilledWorkerBehaviour):
    pass
