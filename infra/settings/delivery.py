"""The delivery and mail sections of the settings: `ESCALATIONS_DELIVERY_*`, `ESCALATIONS_SMTP_URL`
and `ESCALATIONS_MAIL_*`.

Delivery is off until a mail server is named (`ESCALATIONS_SMTP_URL`) with a sender
(`ESCALATIONS_MAIL_FROM`); communications sent with `deliver` wait in the store until then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from pydantic import Field, SecretStr, field_validator, model_validator

from infra.settings.section import Section

DEFAULT_RETRY_SCHEDULE_S = (60.0, 300.0, 900.0, 3600.0, 3 * 3600.0, 6 * 3600.0)
"""After a failure: 1, 5 and 15 minutes, then 1, 3 and 6 hours; then the recipient has failed."""


class DeliverySettings(Section):
    ENV_PREFIX = "DELIVERY_"

    enabled: bool = Field(
        default=True,
        description="Run the delivery worker inside `escalations serve` when mail is configured.",
    )
    worker_name: str = Field(
        default="delivery",
        min_length=1,
        max_length=100,
        description="The name of the worker's tracked position and lease; one per store.",
    )
    batch_size: int = Field(
        default=200,
        ge=1,
        le=10_000,
        description="Messages sent over one connection before their outcomes are committed: "
        "a crash re-sends at most this many.",
    )
    intake_size: int = Field(
        default=500, ge=1, description="Notifications read from the store per intake round."
    )
    poll_interval_s: float = Field(
        default=1.0, gt=0, description="How often an idle worker looks for work."
    )
    lease_s: float = Field(
        default=30.0,
        gt=0,
        description="How long the sending worker's lease lasts unless renewed; a standby takes "
        "over once it lapses.",
    )
    retry_schedule_s: tuple[float, ...] = Field(
        default=DEFAULT_RETRY_SCHEDULE_S,
        min_length=1,
        description="Seconds to wait after each failed attempt (JSON list); a recipient whose "
        "attempts outnumber the schedule has failed for good. A mail server that cannot be "
        "reached waits the same schedule before the next try.",
    )

    @field_validator("retry_schedule_s")
    @classmethod
    def _positive(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(step <= 0 for step in value):
            raise ValueError("every retry delay is a positive number of seconds")
        return value


class MailSettings(Section):
    ENV_PREFIX = "MAIL_"
    ENV_NAMES = {"smtp_url": "ESCALATIONS_SMTP_URL", "from_address": "ESCALATIONS_MAIL_FROM"}

    smtp_url: SecretStr | None = Field(
        default=None,
        description="smtp://user:password@host:587 (STARTTLS when the server offers it; "
        "?starttls=true requires it) or smtps://user:password@host:465 (implicit TLS). "
        "None: nothing is sent.",
    )
    from_address: str | None = Field(
        default=None, description="The From address of every message, e.g. updates@example.com."
    )
    timeout_s: float = Field(default=30.0, gt=0, description="Seconds per SMTP command.")
    message_id_domain: str | None = Field(
        default=None,
        description="The right-hand side of Message-IDs; the From address's domain by default.",
    )

    @field_validator("smtp_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _complete(self) -> MailSettings:
        if self.smtp_url is not None:
            server_of(self.smtp_url.get_secret_value())  # refuses a malformed URL at start-up
            if not self.from_address or "@" not in self.from_address:
                raise ValueError(
                    "ESCALATIONS_SMTP_URL is set: set ESCALATIONS_MAIL_FROM to the sending "
                    "address too (e.g. updates@example.com)"
                )
        return self

    @property
    def enabled(self) -> bool:
        return self.smtp_url is not None

    def server(self) -> MailServer:
        if self.smtp_url is None:
            raise ValueError("ESCALATIONS_SMTP_URL is not set")
        return server_of(self.smtp_url.get_secret_value())

    @property
    def id_domain(self) -> str:
        if self.message_id_domain:
            return self.message_id_domain
        return (self.from_address or "escalations.invalid").rpartition("@")[2]


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    implicit_tls: bool
    starttls_required: bool
    username: str | None
    password: str | None

    def __repr__(self) -> str:  # never the password, in a log or a traceback
        return f"MailServer({self.host}:{self.port}, implicit_tls={self.implicit_tls})"


def server_of(url: str) -> MailServer:
    parsed = urlparse(url)
    if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise ValueError(
            "ESCALATIONS_SMTP_URL is smtp://user:password@host:587 or smtps://user:password@host:465"
        )
    query = parse_qs(parsed.query)
    starttls = query.get("starttls", ["false"])[-1].lower()
    if starttls not in ("true", "false"):
        raise ValueError("ESCALATIONS_SMTP_URL: starttls is true or false")
    implicit = parsed.scheme == "smtps"
    try:
        port = parsed.port or (465 if implicit else 587)
    except ValueError:
        raise ValueError("ESCALATIONS_SMTP_URL: the port is a number from 1 to 65535") from None
    return MailServer(
        host=parsed.hostname,
        port=port,
        implicit_tls=implicit,
        starttls_required=starttls == "true",
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
    )
