"""Erasure by crypto-shredding, checked by scanning what is really stored. Subclassed once per
backend: each subclass provides the store's URL and a raw scan of everything the store holds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli.main import cli
from api.http.app import create_app
from infra.bootstrap import Container, build
from infra.cache_watch import ErasedFromCache
from infra.settings import Settings
from tests.support import bearer, issue_key

NAME = "Quintessa Marlowe"
EMAIL = "q.marlowe@erasure-test.example"
PHONE = "+44 20 7946 0321"
OTHER_NAME = "Bartholomew Okonkwo"
OTHER_EMAIL = "b.okonkwo@erasure-test.example"
NEEDLES = (NAME, EMAIL, PHONE)
OTHER_NEEDLES = (OTHER_NAME, OTHER_EMAIL)


@dataclass
class Store:
    container: Container
    client: TestClient
    subject: str
    cases: list[str]  # the subject's escalations: one open, one closed
    other_subject: str
    other_case: str


def found_in(text: str, needles: tuple[str, ...]) -> list[str]:
    lowered = text.lower()
    return [needle for needle in needles if needle.lower() in lowered]


class ErasureBehaviour:
    """Not collected itself (no Test prefix)."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    def raw_store_text(self, url: str) -> str:
        """Everything the store holds, as text: bytes decoded leniently, so a plain value shows."""
        raise NotImplementedError

    # ------------------------------------------------------------------ setup

    @pytest.fixture
    def store(self, url: str, clock: Any) -> Iterator[Store]:
        container = build(Settings(database_url=url, snapshot_interval=3), clock=clock)
        with TestClient(create_app(container)) as client:
            # An admin drives the cases and erases: the key's name is the actor on the events.
            client.headers.update(bearer(issue_key(container, "admin", name="ana.lima")))
            yield self._populate(container, client, clock)
        container.close()

    def _open(self, client: TestClient, customer: dict[str, str], **fields: Any) -> str:
        body = {
            "title": "Charged twice for the annual plan",
            "scope": "customer",
            "source": "email",
            "severity": "SEV3",
            "customer": customer,
        } | fields
        response = client.post("/escalations", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def _note(self, client: TestClient, escalation_id: str, text: str) -> None:
        response = client.post(f"/escalations/{escalation_id}/notes", json={"text": text})
        assert response.status_code == 200, response.text

    def _populate(self, container: Container, client: TestClient, clock: Any) -> Store:
        person = {"name": NAME, "email": EMAIL, "phone": PHONE, "account_id": "acct-77"}
        first = self._open(client, person)
        for i in range(4):  # past a snapshot (interval 3): the customer is in it too
            clock.advance(minutes=5)
            self._note(client, first, f"Refund step {i}")
        clock.advance(minutes=5)
        second = self._open(
            client, person, source="privacy_request", privacy_regime="gdpr", title="Erase my data"
        )
        clock.advance(minutes=5)
        resolved = client.post(
            f"/escalations/{second}/resolve", json={"summary": "Done", "override_reason": "n/a"}
        )
        assert resolved.status_code == 200, resolved.text
        assert client.post(f"/escalations/{second}/close", json={}).status_code == 200
        other = self._open(client, {"name": OTHER_NAME, "email": OTHER_EMAIL})
        clock.advance(minutes=5)
        subject = client.get(f"/escalations/{first}").json()["customer"]["subject_id"]
        other_subject = client.get(f"/escalations/{other}").json()["customer"]["subject_id"]
        return Store(container, client, subject, [first, second], other_subject, other)

    def _export(self, url: str, tmp_path: Path, personal_data: str = "clear") -> str:
        """The export as it shows the most: personal data in clear, opened with the keys."""
        target = tmp_path / "export.jsonl"
        arguments = ["events", "export", "-o", str(target), "--database-url", url]
        result = CliRunner().invoke(cli, [*arguments, "--personal-data", personal_data])
        assert result.exit_code == 0, result.output
        return target.read_text()

    def _erase(self, store: Store, subject: str | None = None, **body: Any) -> Any:
        response = store.client.post(
            f"/subjects/{subject or store.subject}/erasure", json=body or None
        )
        assert response.status_code == 200, response.text
        return response.json()

    def _everything_read_through_the_api(self, store: Store, escalation_id: str) -> str:
        client = store.client
        opened_at = client.get(f"/escalations/{escalation_id}").json()["opened_at"]
        reads = [
            client.get(f"/escalations/{escalation_id}"),
            client.get(f"/escalations/{escalation_id}?version=1"),
            client.get(f"/escalations/{escalation_id}", params={"as_of": opened_at}),
            client.get(f"/escalations/{escalation_id}/events"),
            client.get(f"/escalations/{escalation_id}/updates/customer?format=md"),
            client.get(f"/escalations/{escalation_id}/timeline"),
        ]
        for response in reads:
            assert response.status_code == 200, response.text
        return "\n".join(response.text for response in reads)

    # ------------------------------------------------------------------ tests

    def test_before_erasure_nothing_is_stored_in_clear_while_the_api_shows_it(
        self, store: Store, url: str
    ) -> None:
        assert found_in(self.raw_store_text(url), NEEDLES + OTHER_NEEDLES) == []

        shown = self._everything_read_through_the_api(store, store.cases[0])
        assert found_in(shown, NEEDLES) == list(NEEDLES)
        assert f"Dear {NAME}," in shown

    def test_an_export_names_customers_by_subject_id_unless_asked_for_clear_data(
        self, store: Store, url: str, tmp_path: Path
    ) -> None:
        default = self._export(url, tmp_path, "pseudonymised")
        clear = self._export(url, tmp_path, "clear")

        assert found_in(default, NEEDLES + OTHER_NEEDLES) == []
        assert store.subject in default and store.other_subject in default
        assert found_in(clear, NEEDLES + OTHER_NEEDLES) == list(NEEDLES + OTHER_NEEDLES)
        default_plain = CliRunner().invoke(cli, ["events", "export", "--database-url", url])
        assert default_plain.exit_code == 0
        assert found_in(default_plain.stdout, NEEDLES) == []

    def test_after_erasure_nothing_readable_remains_in_the_store_the_api_or_the_export(
        self, store: Store, url: str, tmp_path: Path
    ) -> None:
        answer = self._erase(store)

        assert sorted(answer["escalations"]) == sorted(store.cases)
        assert answer["key_deleted"] is True and answer["already_erased"] is False
        assert found_in(self.raw_store_text(url), NEEDLES) == []
        assert found_in(self._export(url, tmp_path), NEEDLES) == []
        for case in store.cases:
            shown = self._everything_read_through_the_api(store, case)
            assert found_in(shown, NEEDLES) == []
            assert "[erased]" in shown
            assert "Dear [erased]" not in shown
            customer = store.client.get(f"/escalations/{case}").json()["customer"]
            assert customer == {
                "subject_id": store.subject,
                "name": "[erased]",
                "email": "[erased]",
                "phone": "[erased]",
                "account_id": "[erased]",
            }

    def test_a_second_subject_is_untouched_by_the_erasure(
        self, store: Store, url: str, tmp_path: Path
    ) -> None:
        self._erase(store)

        customer = store.client.get(f"/escalations/{store.other_case}").json()["customer"]
        assert (customer["name"], customer["email"]) == (OTHER_NAME, OTHER_EMAIL)
        assert found_in(self._export(url, tmp_path), OTHER_NEEDLES) == list(OTHER_NEEDLES)
        assert found_in(self.raw_store_text(url), OTHER_NEEDLES) == []
        events = store.client.get(f"/escalations/{store.other_case}/events").json()["items"]
        assert [e["type"] for e in events] == ["Opened"]

    def test_the_history_stays_whole_and_the_erasure_is_recorded(self, store: Store) -> None:
        before = {
            case: store.client.get(f"/escalations/{case}/events").json()["items"]
            for case in store.cases
        }

        self._erase(store, request_id=store.cases[1])

        for case, old in before.items():
            now = store.client.get(f"/escalations/{case}/events").json()["items"]
            assert [(e["version"], e["type"]) for e in now[:-1]] == [
                (e["version"], e["type"]) for e in old
            ]
            assert now[-1]["type"] == "CustomerDataErased"
            assert now[-1]["actor"] == "ana.lima"
            assert now[-1]["data"] == {"subject_id": store.subject}
        closed = store.client.get(f"/escalations/{store.cases[1]}").json()
        assert closed["status"] == "closed"
        first = store.client.get(f"/escalations/{store.cases[0]}").json()
        assert [n["text"] for n in first["notes"]] == [f"Refund step {i}" for i in range(4)]
        report = store.client.get(f"/escalations/{store.cases[0]}/updates/executive?format=md")
        assert report.status_code == 200
        timeline = store.client.get(f"/escalations/{store.cases[0]}/timeline").json()
        assert timeline[-1]["kind"] == "customer_data_erased"
        assert "personal data was erased" in timeline[-1]["text"]
        record = store.client.get(f"/subjects/{store.subject}/erasure").json()
        [erasure] = record["erasures"]
        assert sorted(erasure["escalation_ids"]) == sorted(store.cases)
        assert erasure["by"] == "ana.lima" and erasure["key_deleted"] is True
        assert erasure["request_id"] == store.cases[1]

    def test_erasing_twice_answers_the_same_and_records_nothing_more(self, store: Store) -> None:
        first = self._erase(store)
        versions = [store.client.get(f"/escalations/{c}").json()["version"] for c in store.cases]

        second = self._erase(store)

        assert second["already_erased"] is True
        assert second["key_deleted"] is False and second["newly_erased"] == []
        assert sorted(second["escalations"]) == sorted(first["escalations"])
        assert second["first_erased_at"] == first["first_erased_at"]
        assert [
            store.client.get(f"/escalations/{c}").json()["version"] for c in store.cases
        ] == versions
        assert len(store.client.get(f"/subjects/{store.subject}/erasure").json()["erasures"]) == 1

    def test_an_erasure_request_with_unknown_fields_is_refused_before_anything_is_erased(
        self, store: Store
    ) -> None:
        response = store.client.post(
            f"/subjects/{store.subject}/erasure", json={"reason": "free text"}
        )

        assert response.status_code == 422
        assert response.json()["type"] == "/problems/validation-error"
        customer = store.client.get(f"/escalations/{store.cases[0]}").json()["customer"]
        assert customer["name"] == NAME

    def test_an_erasure_that_loses_a_race_with_a_command_looks_again_and_records_once(
        self, store: Store, url: str, clock: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        app = store.container.app
        rival = build(Settings(database_url=url), clock=clock)
        saved = app.save
        raced: list[bool] = []

        def save_after_a_rival_command(*aggregates: Any, **kwargs: Any) -> Any:
            if not raced:  # another process writes to the first case between load and save
                raced.append(True)
                rival.app.execute(UUID(store.cases[0]), _note_action("written meanwhile"))
            return saved(*aggregates, **kwargs)

        monkeypatch.setattr(app, "save", save_after_a_rival_command)
        try:
            answer = self._erase(store)
        finally:
            rival.close()

        assert answer["key_deleted"] is True and sorted(answer["newly_erased"]) == sorted(
            store.cases
        )
        events = store.client.get(f"/escalations/{store.cases[0]}/events").json()["items"]
        assert [e["type"] for e in events[-2:]] == ["NoteAdded", "CustomerDataErased"]
        [erasure] = store.client.get(f"/subjects/{store.subject}/erasure").json()["erasures"]
        assert erasure["key_deleted"] is True

    def test_an_unknown_subject_is_a_404_problem(self, store: Store) -> None:
        response = store.client.post("/subjects/no-such-person/erasure")

        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "/problems/subject-not-found"
        assert "no-such-person" in response.json()["detail"]
        never = store.client.get(f"/subjects/{store.subject}/erasure")
        assert never.status_code == 404
        assert never.json()["type"] == "/problems/subject-not-found"

    def test_no_cache_keeps_the_plain_fields_after_erasure(
        self, store: Store, url: str, clock: Any
    ) -> None:
        # Another process with its own aggregate cache, warmed before the erasure.
        other = build(Settings(database_url=url, snapshot_interval=3), clock=clock)
        try:
            case = store.cases[0]
            assert other.app.get(UUID(case)).customer["name"] == NAME
            store.client.get(f"/escalations/{case}")  # warm this process's cache too

            self._erase(store)

            assert NAME not in repr(_cached(store.container))
            assert other.app.get(UUID(case)).customer["name"] == "[erased]"
            assert NAME not in repr(_cached(other))
        finally:
            other.close()

    def test_a_process_that_never_loads_the_escalation_again_drops_it_from_its_cache(
        self, store: Store, url: str, clock: Any
    ) -> None:
        other = build(Settings(database_url=url, snapshot_interval=3), clock=clock)
        try:
            for case in store.cases:
                assert other.app.get(UUID(case)).customer["name"] == NAME
            watch = ErasedFromCache(other.app)

            self._erase(store)

            assert sorted(str(i) for i in watch.poll()) == sorted(store.cases)
            cache = other.app.repository.cache
            assert cache is not None and not any(UUID(c) in cache.cache for c in store.cases)
            assert watch.poll() == []
        finally:
            other.close()

    def test_views_registered_for_erasure_are_purged_and_a_failing_one_is_retried(
        self, store: Store
    ) -> None:
        calls: list[tuple[str, list[str]]] = []

        class View:
            fail = True

            def on_subject_erased(self, subject_id: str, escalation_ids: Any) -> None:
                calls.append((subject_id, sorted(str(i) for i in escalation_ids)))
                if View.fail:
                    raise RuntimeError("view database down")

        store.container.erasure_hooks.register("search", View())

        failed = store.client.post(f"/subjects/{store.subject}/erasure")
        assert failed.status_code == 503
        assert failed.json()["type"] == "/problems/erasure-incomplete"
        assert "search" in failed.json()["detail"]
        View.fail = False
        retried = self._erase(store)

        assert retried["views_purged"] == ["search"]
        assert calls == [(store.subject, sorted(store.cases))] * 2

    def test_the_cli_erases_too(self, store: Store, url: str, tmp_path: Path) -> None:
        result = CliRunner().invoke(
            cli, ["subjects", "erase", store.subject, "--actor", "dpo", "--database-url", url]
        )

        assert result.exit_code == 0, result.output
        assert found_in(self._export(url, tmp_path), NEEDLES) == []
        # A fresh process read the fields as erased already (no key), and still recorded it.
        for case in store.cases:
            events = store.client.get(f"/escalations/{case}/events").json()["items"]
            assert events[-1]["type"] == "CustomerDataErased"
            assert events[-1]["actor"] == "dpo"
            assert store.client.get(f"/escalations/{case}").json()["customer_erased_at"]
        unknown = CliRunner().invoke(cli, ["subjects", "erase", "nobody", "--database-url", url])
        assert unknown.exit_code == 1


def _note_action(text: str) -> Any:
    def action(escalation: Any, *, at: Any) -> dict[str, str]:
        return {"note_id": escalation.add_note(actor="rival", at=at, text=text)}

    return action


def _cached(container: Container) -> list[Any]:
    """The state of every aggregate in the repository's cache (an LRU cache keeps each one as
    the last item of a linked-list entry)."""
    cache = container.app.repository.cache
    assert cache is not None
    entries = list(cache.cache.values())
    assert entries, "the test expects a warm cache"
    return [vars(entry[-1] if isinstance(entry, list) else entry) for entry in entries]
