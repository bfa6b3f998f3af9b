"""Linked cases follow their global escalation: through the application on both stores (each case
resolved once, on its own stream, by the one who resolved the global escalation), and through HTTP
(the resolve answer and the state)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from infra.application import Escalations, Idempotency
from infra.bootstrap import Container, build
from infra.settings import Settings
from tests.backends import OnPostgreSQL, OnSQLite
from tests.support import api_client

FOLLOWED = "resolved together with the wider service incident that caused it"
GLOBAL = {"title": "Desktop sync failing", "scope": "global", "source": "tools_outage"}


def _case(app: Escalations, parent: UUID, title: str) -> UUID:
    case = app.open(
        actor="tessa.wu", title=title, scope="customer", source="vendor", severity="SEV2"
    )
    app.run("link_case", parent, actor="maria.chen", case_id=case.escalation_id)
    return case.escalation_id


def _resolutions(app: Escalations, case_id: UUID) -> list[Any]:
    return [e for e in app.stream(case_id) if type(e).__name__ == "Resolved"]


class Outage:
    """A SEV1 global escalation with three customer cases linked to it, on the backend's store."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        return {}

    @pytest.fixture
    def container(self, url: str, clock: Any, settings: dict[str, Any]) -> Iterator[Container]:
        container = build(Settings(database_url=url, **settings), clock=clock)
        yield container
        container.close()

    @pytest.fixture
    def outage(self, container: Container, clock: Any) -> tuple[UUID, list[UUID]]:
        app = container.app
        parent = app.open(actor="monitoring", severity="SEV1", **GLOBAL).escalation_id
        cases = [_case(app, parent, f"Account {n} cannot sync") for n in range(3)]
        clock.advance(minutes=5)
        return parent, cases


class LinkedCasesBehaviour(Outage):
    def test_resolving_with_resolve_linked_resolves_each_open_case_on_its_own_stream(
        self, container: Container, outage: tuple[UUID, list[UUID]], clock: Any
    ) -> None:
        app = container.app
        parent, (first, second, dismissed) = outage
        app.run("define_exit_criteria", first, actor="tessa.wu", criteria=["Customer confirms"])
        app.run("dismiss", dismissed, actor="tessa.wu", reason="not_actionable")
        clock.advance(minutes=5)

        result = app.run(
            "resolve", parent, actor="maria.chen", summary="Rolled back", resolve_linked=True
        )

        assert result.linked is not None
        assert result.linked.answer() == {
            "linked_open": [],
            "linked_resolved": [str(first), str(second)],
            "linked_already_ended": [str(dismissed)],
            "linked_refused": [],
        }
        reason = f"resolved with global escalation Desktop sync failing ({parent})"
        for case_id in (first, second):
            (event,) = _resolutions(app, case_id)
            assert (event.actor, event.summary, event.resolved_with) == (
                "maria.chen",
                reason,
                str(parent),
            )
            assert event.timestamp == app.get(parent).resolved_at
        (overridden,) = _resolutions(app, first)
        assert (overridden.overridden_criteria, overridden.override_reason) == (["ec1"], reason)
        assert _resolutions(app, dismissed) == []
        assert app.get(dismissed).status == "dismissed"

    def test_without_resolve_linked_the_open_cases_are_offered_and_left_open(
        self, container: Container, outage: tuple[UUID, list[UUID]]
    ) -> None:
        app = container.app
        parent, cases = outage

        result = app.run("resolve", parent, actor="maria.chen", summary="Rolled back")

        assert result.linked is not None
        assert result.linked.answer() == {"linked_open": [str(c) for c in cases]}
        assert all(app.get(c).status == "triage" for c in cases)

    def test_a_retry_completes_a_follow_cut_short_and_never_resolves_a_case_twice(
        self, container: Container, outage: tuple[UUID, list[UUID]], clock: Any
    ) -> None:
        app = container.app
        parent, cases = outage
        key = Idempotency.for_request("resolve-1", "resolve", {"summary": "x"}, caller="http:m")
        # The global escalation is saved and the follow never ran: a crash right after the save.
        app.run("resolve", parent, actor="maria.chen", summary="x", idempotency=key)

        retried = app.run(
            "resolve", parent, actor="someone.else", summary="x", idempotency=key,
            resolve_linked=True,
        )  # fmt: skip
        clock.advance(minutes=1)
        app.run("reopen", cases[0], actor="tessa.wu", reason="A second fault of its own")
        again = app.run(
            "resolve", parent, actor="someone.else", summary="x", idempotency=key,
            resolve_linked=True,
        )  # fmt: skip

        assert retried.replayed and again.replayed
        assert retried.linked is not None and retried.linked.resolved == [str(c) for c in cases]
        assert again.linked is not None and again.linked.open == [str(cases[0])]
        assert again.linked.resolved == [str(c) for c in cases[1:]]  # the reopened one is open
        for case_id in cases:
            (event,) = _resolutions(app, case_id)
            assert event.actor == "maria.chen"  # who resolved the global escalation

    def test_a_case_that_cannot_follow_is_reported_and_the_others_follow(
        self, container: Container, outage: tuple[UUID, list[UUID]], clock: Any
    ) -> None:
        app = container.app
        parent, (late, *others) = outage
        moment = clock()
        clock.advance(minutes=10)
        app.run("add_note", late, actor="tessa.wu", text="Customer called again")

        result = app.run(
            "resolve", parent, actor="maria.chen", summary="Rolled back", at=moment,
            resolve_linked=True,
        )  # fmt: skip

        assert result.linked is not None
        assert result.linked.resolved == [str(c) for c in others]
        (refusal,) = result.linked.refused
        assert (refusal["id"], refusal["status"]) == (str(late), "triage")
        assert "earlier than the escalation's last event" in refusal["detail"]
        assert result.linked.open == [str(late)]


class LinkedCasesByPolicyBehaviour(Outage):
    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        return {"linked_cases_follow": True}

    def test_the_policy_makes_the_follow_automatic_and_a_request_can_decline_it(
        self, container: Container, outage: tuple[UUID, list[UUID]]
    ) -> None:
        app = container.app
        parent, cases = outage
        declined = app.open(actor="monitoring", severity="SEV2", **GLOBAL).escalation_id
        kept = _case(app, declined, "Kept open")

        followed = app.run("resolve", parent, actor="maria.chen", summary="Rolled back")
        app.run("resolve", declined, actor="maria.chen", summary="Fixed", resolve_linked=False)

        assert followed.linked is not None and followed.linked.resolved == [str(c) for c in cases]
        assert app.get(kept).status == "triage"


class TestLinkedCasesOnSQLite(OnSQLite, LinkedCasesBehaviour):
    pass


class TestLinkedCasesOnPostgreSQL(OnPostgreSQL, LinkedCasesBehaviour):
    pass


class TestLinkedCasesByPolicyOnSQLite(OnSQLite, LinkedCasesByPolicyBehaviour):
    pass


class TestLinkedCasesByPolicyOnPostgreSQL(OnPostgreSQL, LinkedCasesByPolicyBehaviour):
    pass


# ---------------------------------------------------------------------------------------- HTTP


def _global_with_a_linked_case(client: Any, title: str) -> tuple[str, str]:
    """Over HTTP: a SEV1 global escalation and a customer case linked to it, by their ids."""
    parent = client.post("/escalations", json={**GLOBAL, "severity": "SEV1"}).json()["id"]
    case = client.post(
        "/escalations",
        json={"title": title, "scope": "customer", "source": "vendor", "severity": "SEV2"},
    ).json()["id"]
    client.post(f"/escalations/{parent}/links", json={"case_id": case})
    return parent, case


def test_the_resolve_answer_and_the_state_say_where_the_linked_cases_stand(
    sqlite_url: str, clock: Any
) -> None:
    with api_client(sqlite_url, clock) as client:
        parent, case = _global_with_a_linked_case(client, "Northwind")
        linked_at = clock.advance(minutes=5)
        assert client.get(f"/escalations/{parent}").json()["linked_open"] == [case]

        headers = {"Idempotency-Key": "resolve-sync"}
        body = {"summary": "Rolled back", "resolve_linked": True}
        answer = client.post(f"/escalations/{parent}/resolve", json=body, headers=headers)
        replay = client.post(f"/escalations/{parent}/resolve", json=body, headers=headers)

        assert answer.status_code == 200, answer.text
        assert answer.json()["linked_resolved"] == [case]
        assert answer.json()["linked_open"] == []
        assert (answer.json()["linked_refused"], answer.json()["linked_already_ended"]) == ([], [])
        assert replay.headers["idempotent-replayed"] == "true"
        assert replay.json() == answer.json()
        state = client.get(f"/escalations/{case}").json()
        assert state["status"] == "resolved"
        assert state["resolution"]["resolved_with"] == parent
        assert state["resolution"]["by"] == "tester"
        events = client.get(f"/escalations/{case}/events").json()["items"]
        assert [e["type"] for e in events].count("Resolved") == 1
        assert client.get(f"/escalations/{parent}").json()["linked_open"] == []
        letter = client.get(f"/escalations/{case}/updates/customer", params={"format": "md"})
        plain = client.get(f"/escalations/{parent}/updates/customer", params={"format": "html"})
        assert FOLLOWED in letter.text
        assert plain.status_code == 200 and FOLLOWED not in plain.text
        as_of = (linked_at - timedelta(minutes=1)).isoformat()  # linked, not yet resolved
        assert client.get(f"/escalations/{parent}", params={"as_of": as_of}).json()[
            "linked_open"
        ] == [case]


def test_a_resolved_sev1_reads_settled_and_a_reopen_owes_an_update_by_the_cadence(
    sqlite_url: str, clock: Any
) -> None:
    with api_client(sqlite_url, clock) as client:
        eid = client.post(
            "/escalations", json={**GLOBAL, "severity": "SEV1", "components": ["Sync"]}
        ).json()["id"]
        client.post(
            f"/escalations/{eid}/impact",
            json={"customers_affected": 10, "components": {"Sync": "major_outage"}},
        )
        due = (clock() + timedelta(minutes=30)).isoformat()
        client.post(
            f"/escalations/{eid}/communications",
            json={
                "audience": "public",
                "channel": "status_page",
                "body": "Down",
                "next_update_due": due,
            },
        )
        assert client.get(f"/escalations/{eid}").json()["next_update_due"] is not None

        before = clock().isoformat()
        clock.advance(minutes=1)
        client.post(f"/escalations/{eid}/resolve", json={"summary": "Rolled back"})
        resolved = client.get(f"/escalations/{eid}").json()
        then = client.get(f"/escalations/{eid}", params={"as_of": before}).json()
        reopened_at = clock.advance(minutes=5)
        client.post(f"/escalations/{eid}/reopen", json={"reason": "Errors are back"})
        reopened = client.get(f"/escalations/{eid}").json()

    assert (resolved["next_update_due"], resolved["components"]) == (None, {"Sync": "operational"})
    assert then["components"] == {"Sync": "major_outage"}  # as it stood before the resolution
    assert then["next_update_due"] == due.replace("+00:00", "Z")
    assert reopened["components"] == {"Sync": "major_outage"}
    # SEV1's default update cadence is 30 minutes
    assert reopened["next_update_due"] == (reopened_at + timedelta(minutes=30)).isoformat().replace(
        "+00:00", "Z"
    )


def test_the_resolve_example_of_the_reference_is_accepted_as_served(
    sqlite_url: str, clock: Any
) -> None:
    with api_client(sqlite_url, clock) as client:
        schema = client.get("/openapi.json").json()
        example = schema["components"]["schemas"]["Resolve"]["examples"][0]
        parent = client.post("/escalations", json={**GLOBAL, "severity": "SEV1"}).json()["id"]
        client.post(f"/escalations/{parent}/exit-criteria", json={"criteria": ["Errors gone"]})

        answer = client.post(f"/escalations/{parent}/resolve", json=example)

    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "resolved"
    assert answer.json()["linked_resolved"] == []


def test_the_linked_cases_can_follow_after_the_fact_once_and_only_a_resolved_global(
    sqlite_url: str, clock: Any
) -> None:
    with api_client(sqlite_url, clock) as client:
        parent, case = _global_with_a_linked_case(client, "Contoso")
        too_early = client.post(f"/escalations/{parent}/links/resolve")
        not_global = client.post(f"/escalations/{case}/links/resolve")
        resolved = client.post(f"/escalations/{parent}/resolve", json={"summary": "Rolled back"})
        version = resolved.json()["version"]

        first = client.post(
            f"/escalations/{parent}/links/resolve", headers={"If-Match": f'"{version}"'}
        )
        again = client.post(f"/escalations/{parent}/links/resolve")
        stale = client.post(f"/escalations/{parent}/links/resolve", headers={"If-Match": '"1"'})
        events = client.get(f"/escalations/{case}/events").json()["items"]
        parent_state = client.get(f"/escalations/{parent}").json()

    assert resolved.json()["linked_open"] == [case]
    for refused, says in ((too_early, "once it is resolved"), (not_global, "global")):
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert says in refused.json()["detail"]
    assert first.status_code == 200, first.text
    assert (first.json()["linked_resolved"], first.json()["linked_open"]) == ([case], [])
    assert again.json()["linked_resolved"] == [case]  # as the first time, and nothing written
    assert [e["type"] for e in events].count("Resolved") == 1
    assert (first.json()["version"], parent_state["version"]) == (version, version)
    assert stale.status_code == 412
