"""The JSON Schema files are the contracts other systems code against; the code must agree."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import jsonschema
import pytest

from adapters.kafka.cloudevents import to_cloudevent
from adapters.kafka.signals import InvalidSignal, parse_signal
from infra.demo.scenarios import load_demo
from infra.serialization import event_to_record
from tests.kafka.samples import INVALID, VALID


def schema(name: str) -> dict[str, Any]:
    text = resources.files("adapters.kafka").joinpath("schemas", name).read_text()
    document: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(document)
    return document


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema(name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize("name", sorted(VALID))
def test_a_valid_signal_is_accepted_by_the_schema_and_the_consumer(name: str) -> None:
    document = VALID[name]
    validator("signal.schema.json").validate(document)
    signal = parse_signal(json.dumps(document).encode())
    assert signal.envelope.id == document["id"]


@pytest.mark.parametrize("name", sorted(INVALID))
def test_an_invalid_signal_is_refused_by_the_schema_and_the_consumer(name: str) -> None:
    document = INVALID[name]
    assert not validator("signal.schema.json").is_valid(document)
    with pytest.raises(InvalidSignal):
        parse_signal(json.dumps(document).encode())


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b"\xff\xfe", None])
def test_bytes_that_are_not_a_json_object_are_refused_with_a_reason(raw: bytes | None) -> None:
    with pytest.raises(InvalidSignal) as refused:
        parse_signal(raw)
    assert str(refused.value)


def test_every_event_of_a_realistic_history_matches_the_event_schema(tmp_path) -> None:
    from infra.bootstrap import build
    from infra.settings import Settings

    container = build(Settings(database_url=f"sqlite:///{tmp_path}/demo.db"))
    try:
        assert load_demo(container.app, datetime(2026, 11, 23, 12, tzinfo=UTC))
        events = [container.app.mapper.to_domain_event(n) for n in container.app.notifications()]
    finally:
        container.close()
    check = validator("event.schema.json")
    types = set()
    for event in events:
        document = to_cloudevent(event_to_record(event))
        check.validate(document)
        types.add(document["type"])
    assert len(events) > 50
    assert "escalations.escalation.Opened.v1" in types
    assert "escalations.escalation.Communicated.v1" in types
    assert len(types) >= 15, sorted(types)


def test_the_event_schema_refuses_personal_data_in_a_customer_field() -> None:
    document = to_cloudevent(
        {
            "type": "Opened",
            "escalation_id": "e1",
            "version": 1,
            "actor": "ops",
            "timestamp": "2026-11-23T09:00:00Z",
            "data": {
                "title": "t",
                "scope": "customer",
                "source": "email",
                "severity": "SEV3",
                "received_at": "2026-11-23T09:00:00Z",
                "customer": {"subject_id": "s"},
            },
        }
    )
    check = validator("event.schema.json")
    check.validate(document)
    document["data"]["event"]["customer"]["email"] = "ada@example.com"
    assert not check.is_valid(document)
