"""The composition root: the one place that builds the application for a configuration."""

from __future__ import annotations

from dataclasses import dataclass

from infra.application import Clock, Escalations, system_clock
from infra.settings import Settings


@dataclass
class Container:
    """Everything a way in (HTTP, CLI, workers) needs, built once per process."""

    settings: Settings
    app: Escalations

    def close(self) -> None:
        self.app.close()


def build(settings: Settings | None = None, *, clock: Clock = system_clock) -> Container:
    settings = settings or Settings()
    app = Escalations(
        settings.eventsourcing_env(),
        clock=clock,
        snapshot_interval=settings.snapshot_interval,
        command_retries=settings.command_retries,
    )
    return Container(settings=settings, app=app)
