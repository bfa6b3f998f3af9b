"""The regulator's response: only where a regulator is involved, never a placeholder in the letter,
and for a privacy request the facts a data-protection authority asks for (the statutory deadline,
its extension, when the data was erased), in words fit for a privacy request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import Container, build
from infra.demo.history import History
from infra.settings import Settings
from tests.backends import OnPostgreSQL, OnSQLite
from tests.conftest import ManualClock
from tests.documents.scenarios import PERSON
from tests.support import bearer, issue_key

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class Cases:
    container: Container
    client: TestClient
    clock: ManualClock
    privacy: UUID
    bbb: UUID
    outage: UUID


class RegulatorBehaviour:
    @pytest.fixture
    def cases(self, url: str) -> Iterator[Cases]:
        clock = ManualClock(START)
        container = build(Settings(database_url=url), clock=clock)
        app = container.app
        privacy = History.open(
            app,
            at=clock.now,
            actor="privacy-portal",
            title="Erasure request",
            scope="customer",
            source="privacy_request",
            severity="SEV3",
            privacy_regime="gdpr",
            privacy_request_type="erasure",
            customer=PERSON,
            external_ref="DSAR-2026-0412",
        )
        bbb = History.open(
            app,
            at=clock.now,
            actor="lee",
            title="Charged twice",
            scope="customer",
            source="bbb_complaint",
            severity="SEV3",
            customer=PERSON | {"name": "Jo Bloggs", "email": "jo@example.org"},
        )
        outage = History.open(
            app,
            at=clock.now,
            actor="dana",
            title="Sync stalls",
            scope="global",
            source="tools_outage",
            severity="SEV1",
            components=["Sync"],
        )
        for story in (privacy, bbb, outage):
            story.at(clock.advance(minutes=10), "acknowledge", actor="lee")
        privacy.at(
            clock.advance(hours=1),
            "extend_deadline",
            actor="noor",
            new_deadline=datetime(2027, 1, 2, 9, 0, tzinfo=UTC),
            reason="Records in three systems",
            notice="We told the data subject on 2 November.",
        )
        admin = bearer(issue_key(container, "admin"))
        client = TestClient(create_app(container), headers=bearer(issue_key(container, "manager")))
        subject = app.get(privacy.id).customer["subject_id"]
        clock.advance(hours=1)
        erased = client.post(f"/subjects/{subject}/erasure", headers=admin, json={})
        assert erased.status_code in (200, 201, 202), erased.text
        privacy.at(clock.advance(hours=1), "resolve", actor="noor", summary="Erased.")
        yield Cases(container, client, clock, privacy.id, bbb.id, outage.id)
        container.close()

    def read(self, cases: Cases, escalation: UUID, fmt: str = "md") -> str:
        response = cases.client.get(
            f"/escalations/{escalation}/updates/regulator", params={"format": fmt}
        )
        assert response.status_code == 200, response.text
        return response.text

    def test_the_privacy_response_states_the_statutory_deadline_extension_and_erasure(
        self, cases: Cases
    ) -> None:
        letter = self.read(cases, cases.privacy)
        assert "This letter sets out how we handled the GDPR erasure request" in letter
        assert "Thank you for forwarding this complaint" not in letter
        assert "**Request reference:** DSAR-2026-0412" in letter
        assert "**Statutory deadline (GDPR):** 2026-12-02 09:00 UTC" in letter
        assert "**Extended deadline:** 2027-01-02 09:00 UTC" in letter
        assert "**Personal data erased:** 2026-11-02 11:30 UTC" in letter
        assert "2026-11-02 11:30 UTC: We erased the personal data of the data subject." in letter
        assert (
            "2026-11-02 10:30 UTC: We extended the response deadline to 2 January 2027 and told "
            "the data subject." in letter
        )
        assert "## Outcome" in letter and "We completed the request on 2 November 2026." in letter

    def test_missing_facts_go_to_a_checklist_never_into_the_letter(self, cases: Cases) -> None:
        for escalation in (cases.privacy, cases.bbb):
            markdown = self.read(cases, escalation, "md")
            checklist, letter = markdown.split("\n---\n", 1)
            assert checklist.startswith("## To complete before sending")
            assert "State the resolution offered" in checklist
            assert "[" not in letter.replace("\\[", "")
            assert "State the resolution offered" not in letter
            page = self.read(cases, escalation, "html")
            assert '<h2 id="checklist">To complete before sending</h2>' in page
            body = json.loads(self.read(cases, escalation, "json"))
            assert body["checklist"][0].startswith("State the resolution offered")
            assert not any("[" in line for line in body["resolution_offered"])
        bbb = self.read(cases, cases.bbb)
        assert "Thank you for forwarding this complaint" in bbb
        assert "Add the complaint reference" in bbb.split("\n---\n", 1)[0]

    def test_an_escalation_with_no_regulator_has_no_regulator_response(self, cases: Cases) -> None:
        url = f"/escalations/{cases.outage}/updates/regulator"
        response = cases.client.get(url)
        assert response.status_code == 404
        assert response.json()["type"] == "/problems/no-regulator"
        assert (
            "it is a tools outage with no communication to the regulator audience"
            in (response.json()["detail"])
        )
        # Once the team writes to a regulator about it, the response exists.
        cases.container.app.run(
            "communicate",
            cases.outage,
            at=cases.clock.advance(minutes=5),
            actor="dana",
            audience="regulator",
            channel="letter",
            subject="Incident notice",
            body="We notify you of an outage of our sync service.",
        )
        letter = cases.client.get(url).text
        assert "We notify you of an outage of our sync service." in letter
        assert "Thank you for your enquiry about this case." in letter
        assert "To complete before sending" not in letter


class TestRegulatorOnSQLite(OnSQLite, RegulatorBehaviour):
    pass


class TestRegulatorOnPostgreSQL(OnPostgreSQL, RegulatorBehaviour):
    pass
