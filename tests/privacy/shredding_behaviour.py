"""An erasure says only what is true about the deleted key's bytes, and finds a person by any of
their identifiers. Subclassed once per backend: each subclass opens a real concurrent reader and
scans the store's raw bytes (SQLite: the files; PostgreSQL: every page of the key table)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli.main import cli
from api.http.app import create_app
from infra.bootstrap import Container, build
from infra.identifier_index import backfill_identifiers
from infra.settings import Settings
from infra.shredding import ShreddingWatch
from tests.support import bearer, issue_key

PHONE = "+44 20 7946 0321"
SAME_PHONE_TYPED_OTHERWISE = "+44 (20) 7946-0321"


@dataclass
class Person:
    client: TestClient
    container: Container
    with_email: str  # the case opened with name, e-mail and phone
    phone_only: str  # the same person opened again, with name and phone only

    def customer(self, case: str) -> dict[str, Any]:
        response = self.client.get(f"/escalations/{case}")
        assert response.status_code == 200, response.text
        return dict(response.json()["customer"])


class ShreddingBehaviour:
    """Not collected itself (no Test prefix)."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    def reader(self, url: str) -> contextlib.AbstractContextManager[None]:
        """An open read transaction on the store that has read the keys (a backup, a report)."""
        raise NotImplementedError

    def raw_bytes(self, url: str) -> bytes:
        """Every byte the store keeps of the key table (or of all its files)."""
        raise NotImplementedError

    def stored_keys(self, url: str) -> dict[str, tuple[bytes, bytes]]:
        """subject_id -> (key_id, wrapped_key), read through SQL."""
        raise NotImplementedError

    # ------------------------------------------------------------------ setup

    @pytest.fixture
    def person(self, url: str) -> Iterator[Person]:
        container = build(Settings(database_url=url))
        with TestClient(create_app(container)) as client:
            client.headers.update(bearer(issue_key(container, "admin", name="dpo")))
            first = self._open(
                client, {"name": "Ines Duarte", "email": "ines@x.example"} | {"phone": PHONE}
            )
            second = self._open(
                client, {"name": "Ines Duarte", "phone": SAME_PHONE_TYPED_OTHERWISE}
            )
            yield Person(client, container, first, second)
        container.close()

    def _open(self, client: TestClient, customer: dict[str, str]) -> str:
        body = {"title": "Refund", "scope": "customer", "source": "email", "severity": "SEV3"}
        response = client.post("/escalations", json=body | {"customer": customer})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def _settle(self, container: Container, timeout: float = 60.0) -> None:
        """Runs the background job until nothing is pending (other sessions on a shared server
        may hold a snapshot for a moment, so it may take more than one round)."""
        watch = ShreddingWatch(container.app)
        deadline = time.monotonic() + timeout
        while True:
            watch.poll()
            if not watch.pending:
                return
            assert time.monotonic() < deadline, f"still pending: {watch.pending}"
            time.sleep(0.5)

    # ------------------------------------------------------------------ tests

    def test_an_erasure_with_a_reader_open_is_pending_and_completes_once_it_closes(
        self, person: Person, url: str
    ) -> None:
        subjects = {
            person.customer(c)["subject_id"] for c in (person.with_email, person.phone_only)
        }
        assert len(subjects) == 2  # two subjects for one person: only the phone joins them
        keys = self.stored_keys(url)
        wrapped = [keys[s][1] for s in subjects]

        with self.reader(url):
            answer = person.client.post("/erasures", json={"phone": PHONE})
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert body["state"] == "pending"
            assert {s["subject_id"] for s in body["subjects"]} == subjects
            assert all(s["state"] == "pending" and s["pending_reason"] for s in body["subjects"])
            assert all(s["key_deleted"] for s in body["subjects"])
            # Pending is the truth: the wrapped keys are still in the store's bytes.
            raw = self.raw_bytes(url)
            assert any(w in raw for w in wrapped)
            for subject in subjects:
                record = person.client.get(f"/subjects/{subject}/erasure").json()
                assert record["state"] == "pending" and record["shredded_at"] is None

        self._settle(person.container)

        raw = self.raw_bytes(url)
        for subject in subjects:
            key_id, key = keys[subject]
            assert key not in raw and key_id not in raw
            record = person.client.get(f"/subjects/{subject}/erasure").json()
            assert record["state"] == "erased" and record["pending_reason"] is None
            assert record["shredded_at"] is not None
        for case in (person.with_email, person.phone_only):
            customer = person.customer(case)
            assert customer["name"] == customer["phone"] == "[erased]"

    def test_without_readers_an_erasure_by_email_is_erased_at_once(
        self, person: Person, url: str
    ) -> None:
        subject = person.customer(person.with_email)["subject_id"]
        key_id, key = self.stored_keys(url)[subject]

        answer = person.client.post("/erasures", json={"email": " INES@x.example"})

        assert answer.status_code == 200, answer.text
        [erased] = answer.json()["subjects"]
        # The e-mail names only the first subject; the phone-only case is another subject.
        assert erased["subject_id"] == subject and erased["state"] == "erased"
        assert person.customer(person.phone_only)["name"] == "Ines Duarte"
        raw = self.raw_bytes(url)
        assert key not in raw and key_id not in raw
        again = person.client.post("/erasures", json={"email": "ines@x.example"})
        assert again.status_code == 404
        assert again.json()["type"] == "/problems/subject-not-found"

    def test_an_erasure_by_identifier_says_what_to_fix_in_a_bad_request(
        self, person: Person
    ) -> None:
        for body in ({}, {"phone": "--"}, {"email": "a@b.example", "name": "Ines"}):
            response = person.client.post("/erasures", json=body)
            assert response.status_code == 422, (body, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        assert person.customer(person.with_email)["name"] == "Ines Duarte"

    def test_a_store_written_before_the_index_is_backfilled(self, person: Person, url: str) -> None:
        self.forget_index(url)
        missing = person.client.post("/erasures", json={"phone": PHONE})
        assert missing.status_code == 404

        assert backfill_identifiers(person.container.app) == 2
        assert backfill_identifiers(person.container.app) is None  # once, unless forced

        result = CliRunner().invoke(
            cli, ["subjects", "erase", "--phone", PHONE, "--database-url", url]
        )
        assert result.exit_code in (0, 3), result.output
        for case in (person.with_email, person.phone_only):
            assert person.customer(case)["phone"] == "[erased]"
        shredded = CliRunner().invoke(cli, ["subjects", "shred", "--database-url", url])
        assert shredded.exit_code in (0, 3), shredded.output

    def forget_index(self, url: str) -> None:
        """Empties the index and its backfill mark, as in a store written before them."""
        raise NotImplementedError
