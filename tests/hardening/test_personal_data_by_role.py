"""Contact details only for roles with `read-personal-data`: an analyst or a stakeholder reads
everything their permissions allow and never meets a customer's name, e-mail or phone (only the
subject id and `[redacted]`), while a manager sees them, on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli.main import cli
from api.http.app import create_app
from domain.validation import ERASED, REDACTED
from infra.bootstrap import build
from infra.demo.history import History
from infra.settings import Settings
from tests.documents.scenarios import NOW, OUTAGE_POSTMORTEM, PERSON, T0, at, bbb_complaint
from tests.support import bearer, issue_key

FORMATS = ("md", "html", "json")
AUDIENCES = ("executive", "tactical", "sales_cs", "customer", "regulator")
AS_OF = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")  # no "+", which a query string reads as a space
CONTACT = dict(PERSON)  # every personal field: name, e-mail, phone, account id


@dataclass
class Case:
    client: TestClient
    url: str
    escalation: UUID
    subject: str
    headers: dict[str, dict[str, str]]

    def everything(self, role: str) -> dict[str, str]:
        """Every read the role may make of the escalation, by path: the state now and as it was,
        the event stream, every document in every format, the lists and the reports."""
        base = f"/escalations/{self.escalation}"
        paths = [
            base,
            f"{base}?version=1",
            f"{base}?as_of={AS_OF}",
            f"{base}/events",
            f"{base}/timeline",
            "/escalations",
            "/queue",
            "/reports/sla",
            "/reports/metrics",
            "/reports/trends",
        ]
        documents = [f"{base}/updates/{audience}" for audience in AUDIENCES] + [
            f"{base}/postmortem"
        ]
        paths += [f"{path}?format={fmt}" for path in documents for fmt in FORMATS]
        paths += [f"{path}?format={fmt}&as_of={AS_OF}" for path in documents for fmt in FORMATS]  # fmt: skip
        read = {}
        for path in paths:
            response = self.client.get(path, headers=self.headers[role])
            assert response.status_code in (200, 403), f"{role} {path}: {response.text}"
            if response.status_code == 200:
                read[path] = response.text
        return read


@pytest.fixture
def case(database_url: str) -> Iterator[Case]:
    container = build(Settings(database_url=database_url), clock=lambda: NOW)
    escalation = bbb_complaint(container.app)
    story = History(container.app, escalation, T0)
    story.at(at(24 * 60), "record_postmortem", actor="lee", **OUTAGE_POSTMORTEM)
    # Published, so that every role reads it (only managers and admins read a draft).
    story.at(at(24 * 60 + 1), "publish_postmortem", actor="lee")
    subject = container.app.get(escalation).customer["subject_id"]
    headers = {
        role: bearer(issue_key(container, role, name=f"{role}.key"))
        for role in ("stakeholder", "analyst", "manager", "admin")
    }
    with TestClient(create_app(container)) as client:
        yield Case(client, database_url, escalation, subject, headers)
    container.close()


def leaks(read: dict[str, str]) -> list[str]:
    return [
        f"{field} in {path}"
        for path, text in read.items()
        for field, value in CONTACT.items()
        if value in text
    ]


@pytest.mark.parametrize("role", ["stakeholder", "analyst"])
def test_a_reporting_role_meets_no_contact_detail_anywhere_it_may_read(
    case: Case, role: str
) -> None:
    read = case.everything(role)
    # A stakeholder: the six documents in three formats, and the three reports; an analyst also
    # the documents as of a moment, the state three ways, the events, the timeline and the lists.
    assert len(read) == {"stakeholder": 21, "analyst": 46}[role], sorted(read)
    assert leaks(read) == []
    customer_letter = read[f"/escalations/{case.escalation}/updates/customer?format=md"]
    assert "Hello," in customer_letter and "Dear" not in customer_letter
    assert REDACTED not in customer_letter and ERASED not in customer_letter


def test_an_analyst_sees_the_subject_id_and_the_redaction_marker(case: Case) -> None:
    client, headers = case.client, case.headers["analyst"]
    redacted = {"subject_id": case.subject, **dict.fromkeys(CONTACT, REDACTED)}
    base = f"/escalations/{case.escalation}"
    for path in (base, f"{base}?version=1", f"{base}?as_of={AS_OF}"):
        assert client.get(path, headers=headers).json()["customer"] == redacted
    opened = client.get(f"{base}/events", headers=headers).json()["items"][0]
    assert opened["type"] == "Opened"
    assert opened["data"]["customer"] == redacted


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_manager_sees_the_contact_details(case: Case, role: str) -> None:
    read = case.everything(role)
    base = f"/escalations/{case.escalation}"
    for path in (base, f"{base}?version=1", f"{base}/events"):
        assert all(value in read[path] for value in CONTACT.values()), path
    assert REDACTED not in read[base]
    assert f"Dear {PERSON['name']}," in read[f"{base}/updates/customer?format=html"]


def test_a_managers_command_answer_shows_what_a_manager_may_see(case: Case) -> None:
    answer = case.client.post(
        f"/escalations/{case.escalation}/notes",
        json={"text": "called back"},
        headers=case.headers["manager"] | {"Prefer": "return=representation"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["escalation"]["customer"]["email"] == PERSON["email"]


def test_the_export_still_names_customers_by_subject_id_only(case: Case) -> None:
    exported = CliRunner().invoke(cli, ["events", "export", "--database-url", case.url])
    assert exported.exit_code == 0, exported.output
    assert case.subject in exported.stdout
    assert [value for value in CONTACT.values() if value in exported.stdout] == []
