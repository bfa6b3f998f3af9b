"""The Escalation's command methods, by family: each checks every rule, then records one event."""

from domain.decisions.closure import ClosureDecisions
from domain.decisions.guards import Guards
from domain.decisions.maintenance import MaintenanceDecisions
from domain.decisions.obligations import ObligationDecisions
from domain.decisions.opening import OpeningDecisions
from domain.decisions.response import ResponseDecisions

__all__ = [
    "ClosureDecisions",
    "Guards",
    "MaintenanceDecisions",
    "ObligationDecisions",
    "OpeningDecisions",
    "ResponseDecisions",
]
