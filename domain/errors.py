"""Why a command was refused. Each error names what the user can change to succeed."""

from __future__ import annotations


class DomainError(Exception):
    """A command broke a rule of the domain; nothing was recorded."""

    code = "domain-error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidCommand(DomainError):
    """The command's values are wrong in themselves (a due time in the past, an empty body)."""

    code = "invalid-command"


class IllegalTransition(DomainError):
    """The escalation's status does not allow this command now."""

    code = "illegal-transition"

    def __init__(self, detail: str, *, current: str, attempted: str) -> None:
        super().__init__(detail)
        self.current = current
        self.attempted = attempted


class RuleViolated(DomainError):
    """A business rule forbids the command (unmet exit criteria, post-mortem before resolution)."""

    code = "rule-violated"


class UnknownItem(DomainError):
    """The command names an exit criterion, action item or participant that does not exist."""

    code = "unknown-item"
