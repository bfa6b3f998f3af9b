"""The delivery benchmark at a reduced size (the full size and its figure: docs/delivery.md)."""

from __future__ import annotations

from bench.delivery import deliver_to_members
from tests.delivery.smtp_server import MailServer


def test_the_benchmark_delivers_one_message_to_every_member(
    sqlite_url: str, mail_server: MailServer
) -> None:
    rate = deliver_to_members(sqlite_url, 300, mail_server)
    assert rate > 0
    assert sorted({str(m["To"]) for m in mail_server.messages}) == [
        f"member{i:05}@example.com" for i in range(300)
    ]
