"""What the Escalation's command methods may rely on, and the readings derived from its state.

`EscalationState` is the shape `domain.escalation.Escalation` has: the state its events fold
into, its event classes and its guards. The decision mixins in `domain/decisions/` are typed
against it instead of the aggregate, so the aggregate's module can build on them without either
importing the other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, Self, TypeVar
from uuid import UUID

from eventsourcing.domain import CanInitAggregate, CanMutateAggregate

from domain.values import Status

EventClass = type[CanMutateAggregate[UUID]]
S_co = TypeVar("S_co", covariant=True)


class EscalationState(Protocol):
    """The aggregate as its command methods see it."""

    @property
    def Opened(self) -> type[CanInitAggregate[UUID]]: ...
    @property
    def Acknowledged(self) -> EventClass: ...
    @property
    def SeverityChanged(self) -> EventClass: ...
    @property
    def StatusChanged(self) -> EventClass: ...
    @property
    def ImpactAssessed(self) -> EventClass: ...
    @property
    def OwnerAssigned(self) -> EventClass: ...
    @property
    def ParticipantJoined(self) -> EventClass: ...
    @property
    def ParticipantLeft(self) -> EventClass: ...
    @property
    def NoteAdded(self) -> EventClass: ...
    @property
    def ExitCriteriaDefined(self) -> EventClass: ...
    @property
    def ExitCriterionMet(self) -> EventClass: ...
    @property
    def DeescalationPlanned(self) -> EventClass: ...
    @property
    def ActionItemAdded(self) -> EventClass: ...
    @property
    def ActionItemCompleted(self) -> EventClass: ...
    @property
    def CaseLinked(self) -> EventClass: ...
    @property
    def LinkedToEscalation(self) -> EventClass: ...
    @property
    def SlaBreached(self) -> EventClass: ...
    @property
    def DeadlineExtended(self) -> EventClass: ...
    @property
    def Dismissed(self) -> EventClass: ...
    @property
    def Communicated(self) -> EventClass: ...
    @property
    def CommunicationDelivered(self) -> EventClass: ...
    @property
    def CustomerDataErased(self) -> EventClass: ...
    @property
    def Resolved(self) -> EventClass: ...
    @property
    def Reopened(self) -> EventClass: ...
    @property
    def FeedbackReceived(self) -> EventClass: ...
    @property
    def Closed(self) -> EventClass: ...
    @property
    def PostMortemRecorded(self) -> EventClass: ...
    @property
    def PostMortemPublished(self) -> EventClass: ...

    title: str
    scope: str
    source: str
    severity: str
    status: str
    customer: dict[str, Any] | None
    components: dict[str, str]
    components_before_settlement: dict[str, str] | None
    deadline: datetime | None
    privacy: dict[str, Any] | None
    extensions: list[dict[str, Any]]
    acknowledged_at: datetime | None
    owner: dict[str, str] | None
    participants: dict[str, dict[str, str]]
    notes: list[dict[str, Any]]
    exit_criteria: dict[str, dict[str, Any]]
    action_items: dict[str, dict[str, Any]]
    linked_cases: list[str]
    linked_to: str | None
    resolution: dict[str, Any] | None
    communications: list[dict[str, Any]]
    sla_breaches: dict[str, dict[str, Any]]
    postmortem: dict[str, Any] | None
    postmortem_published_at: datetime | None
    customer_erased_at: datetime | None

    @property
    def id(self) -> UUID: ...

    @property
    def modified_on(self) -> datetime: ...

    @property
    def current_status(self) -> Status: ...

    @property
    def customer_data_erased(self) -> bool: ...

    @property
    def unmet_exit_criteria(self) -> list[str]: ...

    @property
    def assessed_components(self) -> dict[str, str]: ...

    def trigger_event(self, event_class: EventClass, **kwargs: Any) -> None: ...

    def _check(self, actor: str, at: datetime) -> tuple[str, datetime]: ...

    def _record(self, event_class: EventClass, actor: str, at: datetime, **fields: Any) -> None: ...

    def _require_not_terminal(self, command: str) -> None: ...

    def _require_open(self, command: str) -> None: ...

    def _require_transition(self, target: Status, command: str) -> None: ...

    def _require_resolved(self, what: str, attempted: str) -> None: ...

    def require_followable(self) -> None: ...


class EscalationClass(Protocol[S_co]):
    """The aggregate's class as `open` sees it: it creates an escalation from its first event.

    A class object matches a protocol's methods but not its read-only attributes, so the first
    event's class is declared by what it does: it is called to make the event `_create` records.
    """

    def Opened(self, *args: Any, **kwargs: Any) -> CanInitAggregate[UUID]: ...

    def _create(self, event_class: Any, *, id: UUID | None = None, **kwargs: Any) -> S_co: ...


class StateReadings:
    """What the state says beyond its fields; mixed into `Escalation`."""

    status: str
    components: dict[str, str]
    components_before_settlement: dict[str, str] | None
    exit_criteria: dict[str, dict[str, Any]]
    communications: list[dict[str, Any]]
    promises_released: int
    update_due_on_reopen: datetime | None
    customer_erased_at: datetime | None

    @property
    def current_status(self) -> Status:
        return Status(self.status)

    @property
    def customer_data_erased(self) -> bool:
        """Whether the stream records the erasure. Not inferred from the fields: once the key is
        gone they read as erased in the store already, before the erasure is recorded here."""
        return self.customer_erased_at is not None

    @property
    def unmet_exit_criteria(self) -> list[str]:
        return [cid for cid, c in self.exit_criteria.items() if not c["met"]]

    @property
    def assessed_components(self) -> dict[str, str]:
        """The components' levels as last assessed: once the escalation has ended and its
        components read operational, the levels they had before."""
        if self.components_before_settlement is not None:
            return dict(self.components_before_settlement)
        return dict(self.components)

    def next_update_due(self) -> datetime | None:
        """The earliest update still owed. Each audience is owed what the latest communication to
        it promised: a newer update supersedes an older promise, even one made for later, and a
        promise to executives is not kept by a public post. Ending the escalation released every
        promise made before it ended; a reopen owes an update of its own until the next
        communication, to any audience."""
        latest: dict[str, datetime | None] = {}
        for communication in self.communications[self.promises_released :]:
            latest[communication["audience"]] = communication["next_update_due"]
        owed = [due for due in latest.values() if due is not None]
        if self.update_due_on_reopen is not None:
            owed.append(self.update_due_on_reopen)
        return min(owed) if owed else None

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """The repository copies cached escalations before every command. State is plain data
        (dicts and lists of immutable values), so a structural copy gives the same result as
        `copy.deepcopy` several times faster, which matters on long streams."""
        clone = object.__new__(type(self))
        clone.__dict__.update({key: _copy_plain(value) for key, value in self.__dict__.items()})
        return clone


def _copy_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_plain(item) for item in value]
    return value  # str, int, float, bool, None, datetime, UUID, frozen events: immutable
