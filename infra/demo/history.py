"""The history builder: one escalation's story, told command by command at explicit times through
the named use cases (`infra/use_cases.py`), the same way every way in runs them.

    story = History.open(app, at=start, actor="monitoring", title=..., scope="global", ...)
    story.then(4, "acknowledge", actor="maria")          # 4 minutes later
    note_id = story.then(1, "add_note", actor="maria", text="...")
    story.play([(2, "change_status", {"actor": "maria", "status": "investigating"})])

The demo (`infra/demo/`), the documents' test scenarios and the benches build their histories
with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from infra.application import CommandResult, Escalations
from infra.use_cases import use_case

Step = tuple[float, str, Mapping[str, Any]]
"""Minutes after the previous step, the use case, and its arguments (the actor among them)."""


class History:
    def __init__(self, app: Escalations, escalation_id: UUID, start: datetime) -> None:
        self.app = app
        self.id = escalation_id
        self.clock = start
        self.last: CommandResult | None = None

    @classmethod
    def open(cls, app: Escalations, *, at: datetime, actor: str, **fields: Any) -> History:
        """Open an escalation at `at` (give `id=` for a fixed one) and follow it from there."""
        result = app.open(actor=actor, at=at, **fields)
        story = cls(app, result.escalation_id, at)
        story.last = result
        return story

    def after(self, minutes: float) -> datetime:
        """Move the story's clock on, and answer the new time."""
        self.clock = self.clock + timedelta(minutes=minutes)
        return self.clock

    def later(self, **delta: float) -> datetime:
        """A moment relative to the story's clock, for a deadline or a next update due."""
        return self.clock + timedelta(**delta)

    def then(self, minutes: float, name: str, /, **arguments: Any) -> Any:
        """Run a use case `minutes` after the previous step; answers what it created, if any."""
        return self.at(self.after(minutes), name, **arguments)

    def at(self, moment: datetime, name: str, /, **arguments: Any) -> Any:
        """Run a use case at this moment (the clock moves there)."""
        self.clock = moment
        self.last = self.app.run(name, self.id, at=moment, **arguments)
        created = use_case(name).created
        return self.last.extra.get(created) if created else None

    def play(self, steps: Iterable[Step]) -> History:
        for minutes, name, arguments in steps:
            self.then(minutes, name, **arguments)
        return self
