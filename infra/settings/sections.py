"""The sections of `Settings` that belong to no one component: the store, the HTTP server,
authentication, privacy, documents and the case policy. The views', Kafka's and delivery's sections
are in `views.py`, `kafka.py` and `delivery.py` beside this module."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from pydantic import Field, SecretStr, field_validator

from infra.settings.section import Section


class StoreSettings(Section):
    database_url: str = Field(
        default="sqlite:///./escalations.db",
        description="sqlite:///path/to/file.db (embedded default) or postgresql://user:pw@host:port/db"
        " (production). A ?schema=NAME query selects a PostgreSQL schema.",
    )
    snapshot_interval: int = Field(
        default=50, ge=2, description="Take a snapshot of an escalation every N events."
    )
    aggregate_cache_size: int = Field(
        default=1000, ge=0, description="Escalations kept in memory between commands (0: none)."
    )
    command_retries: int = Field(
        default=25,
        ge=1,
        description="Attempts for a command without If-Match that loses a race to another writer.",
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = urlparse(value).scheme
        if scheme not in ("sqlite", "postgresql", "postgres"):
            raise ValueError("database_url must start with sqlite:/// or postgresql://")
        return value

    def eventsourcing_env(self) -> dict[str, str]:
        """The eventsourcing library's own configuration, derived from database_url."""
        url = urlparse(self.database_url)
        env: dict[str, str] = {
            "IS_SNAPSHOTTING_ENABLED": "y",
            "AGGREGATE_CACHE_MAXSIZE": str(self.aggregate_cache_size),
        }
        if url.scheme == "sqlite":
            path = unquote(url.path)
            # sqlite:///relative.db -> path "/relative.db"; sqlite:////abs.db -> "//abs.db"
            if path.startswith("//") or path.startswith("/"):
                path = path[1:]
            if path in ("", ":memory:"):
                env["SQLITE_DBNAME"] = "file::memory:?cache=shared"
            else:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                env["SQLITE_DBNAME"] = path
            env["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
            env["SQLITE_LOCK_TIMEOUT"] = "10"
            return env
        query = parse_qs(url.query)
        env.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            POSTGRES_DBNAME=url.path.lstrip("/") or "escalations",
            POSTGRES_HOST=url.hostname or "127.0.0.1",
            POSTGRES_PORT=str(url.port or 5432),
            POSTGRES_USER=unquote(url.username or "postgres"),
            POSTGRES_PASSWORD=unquote(url.password or ""),
            POSTGRES_CONNECT_TIMEOUT="5",
            POSTGRES_POOL_SIZE="10",
            POSTGRES_MAX_OVERFLOW="10",
            POSTGRES_PRE_PING="y",
            POSTGRES_LOCK_TIMEOUT="5",
        )
        if "schema" in query:
            env["POSTGRES_SCHEMA"] = query["schema"][0]
        return env

    @property
    def is_postgres(self) -> bool:
        return urlparse(self.database_url).scheme in ("postgresql", "postgres")


class HttpSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_base_url: str | None = Field(
        default=None,
        description="The URL clients reach this server at (behind a proxy: the proxy's), used in "
        "the status page's links and its Atom feed; unset, it is http://HOST:PORT of `serve`.",
    )
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    access_log: bool = Field(
        default=False, description="Log every HTTP request (uvicorn access log)."
    )

    @property
    def base_url(self) -> str:
        """Links' base: the public base URL, else where `serve` listens (a wildcard address is
        no address to link to, so the loopback one stands for it)."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # noqa: S104
        host = "[::1]" if host == "::" else f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"


class AuthSettings(Section):
    ENV_PREFIX = "AUTH_"

    enabled: bool = Field(
        default=True,
        description="Require an API key (Authorization: Bearer or X-API-Key) on every route but "
        "the public status page, health, metrics, docs and problem types. Only for a private "
        "development machine may it be false; then the X-Actor header names the actor.",
    )
    cache_seconds: float = Field(
        default=2.0,
        ge=0,
        le=60,
        description="How long a checked API key is remembered; a key revoked by another process "
        "stops working within this time (at once when revoked through this server).",
    )


class PrivacySettings(Section):
    master_key: SecretStr | None = Field(
        default=None,
        description="Base64 of 32 random bytes: wraps the per-subject keys that encrypt customer "
        "personal data. Required with PostgreSQL; with SQLite a key file is made beside the "
        "database on first run. See docs/privacy.md.",
    )
    previous_master_keys: SecretStr | None = Field(
        default=None,
        description="Comma-separated earlier master keys, still accepted while "
        "`escalations subjects rewrap` moves every subject key to the current one.",
    )


class DocumentsSettings(Section):
    ENV_NAMES = {"templates_dir": "ESCALATIONS_TEMPLATES_DIR"}

    templates_dir: Path | None = Field(
        default=None,
        description="A directory of Jinja2 templates that replace the built-in ones by file name "
        "(e.g. customer.md.j2); templates not found there come from the built-in set.",
    )

    @field_validator("templates_dir", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("templates_dir")
    @classmethod
    def _must_be_a_directory(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"ESCALATIONS_TEMPLATES_DIR={value} is not a directory")
        return value


class CasePolicySettings(Section):
    """Choices a deployment makes about how cases move together (ESCALATIONS_*)."""

    linked_cases_follow: bool = Field(
        default=False,
        description="Resolving a global escalation also resolves every customer case linked to "
        "it that is still open, each on its own stream with the global escalation as its reason "
        "(a resolve request's `resolve_linked` decides it per request). False: the resolve "
        "answer only lists them (`linked_open`).",
    )
