"""`escalations projections rebuild|status|skip` and `escalations worker`."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from api.cli.common import DatabaseOption, console, container_for, stop_on_signals
from infra.views.lifecycle import (
    VIEWS,
    SkipRefused,
    open_views,
    rebuild,
    skip,
    start_projections,
    view_names,
)

projections_cli = typer.Typer(help="The tracked views: rebuild them, see how far behind they are.")


@projections_cli.command("rebuild")
def rebuild_command(
    name: Annotated[
        str | None, typer.Argument(help=f"One of {', '.join(VIEWS)}; all when omitted.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Forget a view and apply every event again, from event 1."""
    try:
        names = view_names([name] if name else None)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    container = container_for(database_url)
    head = container.app.recorder.max_notification_id() or 0
    columns = (
        TextColumn("{task.description:<8}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed:>9,.0f}/{task.total:,.0f}"),
        TextColumn("{task.fields[rate]:>10,.0f} events/s"),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console) as progress:
            for view in names:
                task = progress.add_task(view, total=max(head, 1), rate=0.0)
                started = time.perf_counter()

                def advance(
                    position: int, _head: int, _task: TaskID = task, _t0: float = started
                ) -> None:
                    rate = position / max(time.perf_counter() - _t0, 1e-9)
                    progress.update(_task, completed=position, rate=rate)

                done = rebuild(container, view, progress=advance)
                elapsed = time.perf_counter() - started
                progress.update(task, completed=max(head, 1), rate=done / max(elapsed, 1e-9))
    finally:
        container.close()


@projections_cli.command("status")
def status_command(database_url: DatabaseOption = None) -> None:
    """Each view's position, the store's head, the lag, the event a view is stopped on (with the
    error) and the events skipped (with their reasons). Exit code 1 while a view is stopped."""
    container = container_for(database_url)
    views = open_views(container)
    try:
        rows = views.status()
        table = Table("view", "position", "head", "lag", "stopped on", "error")
        for row in rows:
            fault = row["fault"] or {}
            table.add_row(
                row["view"], str(row["position"]), str(row["head"]), str(row["lag"]),
                str(fault.get("failing", "")), fault.get("error", ""),
            )  # fmt: skip
        Console().print(table)
        skipped = Table("view", "skipped event", "reason", "error", "at", title="skipped events")
        for row in rows:
            for skip in row["skipped"]:
                skipped.add_row(row["view"], str(skip["position"]), skip["reason"],
                                skip["error"], skip["skipped_at"])  # fmt: skip
        if skipped.row_count:
            Console().print(skipped)
    finally:
        views.close()
        container.close()
    if any(row["fault"] for row in rows):
        raise typer.Exit(1)


@projections_cli.command("skip")
def skip_command(
    name: Annotated[str, typer.Argument(help=f"One of {', '.join(VIEWS)}.")],
    position: Annotated[
        int, typer.Option("--position", help="The event the view is stopped on (see status).")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why it is skipped; kept for good.")],
    database_url: DatabaseOption = None,
) -> None:
    """Move a view past the one event it is stopped on, without applying it; the reason is
    recorded and `status` lists it. A running view follows at its next attempt."""
    try:
        view_names([name])
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    container = container_for(database_url)
    try:
        before = skip(container, name, position, reason)
    except SkipRefused as refused:
        console.print(f"[red]{refused}[/]")
        raise typer.Exit(2) from None
    finally:
        container.close()
    console.print(f"view {name} moved from {before} past event {position}: {reason}")


def worker(
    database_url: DatabaseOption = None,
    sla_watcher: Annotated[
        bool, typer.Option("--sla-watcher/--no-sla-watcher", help="Also record SLA breaches.")
    ] = True,
) -> None:
    """Run the projections (and the deadline watcher) without the HTTP API, until stopped."""
    from infra.views.sla_watcher import start_deadline_watcher

    container = container_for(database_url)
    stopping = stop_on_signals()
    handle = start_projections(container)
    watcher = start_deadline_watcher(container) if sla_watcher else None
    console.print(f"worker running views {', '.join(handle.runners)}; Ctrl-C to stop")
    try:
        while not stopping.wait(0.5):
            if handle.errors():
                for name, error in handle.errors().items():
                    console.print(f"[red]view {name} stopped: {error!r}[/]")
                raise typer.Exit(1)
    finally:
        if watcher is not None:
            watcher.stop()
        handle.stop()
        container.close()
