"""The delivery worker: a tracked follower of the event store that delivers communications.

Three steps per round, each safe to repeat after a crash:

1. **Intake.** Read the `Communicated` events after the tracked position, in global order. For
   each one sent with `deliver`, resolve its recipients: the members of every list of its audience
   at the communication's own time. Write them as `queued` outcomes together with the new position
   in one transaction, so each communication is taken in once, with all its recipients.
2. **Sending.** Take the recipients that are due (queued, or failed with their retry due), send
   them as one batch over one connection, and commit their outcomes. A crash before the commit
   sends the batch again: delivery is at least once, the duplicates are bounded by the batch size,
   and they carry the same `Message-ID`. A failed recipient is retried on the schedule
   (`ESCALATIONS_DELIVERY_RETRY_SCHEDULE_S`); a refusal the server calls permanent (5xx) is not.
   A mail server that cannot be reached costs no recipient an attempt: sending pauses for the
   same schedule, growing while it stays away, so a down server is not hammered.
3. **Reporting.** When every recipient of a communication has had its n-th try (or is done), the
   n-th round is over: one `CommunicationDelivered` on the escalation's stream says how many have
   it, how many failed and why. A round already on the stream is not recorded again.

Only the holder of the lease sends. The lease is a row with an expiry, renewed before every batch;
a standby worker takes it over once it lapses (`ESCALATIONS_DELIVERY_LEASE_S`).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from adapters.delivery.channel import Channel, ChannelUnavailable, Outcome
from adapters.kafka.backoff import Stopped, reconnecting, unless_stopped
from domain.errors import DomainError
from domain.escalation import Escalation
from infra.application import Escalations
from infra.delivery.messages import message_id, outgoing
from infra.delivery.outcomes import Outcomes
from infra.delivery.rows import Due, Intake, Progress, Result, State
from infra.settings.delivery import DeliverySettings

log = logging.getLogger(__name__)

COMMUNICATED_TOPIC = get_topic(Escalation.Communicated)


def utc_now() -> datetime:
    return datetime.now(UTC)


class RecipientResolver(Protocol):
    """Who a communication to `audience` at `at` goes to: the step between a communication and
    its outcome rows. Today the members of the audience's distribution lists (`DistributionLists`);
    subscribers of the status page and other kinds of member will answer here too."""

    def recipients(self, audience: str, at: datetime) -> list[str]: ...


@dataclass
class DeliveryStats:
    taken_in: int = 0
    sent: int = 0
    failed: int = 0
    rounds_reported: int = 0
    unavailable: int = 0
    last_error: str | None = None


class DeliveryWorker:
    def __init__(
        self,
        app: Escalations,
        lists: RecipientResolver,
        outcomes: Outcomes,
        channel: Channel,
        settings: DeliverySettings,
        *,
        id_domain: str,
        now: Callable[[], datetime] = utc_now,
        holder: str | None = None,
    ) -> None:
        self.app, self.lists, self.outcomes, self.channel = app, lists, outcomes, channel
        self.settings = settings
        self.id_domain = id_domain
        self.now = now
        self.holder = holder or f"{settings.worker_name}:{uuid.uuid4()}"
        self.stats = DeliveryStats()
        self._unavailable_in_a_row = 0
        self._paused_until: datetime | None = None
        self._held_until: datetime | None = None

    @property
    def name(self) -> str:
        return self.settings.worker_name

    # ---------------------------------------------------------------------- running

    def run(self, stop: threading.Event) -> None:
        """Deliver until `stop` is set; never gives up on an outage of the store or the server."""
        rounds = reconnecting(0.2, 30.0, stop, on_failure=self._failed)
        log.info("delivery worker %s starting", self.name)
        try:
            while not stop.is_set():
                try:
                    busy = rounds(self._round, stop)
                except Stopped:
                    break
                if not busy:
                    stop.wait(self.settings.poll_interval_s)
        finally:
            self.close()

    def _round(self, stop: threading.Event) -> bool:
        unless_stopped(stop)
        return self.work_round()

    def work_round(self) -> bool:
        """One intake, one batch and the reports, if this worker holds the lease; answers
        whether there was anything to do."""
        if not self.hold_lease():
            return False
        taken = self.take_in()
        sent = self.send_batch()
        reported = self.report()
        return bool(taken or sent or reported)

    def run_until_idle(self, timeout_s: float = 60.0) -> None:
        """Rounds until no recipient waits for a try, retries included, and every round is
        reported; for the CLI and tests. A failure is raised, not retried."""
        deadline = time.monotonic() + timeout_s
        while True:
            busy = self.work_round()
            if not busy and not any(p.open_attempts is not None for p in self.outcomes.progress()):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"delivery did not finish within {timeout_s} s")
            if not busy:
                time.sleep(0.02)

    def close(self) -> None:
        self._held_until = None
        self.channel.close()
        try:
            self.outcomes.release_lease(self.name, self.holder)
        except Exception:  # the store may be the very thing that is down
            log.debug("could not release the delivery lease", exc_info=True)

    # ----------------------------------------------------------------------- lease

    def hold_lease(self) -> bool:
        """Take or renew the lease. While more than two thirds of a lease this worker took are
        left, nobody else can hold it, so it is not written again (an idle worker would
        otherwise write once per poll)."""
        now = self.now()
        lease = timedelta(seconds=self.settings.lease_s)
        if self._held_until is not None and now < self._held_until - lease * 2 / 3:
            return True
        held = self.outcomes.acquire_lease(self.name, self.holder, now, now + lease)
        self._held_until = now + lease if held else None
        return held

    # ---------------------------------------------------------------------- intake

    def take_in(self) -> int:
        position = self.outcomes.position(self.name)
        page = self.app.recorder.select_notifications(
            position,
            self.settings.intake_size,
            topics=[COMMUNICATED_TOPIC],
            inclusive_of_start=False,
        )
        if not page:
            return 0
        decoder = self.app.pseudonymous_mapper
        intakes = []
        for notification in page:
            event: Any = decoder.to_domain_event(notification)
            if getattr(event, "deliver", False):
                intakes.append(self._intake(event, notification.id))
        self.outcomes.take_in(self.name, page[-1].id, intakes, self.now())
        self.stats.taken_in += len(intakes)
        return len(page)

    def _intake(self, event: Any, position: int) -> Intake:
        escalation_id = str(event.originator_id)
        addresses = self.lists.recipients(event.audience, event.timestamp)
        title = self.app.get(UUID(escalation_id)).title
        return Intake(
            escalation_id=escalation_id,
            communication_id=event.communication_id,
            position=position,
            audience=event.audience,
            title=title,
            subject=event.subject,
            body=event.body,
            recipients=[
                (a, message_id(escalation_id, event.communication_id, a, self.id_domain))
                for a in addresses
            ],
        )

    # --------------------------------------------------------------------- sending

    def send_batch(self) -> int:
        now = self.now()
        if self._paused_until is not None and now < self._paused_until:
            return 0
        due = self.outcomes.due(now, self.settings.batch_size)
        if not due:
            return 0
        unavailable: ChannelUnavailable | None = None
        try:
            outcomes = self.channel.send([outgoing(d, self.id_domain) for d in due])
        except ChannelUnavailable as error:
            outcomes, unavailable = error.done, error
        by_key = {d.key: d for d in due}
        self.outcomes.record([self._result(by_key[o.key], o, self.now()) for o in outcomes])
        if unavailable is not None:
            self._pause(unavailable)
        else:
            self._unavailable_in_a_row, self._paused_until = 0, None
        return len(outcomes)

    def _result(self, due: Due, outcome: Outcome, now: datetime) -> Result:
        attempts = due.attempts + 1
        if outcome.sent:
            self.stats.sent += 1
            return Result(due.key, State.SENT, attempts, sent_at=now)
        self.stats.failed += 1
        schedule = self.settings.retry_schedule_s
        retry_at = None
        if not outcome.permanent and attempts <= len(schedule):
            retry_at = now + timedelta(seconds=schedule[attempts - 1])
        return Result(
            due.key, State.FAILED, attempts, next_attempt_at=retry_at, reason=outcome.reason,
            last_error=outcome.detail or outcome.reason,
        )  # fmt: skip

    def _pause(self, error: ChannelUnavailable) -> None:
        schedule = self.settings.retry_schedule_s
        wait = schedule[min(self._unavailable_in_a_row, len(schedule) - 1)]
        self._unavailable_in_a_row += 1
        self._paused_until = self.now() + timedelta(seconds=wait)
        self.stats.unavailable += 1
        self.stats.last_error = error.reason
        log.warning("%s; delivery pauses for %g s", error.reason, wait)

    # ------------------------------------------------------------------- reporting

    def report(self) -> int:
        reported = 0
        for progress in self.outcomes.progress():
            round_ = progress.reported_round + 1
            if not _round_over(progress, round_):
                continue
            finished = progress.open_attempts is None
            self._record_round(progress, round_)
            self.outcomes.mark_reported(
                progress.escalation_id, progress.communication_id, round_, finished
            )
            reported += 1
        self.stats.rounds_reported += reported
        return reported

    def _record_round(self, progress: Progress, round_: int) -> None:
        escalation_id = UUID(progress.escalation_id)
        current = next(
            (c for c in self.app.get(escalation_id).communications
             if c["id"] == progress.communication_id),
            None,
        )  # fmt: skip
        if current is not None and current.get("delivery", {}).get("round", 0) >= round_:
            return  # recorded before a crash kept it from being marked
        try:
            self.app.run(
                "record_delivery",
                escalation_id,
                actor=self.name,
                communication_id=progress.communication_id,
                round=round_,
                recipients=progress.recipients,
                sent=progress.sent,
                failed=progress.failed,
                retrying=progress.retrying,
                reasons=self.outcomes.reasons(progress.escalation_id, progress.communication_id),
            )
        except DomainError as refused:  # a summary the domain refuses is not tried for ever
            log.error("delivery round %d not recorded: %s", round_, refused)

    def _failed(self, error: BaseException) -> None:
        self.stats.last_error = f"{type(error).__name__}: {error}"
        log.warning("delivery round failed, will retry: %s", type(error).__name__)


def _round_over(progress: Progress, round_: int) -> bool:
    """Round n is over when no recipient still waits for its n-th try and someone had it (or
    there was no one to send to)."""
    if progress.recipients == 0:
        return round_ == 1
    if progress.open_attempts is not None and progress.open_attempts < round_:
        return False
    return progress.most_attempts >= round_
