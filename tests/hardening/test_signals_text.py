"""A Kafka signal reaches the same text guard as HTTP: a NUL or a bidi control in a signal's
title is a refusal the consumer dead-letters (SignalRejected), never an event, on both stores."""

from __future__ import annotations

import json

import pytest

from adapters.kafka.ports import SignalRejected
from adapters.kafka.signals import apply_signal, parse_signal
from infra.bootstrap import build
from infra.kafka.commands import EscalationSignalCommands
from infra.settings import Settings
from tests.kafka.samples import bbb_complaint as sample

EARLIER = "2026-01-01T00:00:00Z"  # before the tests' clock, so only the title can be refused


def bbb_complaint(**data):
    return sample(received_at=EARLIER, **data)


@pytest.mark.parametrize("bad", ["\u0000", "\u001b[2J", "\u202e"])
def test_a_signal_with_a_control_character_in_its_title_is_rejected(database_url, clock, bad):
    container = build(Settings(database_url=database_url), clock=clock)
    try:
        commands = EscalationSignalCommands(container.app)
        raw = json.dumps(bbb_complaint(title=f"Refund{bad}never arrived")).encode()
        with pytest.raises(SignalRejected, match="title"):
            apply_signal(commands, parse_signal(raw))
        assert (container.app.recorder.max_notification_id() or 0) == 0
        apply_signal(commands, parse_signal(json.dumps(bbb_complaint()).encode()))
        assert (container.app.recorder.max_notification_id() or 0) > 0
    finally:
        container.close()
