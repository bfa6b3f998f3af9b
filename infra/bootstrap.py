"""The composition root: the one place that builds the application for a configuration."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from infra.application import Clock, Escalations, system_clock
from infra.delivery.lists import DistributionLists
from infra.delivery.outcomes import Outcomes
from infra.delivery.outcomes_sql import outcomes_for
from infra.erasure import ErasureHooks
from infra.keys import ApiKeys
from infra.people import People
from infra.privacy.master_key import master_keys
from infra.sessions import Sessions, ShareLinks, SignInThrottle, console_secret
from infra.settings import Settings
from infra.settings.views import update_cadence
from infra.store_guard import connect_postgres, guard_postgres
from projections.documents.render import DocumentRenderer
from projections.sla import SlaPolicy
from projections.template_check import check_overrides


@dataclass
class Console:
    people: People
    sessions: Sessions
    share_links: ShareLinks
    throttle: SignInThrottle


@dataclass
class Container:
    """Everything a way in (HTTP, CLI, workers) needs, built once per process."""

    settings: Settings
    app: Escalations
    keys: ApiKeys
    renderer: DocumentRenderer
    """The documents' templates (ESCALATIONS_TEMPLATES_DIR over the built-in ones)."""
    sla_policy: SlaPolicy
    """The targets the views and the deadline watcher measure against."""
    lists: DistributionLists
    """The distribution lists communications are delivered to."""
    outcomes: Outcomes
    """Per-recipient outcomes of delivered communications (infra/delivery/)."""
    console: Console
    """The people who sign in, their sessions, share links and the sign-in throttle."""
    erasure_hooks: ErasureHooks = field(default_factory=ErasureHooks)
    """Views that hold data derived from customers register here to be purged on an erasure."""

    def close(self) -> None:
        self.app.close()


def build(settings: Settings, *, clock: Clock = system_clock) -> Container:
    renderer, sla_policy = _read_side(settings)  # a broken template stops us before the store
    master_key, previous_master_keys = master_keys(settings)
    if settings.is_postgres:
        ensure_postgres_schema(settings)
    app = Escalations(
        settings.eventsourcing_env(),
        clock=clock,
        snapshot_interval=settings.store.snapshot_interval,
        command_retries=settings.store.command_retries,
        master_key=master_key,
        previous_master_keys=previous_master_keys,
        update_cadence=update_cadence(sla_policy),
        linked_cases_follow=settings.cases.linked_cases_follow,
    )
    if settings.is_postgres:
        guard_postgres(app, settings.eventsourcing_env())
    outcomes = outcomes_for(app.recorder)
    outcomes.create_tables()
    return Container(
        settings=settings,
        app=app,
        keys=ApiKeys(app, clock, cache_seconds=settings.auth.cache_seconds),
        renderer=renderer,
        sla_policy=sla_policy,
        lists=DistributionLists(app, clock),
        outcomes=outcomes,
        console=_console(app, settings, clock, master_key.secret),
    )


def _console(app: Escalations, settings: Settings, clock: Clock, master_key: bytes) -> Console:
    given = settings.console
    secret = console_secret(given.secret.get_secret_value() if given.secret else None, master_key)
    people = People(app, clock)
    return Console(
        people=people,
        sessions=Sessions(
            people,
            secret,
            idle_seconds=given.session_idle_minutes * 60,
            absolute_seconds=given.session_absolute_hours * 3600,
        ),
        share_links=ShareLinks(app, clock, secret),
        throttle=SignInThrottle(given.sign_in_failures, given.sign_in_window_minutes * 60),
    )


def reconfigured(container: Container, settings: Settings) -> Container:
    """The same store and keys under other read-side settings (templates, SLA targets)."""
    renderer, sla_policy = _read_side(settings)
    return replace(container, settings=settings, renderer=renderer, sla_policy=sla_policy)


def _read_side(settings: Settings) -> tuple[DocumentRenderer, SlaPolicy]:
    """Raises BrokenTemplate naming the first override that does not compile or render."""
    overrides = (settings.documents.templates_dir, settings.status_page.templates_dir)
    for override_dir in {Path(d) for d in overrides if d}:
        check_overrides(override_dir)
    return DocumentRenderer(settings.documents.templates_dir), settings.sla.policy()


def ensure_postgres_schema(settings: Settings) -> None:
    """A schema named in the URL is created on first use, so a deployment needs no manual DDL."""
    env = settings.eventsourcing_env()
    schema = env.get("POSTGRES_SCHEMA")
    if not schema:
        return
    from psycopg import sql

    timeout = int(env["POSTGRES_CONNECT_TIMEOUT"])
    with connect_postgres(env, timeout=timeout, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
