"""The composition root: the one place that builds the application for a configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from infra.application import Clock, Escalations, system_clock
from infra.erasure import ErasureHooks
from infra.keys import ApiKeys
from infra.privacy.master_key import master_keys
from infra.settings import Settings
from infra.store_guard import guard_postgres


@dataclass
class Container:
    """Everything a way in (HTTP, CLI, workers) needs, built once per process."""

    settings: Settings
    app: Escalations
    keys: ApiKeys
    erasure_hooks: ErasureHooks = field(default_factory=ErasureHooks)
    """Views that hold data derived from customers register here to be purged on an erasure."""

    def close(self) -> None:
        self.app.close()


def build(settings: Settings | None = None, *, clock: Clock = system_clock) -> Container:
    settings = settings or Settings()
    master_key, previous_master_keys = master_keys(settings)
    if settings.is_postgres:
        ensure_postgres_schema(settings)
    app = Escalations(
        settings.eventsourcing_env(),
        clock=clock,
        snapshot_interval=settings.snapshot_interval,
        command_retries=settings.command_retries,
        master_key=master_key,
        previous_master_keys=previous_master_keys,
    )
    if settings.is_postgres:
        guard_postgres(app, settings.eventsourcing_env())
    return Container(
        settings=settings,
        app=app,
        keys=ApiKeys(app, clock, cache_seconds=settings.auth_cache_seconds),
    )


def ensure_postgres_schema(settings: Settings) -> None:
    """A schema named in the URL is created on first use, so a deployment needs no manual DDL."""
    env = settings.eventsourcing_env()
    schema = env.get("POSTGRES_SCHEMA")
    if not schema:
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
        autocommit=True,
    ) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
