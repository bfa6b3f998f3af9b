"""Who reads which revision of the post-mortem, through HTTP with real keys of each role.

Stakeholders (and analysts) read only the published revision; the roles that record post-mortems
(managers, admins) also read the draft. Every answer says which revision it is, and `?as_of`
respects the moment of publication.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from domain.escalation import Escalation
from infra.bootstrap import Container, build
from infra.settings import Settings
from tests.backends import OnPostgreSQL, OnSQLite
from tests.documents.scenarios import NOW, OUTAGE_POSTMORTEM, T0, at, global_outage
from tests.support import bearer, issue_key

ROLES = ("stakeholder", "analyst", "manager", "admin")
DRAFT_READERS = ("manager", "admin")


def words(revision: int) -> dict[str, Any]:
    return OUTAGE_POSTMORTEM | {"summary": f"SUMMARY-OF-REVISION-{revision}"}


@dataclass
class Review:
    container: Container
    client: TestClient
    escalation: UUID
    keys: dict[str, dict[str, str]]

    def get(self, role: str, **params: str) -> Any:
        return self.client.get(
            f"/escalations/{self.escalation}/postmortem", params=params, headers=self.keys[role]
        )

    def record(self, minute: float, revision: int) -> None:
        self.container.app.run(
            "record_postmortem", self.escalation, at=at(minute), actor="dana", **words(revision)
        )

    def publish(self, minute: float) -> None:
        self.container.app.run("publish_postmortem", self.escalation, at=at(minute), actor="dana")

    def record_after_publication(self, moment: datetime, revision: int) -> None:
        """Store a revision recorded after the publication. Today's rules refuse to record one
        (so this goes past the command's checks, straight to the store), but the documents must
        not depend on that: a stream may hold one, and stakeholders must still read what was
        published."""
        app = self.container.app
        escalation = app.repository.get(self.escalation)
        escalation.trigger_event(
            Escalation.PostMortemRecorded, actor="dana", timestamp=moment, **words(revision)
        )
        app.save(escalation)


class PostmortemVisibilityBehaviour:
    @pytest.fixture
    def review(self, url: str) -> Iterator[Review]:
        container = build(Settings(database_url=url), clock=lambda: NOW)
        escalation = global_outage(container.app, through_postmortem=False)
        keys = {role: bearer(issue_key(container, role, name=f"key-{role}")) for role in ROLES}
        yield Review(container, TestClient(create_app(container)), escalation, keys)
        container.close()

    def test_before_publication_only_the_roles_that_record_it_read_the_draft(
        self, review: Review
    ) -> None:
        review.record(200, 1)
        review.record(300, 2)
        for role in ("stakeholder", "analyst"):
            response = review.get(role)
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"] == "/problems/postmortem-not-published"
            assert "the post-mortem" in response.json()["detail"]
            assert "is not published yet" in response.json()["detail"]
            assert "SUMMARY-OF-REVISION" not in response.text
            refused = review.get(role, revision="draft")
            assert refused.status_code == 403
            assert refused.json()["type"] == "/problems/forbidden"
            assert "manager, admin" in refused.json()["detail"]
        for role in DRAFT_READERS:
            markdown = review.get(role).text
            assert "DRAFT, revision 2, recorded 2026-11-02 14:00 UTC by dana" in markdown
            assert "SUMMARY-OF-REVISION-2" in markdown
            body = review.get(role, format="json").json()
            assert (body["revision"], body["published"], body["published_at"]) == (2, False, None)
            assert "DRAFT" in review.get(role, format="html").text
            asked = review.get(role, revision="published")
            assert asked.status_code == 404
            assert asked.json()["type"] == "/problems/postmortem-not-published"

    def test_after_publication_everyone_reads_the_published_revision(self, review: Review) -> None:
        review.record(200, 1)
        review.record(300, 2)
        review.publish(400)
        review.record_after_publication(at(500), 3)
        for role in ROLES:
            for fmt in ("md", "html"):
                text = review.get(role, format=fmt).text
                assert "Published revision 2, published 2026-11-02 15:40 UTC" in text
                assert "SUMMARY-OF-REVISION-2" in text and "SUMMARY-OF-REVISION-3" not in text
            body = review.get(role, format="json").json()
            assert (body["revision"], body["published"]) == (2, True)
            assert body["published_at"] == "2026-11-02T15:40:00Z"
        for role in DRAFT_READERS:
            draft = review.get(role, revision="draft").text
            assert "DRAFT, revision 3" in draft and "SUMMARY-OF-REVISION-3" in draft

    def test_as_of_respects_the_moment_of_publication(self, review: Review) -> None:
        review.record(200, 1)
        review.record(300, 2)
        review.publish(400)
        before = (T0 + timedelta(minutes=350)).isoformat()
        after = (T0 + timedelta(minutes=450)).isoformat()
        # The analyst may replay history (a stakeholder may not ask for ?as_of at all).
        assert review.get("analyst", as_of=before).status_code == 404
        assert "Published revision 2" in review.get("analyst", as_of=after).text
        assert review.get("stakeholder", as_of=after).status_code == 403
        between = (T0 + timedelta(minutes=250)).isoformat()
        then = review.get("manager", as_of=between, format="json").json()
        assert (then["revision"], then["published"]) == (1, False)
        assert then["state"].startswith("DRAFT, revision 1")


class TestPostmortemVisibilityOnSQLite(OnSQLite, PostmortemVisibilityBehaviour):
    pass


class TestPostmortemVisibilityOnPostgreSQL(OnPostgreSQL, PostmortemVisibilityBehaviour):
    pass
