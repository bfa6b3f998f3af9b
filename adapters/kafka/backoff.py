"""The reconnect backoff the relay and the signal consumer share, as a tenacity policy.

Each failed round waits an exponentially growing delay with equal jitter (between half the
ceiling and the ceiling, the ceiling doubling from `initial_s` up to `max_s`), and a round that
succeeds starts the next failure at `initial_s` again. The wait is a `threading.Event.wait`, so a
stop request ends it at once; a round started after the stop raises `Stopped` and is not retried.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_not_exception_type,
    wait_exponential,
    wait_random_exponential,
)


class Stopped(Exception):
    """The stop event was set: the loop ends instead of trying again."""


def reconnecting(
    initial_s: float,
    max_s: float,
    stop: threading.Event,
    on_failure: Callable[[BaseException], None],
) -> Retrying:
    """Retry a round on any error but `Stopped`, for ever, until the stop event is set."""

    def before_sleep(state: RetryCallState) -> None:
        if state.outcome is not None and (error := state.outcome.exception()) is not None:
            on_failure(error)

    def pause(seconds: float) -> None:
        stop.wait(seconds)

    half_initial, half_max = initial_s / 2, max_s / 2
    return Retrying(
        retry=retry_if_not_exception_type(Stopped),
        wait=wait_exponential(multiplier=half_initial, max=half_max)
        + wait_random_exponential(multiplier=half_initial, max=half_max),
        sleep=pause,
        before_sleep=before_sleep,
        reraise=True,
    )


def unless_stopped(stop: threading.Event) -> None:
    if stop.is_set():
        raise Stopped
