"""The SMTP channel against the real aiosmtpd server: STARTTLS, implicit TLS, login, refusals;
and the mail settings that configure it."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from adapters.delivery.channel import ChannelUnavailable, Outgoing
from adapters.mail.smtp import SmtpChannel
from infra.settings import Settings
from tests.delivery.smtp_server import MailServer


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(the server's context, a client context that trusts the server's certificate)."""
    cert_file, key_file = _certificate(tmp_path)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


@pytest.fixture
def server() -> Any:
    mail = MailServer()
    yield mail
    mail.stop()


def _message(key: int = 1, to: str = "maria.chen@example.com") -> Outgoing:
    return Outgoing(
        key=key, recipient=to, message_id=f"<m{key}@example.com>", thread_id="<root@example.com>",
        subject="Sync delays", text="Rolling back.", html="<p>Rolling back.</p>",
    )  # fmt: skip


def _channel(server: MailServer, **options: Any) -> SmtpChannel:
    return SmtpChannel(host="127.0.0.1", port=server.port, sender="updates@example.com", **options)


def test_starttls_is_used_when_the_server_offers_it(server: MailServer, tls: Any) -> None:
    server_context, client_context = tls
    server.start(tls_context=server_context, require_starttls=True)
    channel = _channel(server, tls_context=client_context, starttls_required=True)
    try:
        [outcome] = channel.send([_message()])
    finally:
        channel.close()
    assert outcome.sent
    assert server.recorder.tls == [True]


def test_a_required_starttls_the_server_does_not_offer_sends_nothing(server: MailServer) -> None:
    server.start()
    channel = _channel(server, starttls_required=True)
    with pytest.raises(ChannelUnavailable, match="does not offer STARTTLS") as caught:
        channel.send([_message()])
    assert caught.value.done == []
    assert server.messages == []


def test_implicit_tls_is_spoken_from_the_first_byte(server: MailServer, tls: Any) -> None:
    server_context, client_context = tls
    server.start(ssl_context=server_context)
    channel = _channel(server, implicit_tls=True, tls_context=client_context)
    try:
        [outcome] = channel.send([_message()])
    finally:
        channel.close()
    assert outcome.sent
    assert [str(m["Message-ID"]) for m in server.messages] == ["<m1@example.com>"]


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    good = auth_data.login == b"relay-user" and auth_data.password == b"s3cret/pass"
    return AuthResult(success=good, handled=False)


def test_the_login_is_given_and_a_refused_login_makes_the_channel_unavailable(
    server: MailServer, tls: Any
) -> None:
    server_context, client_context = tls
    server.start(
        tls_context=server_context, require_starttls=True, authenticator=_authenticator,
        auth_required=True,
    )  # fmt: skip
    good = _channel(
        server, username="relay-user", password="s3cret/pass", tls_context=client_context
    )
    try:
        assert [o.sent for o in good.send([_message()])] == [True]
    finally:
        good.close()
    bad = _channel(server, username="relay-user", password="wrong", tls_context=client_context)
    with pytest.raises(ChannelUnavailable, match="refused the login"):
        bad.send([_message(2)])
    assert len(server.messages) == 1


def test_many_messages_go_over_one_connection_and_each_refusal_is_its_own(
    server: MailServer,
) -> None:
    server.start()
    server.refuse("gone@example.com")
    channel = _channel(server)
    try:
        first = channel.send(
            [_message(1), _message(2, "gone@example.com"), _message(3, "kofi@example.com")]
        )
        second = channel.send([_message(4, "dev@example.com")])
    finally:
        channel.close()
    assert [(o.key, o.sent, o.permanent, o.reason) for o in first] == [
        (1, True, False, ""),
        (2, False, True, "mailbox unavailable"),
        (3, True, False, ""),
    ]
    assert first[1].detail.startswith("550 5.1.1")
    assert [o.sent for o in second] == [True]
    assert channel.connections_opened == 1


def test_a_server_that_is_not_there_is_unavailable_and_nothing_is_attempted(
    server: MailServer,
) -> None:
    channel = _channel(server)  # never started
    with pytest.raises(ChannelUnavailable, match="mail server unavailable") as caught:
        channel.send([_message()])
    assert caught.value.done == []


def test_the_mail_settings_read_the_url() -> None:
    mail = Settings(
        smtp_url="smtps://relay%40example.com:p%2Fw@mail.example.com", mail_from="u@example.com"
    ).mail
    server = mail.server()
    assert (server.host, server.port, server.implicit_tls) == ("mail.example.com", 465, True)
    assert (server.username, server.password) == ("relay@example.com", "p/w")
    assert "p/w" not in repr(server) and "p%2Fw" not in repr(mail)
    plain = Settings(
        smtp_url="smtp://relay:2525?starttls=true", mail_from="u@example.com"
    ).mail.server()
    assert (plain.port, plain.implicit_tls, plain.starttls_required) == (2525, False, True)
    assert Settings(smtp_url="smtp://relay", mail_from="u@example.com").mail.server().port == 587
    assert (
        Settings(smtp_url="smtp://relay", mail_from="u@updates.example.com").mail.id_domain
        == "updates.example.com"
    )
    assert not Settings(smtp_url="").mail.enabled


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"smtp_url": "http://relay"}, "smtp://user:password@host:587"),
        ({"smtp_url": "smtp://relay:99999"}, "port"),
        ({"smtp_url": "smtp://relay?starttls=maybe"}, "starttls is true or false"),
        ({"smtp_url": "smtp://relay"}, "ESCALATIONS_MAIL_FROM"),
        ({"delivery_retry_schedule_s": [60, 0]}, "positive"),
    ],
)
def test_a_wrong_mail_setting_stops_the_start_and_says_what_to_set(
    overrides: dict[str, Any], says: str
) -> None:
    values = {"mail_from": "u@example.com", **overrides} if "MAIL_FROM" not in says else overrides
    with pytest.raises(ValidationError, match=says):
        Settings(**values)


def test_a_refused_sender_is_the_channel_s_failure_not_the_recipients(server: MailServer) -> None:
    server.recorder.refused_sender = True
    server.start()
    channel = _channel(server)
    with pytest.raises(ChannelUnavailable, match="refused the sender address") as caught:
        channel.send([_message(1), _message(2, "kofi@example.com")])
    assert caught.value.done == []
    assert server.messages == []
