"""The Escalations application: loads escalations, runs a command, saves its events atomically.

Every write goes through `_run`, which owns the three concerns a command has beyond its domain
rule: optimistic concurrency (If-Match -> StaleVersion, otherwise a bounded retry), idempotency
(a key recorded in the same transaction as the events), and the clock.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Mapper, Notification, RecordConflictError
from eventsourcing.utils import get_topic
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from domain.escalation import Escalation
from domain.policies import UpdateCadence
from infra import linked_cases

# Re-exported: the ways in name what a command can run into by the application they drive.
from infra.commanding import EscalationNotFound as EscalationNotFound
from infra.commanding import Idempotency as Idempotency
from infra.commanding import IdempotencyKeyReused as IdempotencyKeyReused
from infra.commanding import StaleVersion as StaleVersion
from infra.commanding import WriteConflict as WriteConflict
from infra.metrics import CommandTally
from infra.privacy.crypto import MasterKey
from infra.privacy.keys import SubjectKeys
from infra.privacy.mapper import PersonalDataMapper
from infra.use_cases import act, use_case

ESCALATION_TOPIC_PREFIX = get_topic(Escalation).replace(":Escalation", ":Escalation.")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class IdempotencyRecord(Aggregate):
    """What a command with an Idempotency-Key did, stored in the same transaction as its events."""

    class Recorded(Aggregate.Created):
        key: str
        fingerprint: str
        escalation_id: str
        version: int
        extra: dict[str, Any]

    def __init__(
        self, key: str, fingerprint: str, escalation_id: str, version: int, extra: dict[str, Any]
    ) -> None:
        self.key = key
        self.fingerprint = fingerprint
        self.escalation_id = escalation_id
        self.result_version = version
        self.extra = extra


SUBJECT_NAMESPACE = uuid5(NAMESPACE_URL, "urn:escalations:data-subject")


def with_subject_id(customer: Mapping[str, Any]) -> dict[str, Any]:
    """Every customer gets a stable data-subject id: given, else derived from the e-mail address
    (so one person's cases share it), else fresh."""
    result = dict(customer)
    if not result.get("subject_id"):
        email = (result.get("email") or "").strip().lower()
        result["subject_id"] = str(uuid5(SUBJECT_NAMESPACE, email) if email else uuid4())
    return result


@dataclass(frozen=True)
class CommandResult:
    escalation_id: UUID
    version: int
    position: int | None
    extra: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False
    escalation: Escalation | None = field(default=None, compare=False, repr=False)
    """The escalation as saved, so callers can answer without loading it again."""
    linked: linked_cases.LinkedCases | None = None
    """After a resolve: where the escalation's linked cases stand (and what following did)."""


def _conflict_pause(state: RetryCallState) -> float:
    # A short random pause, longer after each lost race, so that racing writers fall out of step.
    return random.uniform(0, 0.002 * state.attempt_number)


# A command body: given the loaded aggregates and the time, mutate them and say what to return.
Action = Callable[..., Mapping[str, Any] | None]


class Escalations(Application[UUID]):
    """The escalation store and its commands."""

    name = "escalations"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        clock: Clock = system_clock,
        snapshot_interval: int = 50,
        command_retries: int = 25,
        master_key: MasterKey,
        previous_master_keys: tuple[MasterKey, ...] = (),
        update_cadence: UpdateCadence | None = None,
        linked_cases_follow: bool = False,
    ) -> None:
        self.snapshotting_intervals = {Escalation: snapshot_interval}  # type: ignore[misc]
        super().__init__(dict(env or {}))
        self.clock = clock
        self.command_retries = command_retries
        self.supplied: dict[str, Any] = {"update_cadence": update_cadence}
        """What the commands get from the configuration rather than from the caller."""
        self.linked_cases_follow = linked_cases_follow
        """Whether resolving a global escalation resolves its open linked cases by default."""
        self.commands = CommandTally()
        self.subject_keys = subject_keys_for(self.recorder, master_key, previous_master_keys)
        self.subject_keys.create_table()
        assert isinstance(self.mapper, PersonalDataMapper)
        self.mapper.keys = self.subject_keys
        self.pseudonymous_mapper = self.mapper.without_personal_data()
        """Decodes stored events with customers as subject ids only, looking up no key: for
        followers that never show personal data (views, relays, pseudonymised exports)."""

    def construct_mapper(self) -> Mapper[UUID]:
        """Customer personal fields are sealed per data subject in events and snapshots."""
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=PersonalDataMapper
        )

    # ------------------------------------------------------------------ writes

    def open(
        self,
        *,
        actor: str,
        at: datetime | None = None,
        idempotency: Idempotency | None = None,
        **fields: Any,
    ) -> CommandResult:
        with self.commands.counting("open") as counted:
            result = self._open(actor=actor, at=at, idempotency=idempotency, **fields)
            counted(result.replayed)
        return result

    def _open(
        self, *, actor: str, at: datetime | None, idempotency: Idempotency | None, **fields: Any
    ) -> CommandResult:
        if idempotency is not None:
            replay = self._replay(idempotency)
            if replay is not None:
                return replay
        if fields.get("customer"):
            fields["customer"] = with_subject_id(fields["customer"])
        escalation = Escalation.open(actor=actor, at=at or self.clock(), **fields)
        try:
            return self._save([escalation], escalation, idempotency, {})
        except RecordConflictError:
            replay = self._replay(idempotency) if idempotency else None
            if replay is None:
                raise
            return replay

    def execute(
        self,
        escalation_id: UUID,
        action: Action,
        *,
        expected_version: int | None = None,
        idempotency: Idempotency | None = None,
        at: datetime | None = None,
        also: Sequence[UUID] = (),
    ) -> CommandResult:
        """Run `action(escalation, *others, at=...)` and save every aggregate it touched.

        With `expected_version` (If-Match) a lost race is a StaleVersion; without it the
        command is re-run on fresh state, up to `command_retries` times.
        """

        def attempt() -> CommandResult:
            if idempotency is not None:
                replay = self._replay(idempotency)
                if replay is not None:
                    return replay
            escalation = self.get(escalation_id)
            if expected_version is not None and escalation.version != expected_version:
                raise StaleVersion(escalation_id, expected_version, escalation.version)
            others = [self.get(other) for other in also]
            moment = at or max(self.clock(), *(a.modified_on for a in (escalation, *others)))
            extra = dict(action(escalation, *others, at=moment) or {})
            try:
                return self._save([escalation, *others], escalation, idempotency, extra)
            except RecordConflictError:
                # The same request won on another connection: answer as it did.
                replay = self._replay(idempotency) if idempotency is not None else None
                if replay is not None:
                    return replay
                if expected_version is not None:
                    current = self.get(escalation_id).version
                    raise StaleVersion(escalation_id, expected_version, current) from None
                raise

        def gave_up(_: RetryCallState) -> CommandResult:
            raise WriteConflict(
                f"escalation {escalation_id} kept changing under this command after "
                f"{self.command_retries} attempts; retry it"
            )

        retrying = Retrying(
            stop=stop_after_attempt(self.command_retries),
            wait=_conflict_pause,
            retry=retry_if_exception_type(RecordConflictError),
            retry_error_callback=gave_up,
        )
        return retrying(attempt)

    def run(
        self,
        name: str,
        escalation_id: UUID,
        /,
        *,
        actor: str,
        expected_version: int | None = None,
        idempotency: Idempotency | None = None,
        at: datetime | None = None,
        **arguments: Any,
    ) -> CommandResult:
        """Run the named use case (`infra/use_cases.py`) on an escalation, as `execute` does.

        After `resolve`, the escalation's open linked cases follow it when `resolve_linked` is
        true (or not given and `linked_cases_follow` is on); the result says where they stand.
        A replay of the resolve runs the follow again, which completes one cut short."""
        case = use_case(name)
        resolve_linked = arguments.pop("resolve_linked", None) if name == "resolve" else None
        also = [UUID(str(arguments.pop(case.other_escalation)))] if case.other_escalation else []
        for supplied in case.supplied:
            arguments.setdefault(supplied, self.supplied[supplied])
        action = act(case.method, case.created, actor=actor, **arguments)
        with self.commands.counting(name) as counted:
            result = self.execute(
                escalation_id,
                action,
                expected_version=expected_version,
                idempotency=idempotency,
                at=at,
                also=also,
            )
            counted(result.replayed)
        if name != "resolve":
            return result
        if self.linked_cases_follow if resolve_linked is None else resolve_linked:
            return replace(result, linked=linked_cases.follow(self, escalation_id, at=at))
        resolved = result.escalation or self.get(escalation_id, version=result.version)
        return replace(
            result, linked=linked_cases.LinkedCases(linked_cases.linked_open(self, resolved))
        )

    def follow_resolution(
        self, global_id: UUID, *, expected_version: int | None = None, at: datetime | None = None
    ) -> CommandResult:
        """Resolve the open cases linked to a resolved global escalation with it, after the fact
        (its resolve did not ask them to follow, or was cut short). Writes nothing on the global
        escalation's stream; each case is followed once however often this runs."""
        with self.commands.counting("follow_resolution") as counted:
            parent = self.get(global_id)
            if expected_version is not None and parent.version != expected_version:
                raise StaleVersion(global_id, expected_version, parent.version)
            parent.require_followable()
            linked = linked_cases.follow(self, global_id, at=at)
            counted(False)
        position = self.recorder.max_notification_id()
        return CommandResult(parent.id, parent.version, position, escalation=parent, linked=linked)

    def _save(
        self,
        aggregates: list[Escalation],
        primary: Escalation,
        idempotency: Idempotency | None,
        extra: dict[str, Any],
    ) -> CommandResult:
        to_save: list[Aggregate] = list(aggregates)
        if idempotency is not None:
            to_save.append(
                IdempotencyRecord._create(
                    IdempotencyRecord.Recorded,
                    id=idempotency.record_id,
                    key=idempotency.key,
                    fingerprint=idempotency.fingerprint,
                    escalation_id=str(primary.id),
                    version=primary.version,
                    extra=extra,
                )
            )
        try:
            recordings = self.save(*to_save)
        except IntegrityError as error:
            raise RecordConflictError(str(error)) from error
        position = max((r.notification.id for r in recordings), default=None)
        return CommandResult(primary.id, primary.version, position, extra, escalation=primary)

    def _replay(self, idempotency: Idempotency) -> CommandResult | None:
        try:
            record: Any = self.repository.get(idempotency.record_id)
        except AggregateNotFoundError:
            return None
        assert isinstance(record, IdempotencyRecord)
        if record.fingerprint != idempotency.fingerprint:
            raise IdempotencyKeyReused(
                f"Idempotency-Key {idempotency.key!r} was already used for a different request; "
                "use a new key for a new request"
            )
        return CommandResult(
            UUID(record.escalation_id),
            record.result_version,
            self.recorder.max_notification_id(),
            dict(record.extra),
            replayed=True,
        )

    # ------------------------------------------------------------------- reads

    def get(self, escalation_id: UUID, version: int | None = None) -> Escalation:
        try:
            escalation: Any = self.repository.get(escalation_id, version=version)
        except AggregateNotFoundError:
            raise EscalationNotFound(escalation_id) from None
        if not isinstance(escalation, Escalation):
            raise EscalationNotFound(escalation_id)
        if version is not None and escalation.version != version:
            raise EscalationNotFound(
                escalation_id,
                f"escalation {escalation_id} has no version {version}; "
                f"its latest is {escalation.version}",
            )
        return escalation

    def current_version(self, escalation_id: UUID) -> int:
        last = self.recorder.select_events(escalation_id, desc=True, limit=1)
        if not last or not last[0].topic.startswith(ESCALATION_TOPIC_PREFIX):
            raise EscalationNotFound(escalation_id)
        return last[0].originator_version

    def get_as_of(self, escalation_id: UUID, moment: datetime) -> Escalation:
        """The escalation as it stood at `moment`: a binary search over the stream's versions
        (event times never go backwards within a stream), then a snapshot-assisted replay."""
        latest = self.current_version(escalation_id)
        low, high, found = 1, latest, 0
        while low <= high:
            middle = (low + high) // 2
            event: Any = next(iter(self.events.get(escalation_id, gt=middle - 1, lte=middle)))
            if event.timestamp <= moment:
                found, low = middle, middle + 1
            else:
                high = middle - 1
        if found == 0:
            raise EscalationNotFound(
                escalation_id,
                f"escalation {escalation_id} did not exist yet at {moment.isoformat()}",
            )
        return self.get(escalation_id, version=found)

    def breaches_recorded_later(
        self, escalation_id: UUID, moment: datetime, then: Escalation
    ) -> list[dict[str, Any]]:
        """The breaches `then` (the escalation as of `moment`) lacks though their targets were due
        by `moment`: a breach is a fact of its due time, recorded late when the watcher was late
        or down, so the state as of `moment` includes it."""
        return [
            breach
            for target, breach in self.get(escalation_id).sla_breaches.items()
            if target not in then.sla_breaches and breach["due_at"] <= moment
        ]

    def stream(self, escalation_id: UUID, *, after_version: int = 0, limit: int = 100) -> list[Any]:
        """The escalation's own events, in order, for the events endpoint."""
        self.current_version(escalation_id)  # 404 before paging an unknown id
        return list(self.events.get(escalation_id, gt=after_version, lte=after_version + limit))

    def forget_cached(self, escalation_ids: Sequence[UUID]) -> None:
        """Drops escalations from this process's aggregate cache (after an erasure)."""
        cache = self.repository.cache
        if cache is None:
            return
        for escalation_id in escalation_ids:
            with contextlib.suppress(KeyError):
                cache.get(escalation_id, evict=True)

    def notifications(self, *, start: int = 1, batch: int = 1000) -> Iterator[Notification]:
        """Every stored escalation event in global order (the export and the followers' view)."""
        position = start
        while True:
            page = self.recorder.select_notifications(position, batch)
            for notification in page:
                if notification.topic.startswith(ESCALATION_TOPIC_PREFIX):
                    yield notification
            if len(page) < batch:
                return
            position = page[-1].id + 1


def subject_keys_for(
    recorder: Any, master_key: MasterKey, previous: tuple[MasterKey, ...]
) -> SubjectKeys:
    """The subject keys live in the event store's own database, through its connection pool."""
    from eventsourcing.sqlite import SQLiteDatastore

    datastore = recorder.datastore
    if isinstance(datastore, SQLiteDatastore):
        from infra.privacy.keys_sqlite import SQLiteSubjectKeys

        return SQLiteSubjectKeys(datastore, master_key, previous)
    from infra.privacy.keys_postgres import PostgresSubjectKeys

    return PostgresSubjectKeys(datastore, master_key, previous)
