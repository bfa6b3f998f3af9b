"""Sending e-mail over SMTP: one connection for many messages, each refusal told apart.

The connection is opened on the first batch and kept between batches (a NOOP checks it is still
alive before it is reused), so a round of ten thousand messages costs one TLS handshake and one
login. A reply that refuses one recipient or one message is that message's outcome; a connection
that cannot be made or is lost raises `ChannelUnavailable` with what was finished, so the worker
backs off instead of counting an attempt against every recipient.

Nothing here logs an address or a message: a log line names the server and the reply code only.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Sequence

from adapters.delivery.channel import ChannelUnavailable, Outcome, Outgoing
from adapters.mail.compose import addressed, shared_part

log = logging.getLogger(__name__)

REPLY_PHRASES = {
    421: "mail server unavailable",
    450: "mailbox busy",
    451: "error at the mail server",
    452: "mail server out of storage",
    550: "mailbox unavailable",
    551: "recipient not local to the server",
    552: "mailbox full",
    553: "mailbox name not allowed",
    554: "message refused",
}
"""What each SMTP reply code means (RFC 5321, 4.2.3), as counted in a delivery summary; the
server's own text may name the recipient, so it is kept only beside the recipient."""


def reason_of(code: int) -> str:
    return REPLY_PHRASES.get(code, f"refused by the mail server ({code})")


class SmtpChannel:
    name = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        implicit_tls: bool = False,
        starttls_required: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.implicit_tls, self.starttls_required = implicit_tls, starttls_required
        self.username, self.password = username, password
        self.timeout_s = timeout_s
        self.tls_context = tls_context or ssl.create_default_context()
        self._connection: smtplib.SMTP | None = None
        self.connections_opened = 0

    # -------------------------------------------------------------------- sending

    def send(self, messages: Sequence[Outgoing]) -> list[Outcome]:
        done: list[Outcome] = []
        if not messages:
            return done
        connection = self._connected(done)
        shared: dict[tuple[str, str, str, str], bytes] = {}
        for message in messages:
            content = (message.thread_id, message.subject, message.text, message.html)
            if content not in shared:
                shared[content] = shared_part(message, self.sender)
            try:
                connection.sendmail(
                    self.sender, [message.recipient], addressed(shared[content], message)
                )
            # smtplib resets the transaction itself after each of these refusals.
            except smtplib.SMTPRecipientsRefused as refused:
                code, reply = next(iter(refused.recipients.values()))
                done.append(_refused(message, code, reply))
            except smtplib.SMTPDataError as refused:
                if refused.smtp_code == 421:  # the server is closing the connection
                    self._lost(done, refused)
                done.append(_refused(message, refused.smtp_code, refused.smtp_error))
            # The sender refused is about this configuration, not the recipient; any other reply
            # smtplib did not expect leaves the session in doubt. Neither is the recipient's
            # failure: what was done is kept and the rest waits for the channel to be back.
            except (smtplib.SMTPException, OSError) as lost:
                self._lost(done, lost)
            else:
                done.append(Outcome(message.key, sent=True))
        return done

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()

    # ------------------------------------------------------------------ connection

    def _connected(self, done: list[Outcome]) -> smtplib.SMTP:
        if self._connection is not None:
            try:
                code, _ = self._connection.noop()
                if code == 250:
                    return self._connection
            except (smtplib.SMTPException, OSError):
                pass
            self._connection = None
        try:
            self._connection = self._open()
        except (smtplib.SMTPException, OSError) as failed:
            self._connection = None
            raise ChannelUnavailable(_unavailable(failed), list(done)) from failed
        self.connections_opened += 1
        return self._connection

    def _open(self) -> smtplib.SMTP:
        connection: smtplib.SMTP
        if self.implicit_tls:
            connection = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout_s, context=self.tls_context
            )
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
        try:
            connection.ehlo()
            if not self.implicit_tls:
                if connection.has_extn("starttls"):
                    connection.starttls(context=self.tls_context)
                    connection.ehlo()
                elif self.starttls_required:
                    raise smtplib.SMTPNotSupportedError("the mail server does not offer STARTTLS")
            if self.username:
                connection.login(self.username, self.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def _lost(self, done: list[Outcome], error: BaseException) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        log.warning("lost the connection to the mail server %s:%d", self.host, self.port)
        raise ChannelUnavailable(_unavailable(error), list(done)) from error


def _refused(message: Outgoing, code: int, reply: bytes | str) -> Outcome:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    log.info("the mail server refused a message with %d", code)
    return Outcome(
        message.key,
        sent=False,
        permanent=500 <= code < 600,
        reason=reason_of(code),
        detail=f"{code} {text}"[:500],
    )


def _unavailable(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "the mail server refused the login"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return "the mail server refused the sender address (ESCALATIONS_MAIL_FROM)"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return str(error)
    if isinstance(error, ssl.SSLError):
        return "TLS with the mail server failed"
    if isinstance(error, socket.timeout | TimeoutError):
        return "the mail server did not answer in time"
    return "mail server unavailable"
