"""Settings of the projection runners and the public status page (prefixes ESCALATIONS_PROJECTIONS_
and ESCALATIONS_STATUS_)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProjectionSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ESCALATIONS_PROJECTIONS_", env_file=None, extra="ignore"
    )

    batch_size: int = Field(
        default=2000, ge=1, le=50_000, description="Events applied per view transaction."
    )
    poll_interval: float = Field(
        default=0.02,
        gt=0,
        le=5,
        description="Seconds between polls of the SQLite store when idle (PostgreSQL is notified).",
    )
    max_wait: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="Longest a read with ?wait_for=POSITION waits for the views to catch up.",
    )
    enabled: list[str] = Field(
        default_factory=lambda: ["search", "status", "cases"],
        description="Views run by `serve` and `worker` (JSON list).",
    )
    sla_watch_interval: float = Field(
        default=30.0, ge=0.05, description="Seconds between two passes of the deadline watcher."
    )
    sqlite_views_dir: str = Field(
        default="",
        description="Where SQLite view files live; empty: next to the event store's file.",
    )


class StatusPageSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ESCALATIONS_STATUS_", env_file=None, extra="ignore"
    )

    page_id: str = "escalations"
    page_name: str = "Service status"
    components: list[str] = Field(
        default_factory=list,
        description="Components always listed (JSON list); components named by published "
        "incidents are added.",
    )
    history_days: int = Field(default=14, ge=1, le=90)
    uptime_days: int = Field(default=90, ge=1, le=365)
    stream_seconds: float = Field(
        default=25.0,
        gt=0,
        le=3600,
        description="How long one /status/stream response lasts before the browser reconnects "
        "(EventSource does so by itself); bounds how long a server shutdown waits for it.",
    )
    templates_dir: str = Field(
        default="",
        validation_alias=AliasChoices("ESCALATIONS_TEMPLATES_DIR", "templates_dir"),
        description="ESCALATIONS_TEMPLATES_DIR, shared with the documents: a directory whose "
        "templates (status/page.html.j2, status/body.html.j2, status/feed.atom.j2, "
        "reports/trends.html.j2) override the packaged ones.",
    )
