"""What every `escalations` command shares: the console, the database option, the container and
the stop signals. The command line is an entry point: it is where the settings are read."""

from __future__ import annotations

import signal
import threading
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from infra.bootstrap import Container, build
from infra.settings import Settings
from projections.template_check import BrokenTemplate

console = Console(stderr=True)

EXIT_BROKEN_TEMPLATE = 3
"""`serve` (and every command) refuses to start with a template override that is broken."""

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="ESCALATIONS_DATABASE_URL",
        help="sqlite:///file.db or postgresql://...",
    ),
]


def settings_for(database_url: str | None = None, **overrides: Any) -> Settings:
    """The settings for this run: the environment's, with what the options say."""
    if database_url:
        overrides["database_url"] = database_url
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def container_for(database_url: str | None = None, **overrides: Any) -> Container:
    try:
        return build(settings_for(database_url, **overrides))
    except BrokenTemplate as error:
        console.print(
            f"[red]{escape(str(error))}[/]\nFix the template, or remove it to use ours.",
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_BROKEN_TEMPLATE) from None


def stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM, so a long-running command stops cleanly."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: Any) -> None:
        console.print(f"stopping ({signal.Signals(signum).name}) ...")
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    return stop
