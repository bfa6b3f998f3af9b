from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.delivery.smtp_server import MailServer


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()
