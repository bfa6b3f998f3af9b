"""The public post-mortem: the sections of a published post-mortem that the public may read.

Lifecycle: replayed on read. The status view only records that (and when) a post-mortem was
published; its text is read from the escalation's stream when the public page is asked for, so
the view never holds an unpublished draft. Public are the summary, the impact, the root cause and
what is being done (the descriptions of the prevention action items); the timeline, the five
whys, what went well or wrong, people and dates of work stay internal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.escalation import Escalation
from domain.values import ActionKind
from projections.templating import template_environment

E = Escalation
HANDLES: frozenset[type] = frozenset(
    {
        E.Opened,
        E.ActionItemAdded,
        E.ActionItemCompleted,
        E.PostMortemRecorded,
        E.PostMortemPublished,
    }
)
"""What the public post-mortem reads; every other event it passes over."""


@dataclass
class PublicPostmortem:
    incident_id: str
    title: str
    summary: str
    impact: str
    root_cause: str
    published_at: datetime
    actions: list[dict[str, Any]] = field(default_factory=list)  # {"description", "done"}


def public_postmortem(
    events: Iterable[Any], title: str, as_of: datetime | None = None
) -> PublicPostmortem | None:
    """The published post-mortem's public sections (as of `as_of`), or None when none was
    published by then. `title` is the incident's public name, from the status page."""
    recorded: Any = None
    published: tuple[Any, datetime] | None = None
    actions: dict[str, dict[str, Any]] = {}
    incident_id = ""
    for event in events:
        if as_of is not None and event.timestamp > as_of:
            break
        if isinstance(event, E.Opened):
            incident_id = str(event.originator_id)
        elif isinstance(event, E.PostMortemRecorded):
            recorded = event
        elif isinstance(event, E.PostMortemPublished):
            published = (recorded, event.timestamp)
        elif isinstance(event, E.ActionItemAdded) and event.kind == ActionKind.PREVENT.value:
            actions[event.action_id] = {"description": event.description, "done": False}
        elif isinstance(event, E.ActionItemCompleted) and event.action_id in actions:
            actions[event.action_id]["done"] = True
    if published is None or published[0] is None:
        return None
    text, at = published
    return PublicPostmortem(
        incident_id=incident_id,
        title=title,
        summary=text.summary,
        impact=text.impact,
        root_cause=text.root_cause,
        published_at=at,
        actions=list(actions.values()),
    )


def postmortem_html(report: PublicPostmortem, *, page_name: str, templates: str = "") -> str:
    template = template_environment(templates, "page").get_template("status/postmortem.html.j2")
    return template.render(report=report, page_name=page_name, base="")
