"""A believable history, told as data (`infra/demo/stories/*.toml`) through the named use cases
the API runs, with the shared history builder.

Each story file says how long before `now` it starts, names its escalation, and lists its steps:
`after` (minutes after the previous step), `do` (a use case, or `open`), an `escalation` when a
step opens another one, and the use case's arguments. Two kinds of value are resolved on loading:
`{ later = "PT30M" }`, a moment that long after the previous step (ISO 8601 duration, negative for
before), and `{ demo = "name" }`, the id of the demo escalation of that name. Times are laid out
backwards from `now` over about three weeks so that the status page, queue and reports have
something to show; ids are fixed, so loading twice changes nothing.
"""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from domain.escalation import Escalation
from infra.application import EscalationNotFound, Escalations
from infra.demo.history import History
from infra.demo.ids import SYNC_OUTAGE, demo_id

__all__ = ["SYNC_OUTAGE", "load_demo", "tell"]

STORIES = Path(__file__).with_name("stories")
_DURATION = TypeAdapter(timedelta)


def load_demo(app: Escalations, now: datetime) -> bool:
    """Load the demo history; returns False when it is already there."""
    try:
        app.get(SYNC_OUTAGE)
        return False
    except EscalationNotFound:
        pass
    for path in sorted(STORIES.glob("*.toml")):
        tell(app, tomllib.loads(path.read_text(encoding="utf-8")), now)
    return True


def tell(app: Escalations, story: dict[str, Any], now: datetime) -> History:
    """Play one story file's steps on the store."""
    main = demo_id(story["escalation"])
    history = History(app, main, now - _DURATION.validate_python(story["starts"]))
    for step in story["step"]:
        arguments = dict(step)
        after, name = arguments.pop("after"), arguments.pop("do")
        target = demo_id(arguments.pop("escalation", story["escalation"]))
        resolved = {key: _resolve(value, history.clock) for key, value in arguments.items()}
        if name == "open":
            History.open(app, id=target, at=history.after(after), **resolved)
        elif target == main:
            history.then(after, name, **resolved)
        else:
            raise ValueError(f"a step names {target}; only `open` steps may name another")
    return history


def _resolve(value: Any, base: datetime) -> Any:
    if isinstance(value, dict):
        if value.keys() == {"later"}:
            return base + _DURATION.validate_python(value["later"])
        if value.keys() == {"demo"}:
            return demo_id(value["demo"])
        return {key: _resolve(item, base) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, base) for item in value]
    return value


def moment_of(app: Escalations, escalation_id: Any, *, status: str) -> datetime | None:
    """A whole second a minute after the escalation first reached `status`: a moment of its
    history to show `?as_of` with (the demo's times are relative to when it was loaded)."""
    after = 0
    while page := app.stream(escalation_id, after_version=after, limit=100):
        for event in page:
            if isinstance(event, Escalation.StatusChanged) and event.to_status == status:
                return (event.timestamp + timedelta(minutes=1)).replace(microsecond=0)
        after = page[-1].originator_version
    return None
