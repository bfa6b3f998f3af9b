"""A real SMTP server for the delivery tests: aiosmtpd on a free loopback port, keeping every
message it accepted, parsed, and refusing the recipients a test names with a 550."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support import free_port


class Recorder:
    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refused: set[str] = set()
        self.refused_sender = False
        """Refuse every MAIL FROM with a 553, as a relay does for a sender it does not allow."""
        self.busy: dict[str, int] = {}
        """Recipients answered with a temporary 450, as many times as given."""
        self.lock = threading.Lock()
        self.tls: list[bool] = []
        """Whether each accepted message came over TLS."""
        self.delay_s = 0.0
        """A pause before each message is accepted, so a test can catch a batch in flight."""

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refused_sender:
            return "553 5.7.1 sender not allowed"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.lower() in self.refused:
            return "550 5.1.1 <" + address + ">: mailbox unavailable"
        if self.busy.get(address.lower(), 0) > 0:
            self.busy[address.lower()] -= 1
            return "450 4.2.1 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        with self.lock:
            self.raw.append(envelope.content)
            self.tls.append(session.ssl is not None)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class MailServer:
    """Started and stopped on one port, so a test can take it away and bring it back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.recorder = Recorder()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def count(self) -> int:
        with self.recorder.lock:
            return len(self.recorder.raw)

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message accepted so far, parsed (the server only stores the bytes, so that
        parsing costs the server's thread nothing while a batch is on the wire)."""
        with self.recorder.lock:
            raw = list(self.recorder.raw)
        parsed = (email.message_from_bytes(m, policy=email.policy.default) for m in raw)
        return [m for m in parsed if isinstance(m, EmailMessage)]

    def refuse(self, address: str) -> None:
        self.recorder.refused.add(address.lower())

    def busy(self, address: str, times: int) -> None:
        self.recorder.busy[address.lower()] = times

    def start(self, **options: Any) -> None:
        self._controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port, **options
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def message_ids_by_recipient(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for message in self.messages:
            found.setdefault(str(message["To"]), []).append(str(message["Message-ID"]))
        return found
