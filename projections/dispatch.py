"""Handlers keyed by event class, as the eventsourcing library's own `process_event` dispatches.

A reader registers one handler per event class it handles (`@HANDLERS.register(Escalation.Opened)`)
and names the classes it leaves alone in `ignores`. Keys are classes, not their names, so a renamed
or removed event fails at import time instead of silently never matching; and the registry in
`infra/readers.py` checks every reader against the catalogue `domain.escalation.EVENTS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

Handler = TypeVar("Handler", bound=Callable[..., Any])


class Dispatch(Generic[Handler]):
    """A table from event class to handler, filled by decorating each handler."""

    def __init__(self) -> None:
        self._table: dict[type, Handler] = {}

    def register(self, *classes: type) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            for cls in classes:
                if cls in self._table:
                    raise ValueError(f"{cls.__qualname__} has a handler already")
                self._table[cls] = handler
            return handler

        return decorate

    def get(self, event: Any) -> Handler | None:
        return self._table.get(type(event))

    @property
    def handles(self) -> frozenset[type]:
        return frozenset(self._table)


def uncovered(handles: Iterable[type], ignores: Iterable[type], catalogue: Iterable[type]) -> str:
    """What is wrong with a reader's declared events against `catalogue` ("" when nothing)."""
    handled, ignored, known = set(handles), set(ignores), set(catalogue)
    problems = []
    if missing := known - handled - ignored:
        problems.append("neither handled nor ignored: " + _names(missing))
    if unknown := (handled | ignored) - known:
        problems.append("not in the catalogue: " + _names(unknown))
    if both := handled & ignored:
        problems.append("both handled and ignored: " + _names(both))
    return "; ".join(problems)


def _names(classes: Iterable[type]) -> str:
    return ", ".join(sorted(cls.__qualname__ for cls in classes))
