"""Sealed fields, the master key's sources, and the guard that no customer field escapes sealing."""

from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

import pytest

from domain.escalation import Escalation
from infra.application import IdempotencyRecord
from infra.bootstrap import build
from infra.privacy.crypto import MasterKey, MasterKeyError, SubjectKey, is_sealed
from infra.privacy.erasure import SubjectErasures
from infra.privacy.mapper import CUSTOMER_PATHS
from infra.privacy.master_key import key_file_for, master_keys
from infra.settings import Settings
from tests.privacy.fakes import NoKeys


def test_a_sealed_field_opens_only_for_its_subject_and_field() -> None:
    key = SubjectKey.generate()
    token = key.seal("s1", "name", "Ines Duarte")

    assert is_sealed(token) and "Ines" not in token
    assert key.open("s1", "name", token) == "Ines Duarte"
    assert key.open("s2", "name", token) is None  # moved to another person
    assert key.open("s1", "email", token) is None  # moved to another field
    assert SubjectKey.generate().open("s1", "name", token) is None  # another key


def test_a_wrapped_key_opens_only_with_its_master_key_and_for_its_subject() -> None:
    master, key = MasterKey.generate(), SubjectKey.generate()
    wrapped = master.wrap("s1", key)

    assert master.unwrap("s1", key.key_id, wrapped) == key
    with pytest.raises(MasterKeyError):
        MasterKey.generate().unwrap("s1", key.key_id, wrapped)
    with pytest.raises(MasterKeyError):
        master.unwrap("s2", key.key_id, wrapped)


@pytest.mark.parametrize("text", ["not base64!", "c2hvcnQ="])
def test_a_malformed_master_key_is_refused_with_what_to_send(text: str) -> None:
    with pytest.raises(MasterKeyError, match=r"base64|32 bytes"):
        MasterKey.from_base64(text)


def test_the_embedded_store_makes_a_private_key_file_once_and_reuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ESCALATIONS_MASTER_KEY", raising=False)
    settings = Settings(database_url=f"sqlite:///{tmp_path}/store.db")

    first, _ = master_keys(settings)
    again, _ = master_keys(settings)

    key_file = key_file_for(str(tmp_path / "store.db"))
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first == again
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_configured_master_key_wins_over_a_key_file(tmp_path: Path) -> None:
    configured = MasterKey.generate()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/store.db", master_key=configured.to_base64()
    )

    assert master_keys(settings)[0] == configured
    assert not key_file_for(str(tmp_path / "store.db")).exists()


def test_postgresql_without_a_master_key_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ESCALATIONS_MASTER_KEY", raising=False)
    settings = Settings(database_url="postgresql://postgres@127.0.0.1:5432/test")

    with pytest.raises(MasterKeyError, match="ESCALATIONS_MASTER_KEY is required"):
        master_keys(settings)


def _has_customer_field(event_class: type) -> bool:
    return dataclasses.is_dataclass(event_class) and any(
        f.name == "customer" for f in dataclasses.fields(event_class)
    )


def test_every_stored_type_that_can_hold_a_customer_is_sealed_by_the_mapper() -> None:
    stored_types = [
        value
        for holder in (Escalation, IdempotencyRecord, SubjectErasures)
        for value in vars(holder).values()
        if isinstance(value, type)
    ]
    with_customer = {t for t in stored_types if _has_customer_field(t)}

    assert with_customer == {Escalation.Opened}
    assert all(issubclass(t, tuple(CUSTOMER_PATHS)) for t in with_customer)
    assert issubclass(Escalation.Snapshot, tuple(CUSTOMER_PATHS))


def test_a_pseudonymous_reader_gives_subject_ids_only_and_never_asks_for_a_key(
    tmp_path: Path,
) -> None:
    container = build(Settings(database_url=f"sqlite:///{tmp_path}/p.db"))
    try:
        app = container.app
        customer = {"subject_id": "s-9", "name": "Ines Duarte", "email": "ines@example.org"}
        fields = {"title": "t", "scope": "customer", "source": "email", "severity": "SEV4"}
        app.open(actor="a", customer=customer, **fields)
        reader = app.pseudonymous_mapper
        reader.keys = NoKeys()  # type: ignore[assignment]

        [opened] = [reader.to_domain_event(n) for n in app.notifications()]

        assert vars(opened)["customer"] == {"subject_id": "s-9"}
        with pytest.raises(TypeError, match="only reads"):
            reader.to_stored_event(opened)
    finally:
        container.close()
