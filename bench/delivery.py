"""Delivery throughput: one communication to every member of a list, sent by the worker to a local
aiosmtpd server over one connection, outcomes committed per batch. Target >= 500 messages/s.

    .venv/bin/python -m bench.delivery [--members 10000] [--postgres postgresql://...]

Measured from the worker's first round to the last outcome committed and the round reported:
intake (recipients resolved and queued), sending, and the `CommunicationDelivered` summary.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from bench.stores import on_each_store, store_arguments
from infra.bootstrap import build
from infra.delivery.wiring import build_worker
from infra.privacy.crypto import MasterKey
from infra.settings import Settings
from tests.delivery.smtp_server import MailServer

BATCH = 200


def deliver_to_members(database_url: str, members: int, server: MailServer) -> float:
    """Messages per second for one communication to `members` recipients."""
    settings = Settings(
        database_url=database_url,
        smtp_url=server.url,
        mail_from="updates@example.com",
        delivery_batch_size=BATCH,
        master_key=MasterKey.generate().to_base64(),
    )
    container = build(settings)
    try:
        created = container.lists.create(name="Everyone", audience="internal", actor="bench")
        everyone = container.lists._load(created.id)
        at = datetime.now(UTC)
        for i in range(members):
            everyone.add_member(actor="bench", at=at, address=f"member{i:05}@example.com")
        container.app.save(everyone)
        escalation = container.app.open(
            actor="bench", title="Bench", scope="global", source="tools_outage", severity="SEV2"
        ).escalation_id
        container.app.run(
            "communicate", escalation, actor="bench", audience="internal", channel="email",
            subject="Bench", body="One update to everyone.", deliver=True,
        )  # fmt: skip
        before = server.count
        worker = build_worker(container)
        started = time.perf_counter()
        worker.run_until_idle(timeout_s=3600)
        elapsed = time.perf_counter() - started
        worker.close()
        received = server.count - before
        assert received == members, f"the server received {received} of {members}"
        connections = getattr(worker.channel, "connections_opened", "?")
        rate = members / elapsed
        print(
            f"  {members:,} messages in {elapsed:.2f} s: {rate:,.0f} messages/s "
            f"over {connections} SMTP connection(s), batches of {BATCH}"
        )
        return rate
    finally:
        container.close()


def main() -> None:
    parser = store_arguments(__doc__, 0)
    parser.add_argument("--members", type=int, default=10_000)
    arguments = parser.parse_args()
    server = MailServer()
    server.start()
    try:
        on_each_store(
            lambda url: deliver_to_members(url, arguments.members, server) and None,
            arguments.members,
            arguments.postgres,
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
