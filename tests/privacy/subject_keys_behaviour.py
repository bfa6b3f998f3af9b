"""The subject key store on each backend: one key per subject even under a race, deletion for
good, and a master key rotation that re-wraps every key."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from infra.bootstrap import Container, build
from infra.identifier_index import backfill_identifiers
from infra.privacy.crypto import MasterKey, MasterKeyError
from infra.privacy.keys import SubjectKeys
from infra.settings import Settings

OLD = MasterKey(b"o" * 32)
NEW = MasterKey(b"n" * 32)


def container_with(url: str, master: MasterKey, *previous: MasterKey) -> Container:
    return build(
        Settings(
            database_url=url,
            master_key=master.to_base64(),
            previous_master_keys=",".join(p.to_base64() for p in previous) or None,
        )
    )


def open_for(container: Container, name: str) -> Any:
    customer = {"name": name, "email": f"{name.lower()}@keys.example"}
    fields = {"title": "t", "scope": "customer", "source": "email", "severity": "SEV4"}
    return container.app.open(actor="a", customer=customer, **fields).escalation_id


class SubjectKeysBehaviour:
    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def keys(self, url: str) -> Iterator[SubjectKeys]:
        container = container_with(url, OLD)
        yield container.app.subject_keys
        container.close()

    def test_racing_writers_for_a_new_subject_all_get_the_one_key(self, keys: SubjectKeys) -> None:
        barrier = threading.Barrier(6)
        got: list[bytes] = []

        def create() -> None:
            barrier.wait(timeout=10)
            got.append(keys.get_or_create("racer").key_id)

        threads = [threading.Thread(target=create) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(got) == 6 and len(set(got)) == 1
        stored = keys.get("racer")
        assert stored is not None and stored.key_id == got[0]

    def test_a_deleted_key_is_gone_and_a_new_one_does_not_open_the_old_data(
        self, keys: SubjectKeys
    ) -> None:
        old = keys.get_or_create("s1")
        token = old.seal("s1", "name", "Ines")

        assert keys.delete("s1") is True
        assert keys.get("s1") is None
        assert keys.delete("s1") is False
        new = keys.get_or_create("s1")
        assert new.key_id != old.key_id
        assert new.open("s1", "name", token) is None

    def test_rotating_the_master_key_rewraps_every_key_and_the_data_still_reads(
        self, url: str
    ) -> None:
        first = container_with(url, OLD)
        escalation_id = open_for(first, "Rotated")
        first.close()

        with pytest.raises(MasterKeyError, match="not configured"):
            lost = container_with(url, NEW)
            try:
                lost.app.get(escalation_id)
            finally:
                lost.close()

        rotating = container_with(url, NEW, OLD)
        assert rotating.app.get(escalation_id).customer["name"] == "Rotated"
        assert rotating.app.subject_keys.rewrap() == 1
        assert rotating.app.subject_keys.rewrap() == 0
        rotating.close()

        rotated = container_with(url, NEW)
        try:
            assert rotated.app.get(escalation_id).customer["name"] == "Rotated"
        finally:
            rotated.close()

    def test_identifiers_are_found_across_a_rotation_and_reindexed_under_the_new_key(
        self, url: str
    ) -> None:
        first = container_with(url, OLD)
        escalation_id = open_for(first, "Indexed")
        subject = first.app.get(escalation_id).customer["subject_id"]
        first.close()

        rotating = container_with(url, NEW, OLD)
        try:
            keys = rotating.app.subject_keys
            assert keys.subjects_holding("email", " INDEXED@keys.example") == [subject]
            assert backfill_identifiers(rotating.app, force=True) == 1
        finally:
            rotating.close()

        rotated = container_with(url, NEW)
        try:
            assert rotated.app.subject_keys.subjects_holding("email", "indexed@keys.example") == [
                subject
            ]
        finally:
            rotated.close()
