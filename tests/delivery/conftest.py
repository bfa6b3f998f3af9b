from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.delivery.http_receiver import Receiver
from tests.delivery.smtp_server import MailServer


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()
