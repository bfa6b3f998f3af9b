"""Groups of escalation events, named for the readers that leave a whole group alone.

A reader's `ignores` is written from these groups plus single events (`group.TEAM_WORK | {...}`),
so that each view says in a few words which kinds of events it does not read.
"""

from __future__ import annotations

from domain.escalation import Escalation

E = Escalation
TEAM_WORK: frozenset[type] = frozenset(
    {
        E.NoteAdded,
        E.ExitCriteriaDefined,
        E.ExitCriterionMet,
        E.DeescalationPlanned,
        E.ActionItemAdded,
        E.ActionItemCompleted,
    }
)
"""How the team works the case: no tracked view reads these; the documents replayed on read do."""
PEOPLE: frozenset[type] = frozenset({E.ParticipantJoined, E.ParticipantLeft})
LINKS: frozenset[type] = frozenset({E.CaseLinked, E.LinkedToEscalation})
DEADLINES: frozenset[type] = frozenset({E.SlaBreached, E.DeadlineExtended})
AFTERMATH: frozenset[type] = frozenset(
    {E.FeedbackReceived, E.PostMortemRecorded, E.PostMortemPublished}
)
MAINTENANCE: frozenset[type] = frozenset(
    {E.MaintenanceScheduled, E.MaintenanceStarted, E.MaintenanceCompleted}
)
"""Planned downtime: the public status page reads it; the case views and reports do not."""
