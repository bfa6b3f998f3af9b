"""The compact snapshot gives back exactly the state it was given, datetimes included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.escalation import Escalation
from domain.snapshot import CompactSnapshot, decode_state, encode_state
from tests.domain.support import Clock
from tests.domain.test_events import _full_lifecycle


def state_of(escalation: Escalation) -> dict[str, Any]:
    return {k: v for k, v in vars(escalation).items() if k != "_pending_events"}


def round_trip(escalation: Escalation) -> Escalation:
    snapshot = CompactSnapshot.take(escalation)
    assert set(snapshot.state) == {"document", "customer"}
    restored = snapshot.mutate(None)
    assert isinstance(restored, Escalation)
    return restored


def test_a_full_lifecycle_survives_the_compact_snapshot_unchanged():
    incident, case = _full_lifecycle(Clock())
    for original in (incident, case):
        original.collect_events()
        restored = round_trip(original)
        assert state_of(restored) == state_of(original)
        assert restored.modified_on.tzinfo is not None


def test_deadlines_extensions_breaches_and_dismissals_survive_the_compact_snapshot():
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    request = Escalation.open(
        actor="portal", at=at, title="Erase me", scope="customer", source="privacy_request",
        severity="SEV3", privacy_regime="gdpr", customer={"subject_id": "s1", "email": "a@example.org"},
    )  # fmt: skip
    request.acknowledge(actor="noor", at=at + timedelta(hours=1))
    request.change_status(actor="noor", at=at + timedelta(hours=2), status="investigating")
    request.record_sla_breach(
        actor="sla",
        at=at + timedelta(days=2),
        target="first_response",
        due_at=at + timedelta(days=1),
    )
    request.extend_deadline(
        actor="noor", at=at + timedelta(days=3), new_deadline=at + timedelta(days=50),
        reason="Records in three systems", notice="E-mailed the requester",
    )  # fmt: skip
    request.add_action_item(
        actor="noor", at=at + timedelta(days=3), description="Erase", owner="dev", kind="mitigate",
        due_at=at + timedelta(days=10),
    )  # fmt: skip
    request.dismiss(
        actor="noor", at=at + timedelta(days=4), reason="not_actionable", note="Withdrawn"
    )
    request.collect_events()
    assert state_of(round_trip(request)) == state_of(request)


def test_every_datetime_in_state_comes_back_as_a_datetime():
    incident, _ = _full_lifecycle(Clock())
    plain = {k: v for k, v in state_of(incident).items() if k not in ("_id", "_version")}
    decoded = decode_state(encode_state(plain))

    def strings_that_look_like_times(value: Any, path: str) -> list[str]:
        if isinstance(value, dict):
            return [
                p for k, v in value.items() for p in strings_that_look_like_times(v, f"{path}.{k}")
            ]
        if isinstance(value, list):
            return [
                p
                for i, v in enumerate(value)
                for p in strings_that_look_like_times(v, f"{path}[{i}]")
            ]
        if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
            return [path]
        return []

    assert strings_that_look_like_times(decoded, "state") == []
