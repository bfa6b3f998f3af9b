"""The whole life of a SEV1 global escalation, against `escalations serve`, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from domain.escalation import EVENT_NAMES
from tests.support import running_server


def later(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def test_full_lifecycle_of_a_sev1_global_escalation_over_http(database_url):
    with running_server(database_url) as base, httpx.Client(base_url=base, timeout=10) as http:
        headers = {"X-Actor": "maria.chen"}

        def command(path: str, body: dict | None = None, expect: int = 200) -> dict:
            response = http.post(f"/escalations/{eid}/{path}", json=body, headers=headers)
            assert response.status_code == expect, response.text
            return response.json()

        opened = http.post(
            "/escalations",
            json={
                "title": "Desktop sync failing",
                "scope": "global",
                "source": "tools_outage",
                "severity": "SEV1",
                "components": ["Sync"],
            },
            headers=headers,
        )
        assert opened.status_code == 201, opened.text
        eid = opened.json()["id"]
        assert opened.headers["location"] == f"/escalations/{eid}"
        assert opened.headers["etag"] == '"1"'

        command("acknowledge")
        command(
            "impact",
            {
                "customers_affected": 48200,
                "accounts": ["Northwind"],
                "components": {"Sync": "major_outage"},
            },
        )
        command("owner", {"owner": "maria.chen", "team": "cx"})
        command("participants", {"name": "dev.patel", "role": "liaison", "team": "engineering"})
        criteria = command(
            "exit-criteria", {"criteria": ["Error rate below 0.5% for 2 h", "Backlog replayed"]}
        )
        ids = criteria["created"]["criterion_ids"]
        command("status", {"status": "investigating"})
        command(
            "communications",
            {
                "audience": "public",
                "channel": "status_page",
                "body": "Investigating sync failures.",
                "next_update_due": later(30),
            },
        )
        command(
            "communications",
            {
                "audience": "executive",
                "channel": "email",
                "body": "SEV1: 48k customers.",
                "next_update_due": later(30),
            },
        )
        command("status", {"status": "identified", "reason": "Bad release"})
        command("status", {"status": "monitoring"})
        refused = command("resolve", {"summary": "Rolled back"}, expect=409)
        assert refused["type"] == "/problems/rule-violated"
        for criterion in ids:
            command(f"exit-criteria/{criterion}/met", {"evidence": "dashboard"})
        command("resolve", {"summary": "Rolled back"})
        command(
            "postmortem",
            {
                "summary": "Bad release",
                "root_cause": "Serializer regression",
                "five_whys": ["a", "b"],
            },
        )
        command("postmortem/publish")
        command("feedback", {"csat": 4, "nps": 9})
        closed = command("close", {"reason": "Done"})
        assert closed["status"] == "closed"

        page = http.get(f"/escalations/{eid}/events", params={"limit": 1000}).json()
        names = [item["type"] for item in page["items"]]
        assert names == [
            "Opened", "Acknowledged", "ImpactAssessed", "OwnerAssigned", "ParticipantJoined",
            "ExitCriteriaDefined", "StatusChanged", "Communicated", "Communicated", "StatusChanged",
            "StatusChanged", "ExitCriterionMet", "ExitCriterionMet", "Resolved", "PostMortemRecorded",
            "PostMortemPublished", "FeedbackReceived", "Closed",
        ]  # fmt: skip
        assert set(names) <= set(EVENT_NAMES)
        assert [item["version"] for item in page["items"]] == list(range(1, len(names) + 1))
        assert all(item["actor"] == "maria.chen" for item in page["items"])

        current = http.get(f"/escalations/{eid}")
        assert current.headers["etag"] == f'"{len(names)}"'
        as_investigating = http.get(f"/escalations/{eid}", params={"version": 7}).json()
        assert as_investigating["status"] == "investigating"
        opened_at = page["items"][0]["timestamp"]
        assert http.get(f"/escalations/{eid}", params={"as_of": opened_at}).json()["version"] == 1

        after_close = http.post(f"/escalations/{eid}/notes", json={"text": "late"}, headers=headers)
        assert after_close.status_code == 409
        assert after_close.headers["content-type"] == "application/problem+json"
