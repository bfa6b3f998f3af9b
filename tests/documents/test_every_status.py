"""Every audience's update reads right at every status, in Markdown, HTML and JSON, on both stores.

Each escalation is walked through every status and every document is read `?as_of=` a moment in
each: the tense and the next step must fit the status (nothing promised or "looked into" once it
is over; a resolved letter says it is fixed; a dismissed one says it is closed), a letter greets
exactly once, and no component reads as broken once the escalation is resolved.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings
from tests.backends import OnPostgreSQL, OnSQLite
from tests.documents.lifecycle import STALE_PROMISE, Walk, dismissed, walk_through_every_status
from tests.documents.scenarios import NOW
from tests.support import bearer, issue_key

FORMATS = ("md", "html", "json")
AUDIENCES = ("customer", "executive", "tactical", "sales_cs", "regulator")
OPEN = ("triage", "investigating", "identified", "monitoring", "reopened")
ENDED = ("resolved", "closed", "dismissed")

# Words that contradict an escalation that is over, in any audience's update.
OVER_AND_DONE = (
    "looking into",
    "2 business days",
    "will write to you again",
    "We will update them",
    "working on a fix",
    "investigating the cause",
    "major outage",
    "degraded performance",
    "Promised updates",
    "Promising a time for the fix",
)
# Words only an ended escalation may say.
ONLY_WHEN_ENDED = (
    "fixed the problem on",
    "our last update",
    "Resolved at",
    "We resolved the case on",
)

CHECKLIST = "To complete before sending"
WRITTEN_WHILE = "written while the status was "

# What must be said, per audience and status (a phrase each; every format).
EXPECTED: dict[str, dict[str, tuple[str, ...]]] = {
    "customer": {
        "triage": ("reviewing it now", "We will write to you again"),
        "investigating": ("investigating the cause", STALE_PROMISE, "We will write to you again"),
        "identified": ("found the cause", "We will write to you again"),
        "monitoring": ("put a fix in place", "We will write to you again"),
        "resolved": ("We fixed the problem on", "our last update"),
        "reopened": ("We reopened the case on", "not fully fixed", "We will write to you again"),
        "closed": ("We fixed the problem on", "closed the case", "our last update"),
        "dismissed": ("closed the case", "our last message"),
    },
    "executive": {
        **{status: ("Open for",) for status in OPEN},
        "investigating": ("Open for", "Next update to executives due by"),
        "reopened": ("Open for", "reopened"),
        "resolved": (
            "Resolved",
            "No further update to executives is due",
            "Time to resolve",
            f"{WRITTEN_WHILE}Investigating",
        ),
        "closed": ("Closed", "No further update to executives is due", "Time to resolve"),
        "dismissed": ("Dismissed as not actionable", "Time to dismissal"),
    },
    "tactical": {
        **{status: ("Open for",) for status in OPEN},
        "investigating": ("Open for", "Next update to the team due by"),
        "resolved": ("Resolved", "post-mortem", f"{WRITTEN_WHILE}Investigating"),
        "closed": ("Closed", "Nothing outstanding"),
        "dismissed": ("Dismissed as not actionable", "Nothing outstanding"),
    },
    "sales_cs": {
        **{status: ("We will update them",) for status in OPEN},
        "investigating": ("investigating the cause", "Guessing at the cause"),
        "resolved": ("We fixed the problem on", "Resolved at"),
        "closed": ("We fixed the problem on", "closed the case"),
        "dismissed": ("closed the case",),
    },
    "regulator": {
        **{status: ("still open", CHECKLIST) for status in OPEN},
        "resolved": ("We resolved the case on", CHECKLIST),
        "closed": ("We resolved the case on", "We closed the case"),
    },
}

GREETING = re.compile(r"^\s*(dear|hello|hi|hey)\b", re.IGNORECASE | re.MULTILINE)


def visible_text(body: str, fmt: str) -> str:
    """What a reader sees, one paragraph or item a line: tags dropped, entities decoded; JSON
    flattened to its strings."""
    if fmt == "json":
        return "\n".join(_strings(json.loads(body)))
    if fmt == "html":
        body = re.sub(r"<(style|title)>.*?</\1>", "", body, flags=re.DOTALL)
        body = re.sub(r"<[^>]+>", "\n", body)
        return html.unescape(body)
    return body.replace("\\", "")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def problems_of(audience: str, status: str, fmt: str, body: str, scope: str) -> list[str]:
    text = visible_text(body, fmt)
    wanted = list(EXPECTED[audience][status])
    if fmt == "json" and CHECKLIST in wanted:  # in JSON the checklist is a list of its own
        wanted.remove(CHECKLIST)
        if not json.loads(body).get("checklist"):
            wanted.append("a checklist")
    if fmt == "json":  # the status a message was written in is a field of its own
        document = json.loads(body)
        for want in [w for w in wanted if w.startswith(WRITTEN_WHILE)]:
            wanted.remove(want)
            if (document["latest_message"] or {}).get("written_while") != want.removeprefix(
                WRITTEN_WHILE
            ):
                wanted.append(want)
    found = [f"says {want!r}: missing" for want in wanted if want not in text]
    if status in ENDED:
        found += [f"says {stale!r} once {status}" for stale in OVER_AND_DONE if stale in text]
    else:
        found += [f"says {early!r} while open" for early in ONLY_WHEN_ENDED if early in text]
    if audience == "customer":
        greetings = GREETING.findall(text if fmt != "json" else _letter_json_text(body))
        if len(greetings) != 1:
            found.append(f"greets {len(greetings)} times")
    if fmt == "json":
        document = json.loads(body)
        if status in ENDED and document.get("next_update_due") is not None:
            found.append(f"next_update_due {document['next_update_due']} once {status}")
    if audience == "regulator" and re.search(r"\[[A-Z][^\]]*\]", text):
        found.append("prints a [placeholder]")
    del scope
    return found


def _letter_json_text(body: str) -> str:
    """The letter's lines in JSON: the greeting and the paragraphs, each on a line."""
    letter = json.loads(body)
    quoted = (letter.get("latest_message") or {}).get("paragraphs", [])
    return "\n".join([letter["greeting"], *letter["what_happened"], *quoted])


class EveryStatusBehaviour:
    @pytest.fixture
    def store(self, url: str) -> Iterator[tuple[TestClient, list[Walk]]]:
        container = build(Settings(database_url=url), clock=lambda: NOW)
        app = container.app
        walks = [
            walk_through_every_status(app, "customer"),
            walk_through_every_status(app, "global"),
            dismissed(app, "customer"),
            dismissed(app, "global"),
        ]
        # A manager sees the customer's name, so the letter greets by name: the hardest case.
        client = TestClient(create_app(container), headers=bearer(issue_key(container, "manager")))
        yield client, walks
        container.close()

    def test_every_update_reads_right_at_every_status(
        self, store: tuple[TestClient, list[Walk]]
    ) -> None:
        client, walks = store
        failures: list[str] = []
        read = 0
        for walk in walks:
            for status, moment in walk.moments.items():
                for audience in AUDIENCES:
                    if audience == "regulator" and status not in EXPECTED["regulator"]:
                        continue
                    if audience == "regulator" and walk.scope == "global":
                        continue  # no regulator is involved; see the test below
                    for fmt in FORMATS:
                        response = client.get(
                            f"/escalations/{walk.escalation_id}/updates/{audience}",
                            params={"format": fmt, "as_of": moment.isoformat()},
                        )
                        assert response.status_code == 200, response.text
                        read += 1
                        failures += [
                            f"{walk.scope} {audience} at {status} ({fmt}) {problem}"
                            for problem in problems_of(
                                audience, status, fmt, response.text, walk.scope
                            )
                        ]
        assert failures == [], "\n".join(failures)
        assert read == len(FORMATS) * (7 * 5 + 7 * 4 + 4 + 4)  # statuses x audiences, per walk

    def test_no_regulator_response_where_no_regulator_is_involved(
        self, store: tuple[TestClient, list[Walk]]
    ) -> None:
        client, walks = store
        outage = next(w for w in walks if w.scope == "global" and "resolved" in w.moments)
        for fmt in FORMATS:
            response = client.get(
                f"/escalations/{outage.escalation_id}/updates/regulator", params={"format": fmt}
            )
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["type"] == "/problems/no-regulator"
            assert problem["detail"].startswith(
                f"no regulator is involved in escalation {outage.escalation_id}: it is a tools "
                "outage with no communication to the regulator audience"
            )


class TestEveryStatusOnSQLite(OnSQLite, EveryStatusBehaviour):
    pass


class TestEveryStatusOnPostgreSQL(OnPostgreSQL, EveryStatusBehaviour):
    pass
