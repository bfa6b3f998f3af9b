"""Markup and template syntax typed into every free-text field of every command come out escaped
in every HTML (and XML) document the app serves, and never evaluated.

Both sides are discovered rather than listed: the request bodies are filled from the OpenAPI
schemas (every string field that is not an enum, date or id gets a hostile value naming its
field), the scenario must reach every command route, and the documents are every route whose
OpenAPI answer offers text/html or XML, for every escalation of the scenario and every audience.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings
from infra.views.lifecycle import start_projections
from projections.documents.views import AUDIENCES
from tests.conftest import ManualClock
from tests.support import bearer, issue_key

EVALUATED = "tmplinjected"  # appears only if {{'tmpl'~'injected'}} were evaluated
MARKUP_MEDIA = ("text/html", "application/xhtml+xml", "application/atom+xml", "application/xml")


def hostile(field: str, limit: int | None = None, *, in_path: bool = False) -> str:
    if field.endswith("email"):  # still an address, so that it is accepted and stored
        return f"\"'><script>alert('{field}')</script>@evil.example"
    if in_path:  # no slash: it travels in a URL path segment
        text = f"<svg onload=alert('{field}')>{{{{'tmpl'~'injected'}}}}"
    else:
        text = (
            f"\"'><script>alert('{field}')</script><img/src=x/onerror=alert(1)>"
            f"{{{{'tmpl'~'injected'}}}}{{% raw %}}${{7*7}}"
        )
    return text[:limit] if limit else text


class Filler:
    """Builds a request body from an OpenAPI schema, hostile in every free-text field."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.components = schema["components"]["schemas"]
        self.filled: set[str] = set()

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self.components[node["$ref"].rsplit("/", 1)[-1]]
        for alternative in node.get("anyOf", []):
            if alternative.get("type") != "null":
                return self.resolve(alternative)
        return node

    def fill(self, node: dict[str, Any], field: str) -> Any:
        node = self.resolve(node)
        kind = node.get("type")
        if "enum" in node:
            return node["enum"][0]
        if kind == "object":
            values = {}
            for name, child in node.get("properties", {}).items():
                value = self.fill(child, f"{field}.{name}" if field else name)
                if value is not None:
                    values[name] = value
            return values
        if kind == "array":
            item = self.fill(node.get("items", {}), field + "[]")
            return [item] if item is not None else []
        if kind in ("integer", "number"):
            return node.get("minimum", 1)
        if kind == "boolean":
            return False
        if kind == "string" and not node.get("format") and not node.get("pattern"):
            self.filled.add(field)
            return hostile(field, node.get("maxLength"))
        return None  # dates, ids and patterned codes are not free text: the scenario sets them


@pytest.fixture(scope="module")
def hostile_store(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, list[str]]]:
    path = tmp_path_factory.mktemp("injection") / "store.db"
    clock = ManualClock()
    # one page event on the live stream, then it ends
    settings = Settings(database_url=f"sqlite:///{path}", status_stream_seconds=0.3)
    container = build(settings, clock=clock)
    client = TestClient(create_app(container), headers=bearer(issue_key(container)))
    schema = client.get("/openapi.json").json()
    filler = Filler(schema)
    reached: set[str] = set()

    def body_for(route: str) -> dict[str, Any]:
        operation = schema["paths"][route]["post"]
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        return filler.fill(content["schema"], "") if content else {}

    def post(escalation: str | None, suffix: str, overrides: dict[str, Any] | None = None) -> Any:
        route = "/escalations" + (f"/{{escalation_id}}/{suffix}" if escalation else "")
        url = route.replace("{escalation_id}", escalation or "")
        for name, value in (overrides or {}).pop("_path", {}).items():
            url = url.replace("{" + name + "}", value)
        merged = body_for(route) | (overrides or {})
        body = {name: value for name, value in merged.items() if value is not None}
        response = client.post(url, json=body)
        assert response.is_success, f"{route}: {response.status_code} {response.text}"
        reached.add(route)
        clock.advance(minutes=5)
        return response.json()

    not_private = {"privacy_regime": None, "privacy_request_type": None}
    outage = post(
        None, "", {"scope": "global", "source": "tools_outage", "severity": "SEV1"} | not_private
    )["id"]
    case = post(
        None, "", {"scope": "customer", "source": "email", "severity": "SEV3"} | not_private
    )["id"]
    spam = post(
        None, "", {"scope": "customer", "source": "social", "severity": "SEV4"} | not_private
    )["id"]
    privacy = post(
        None,
        "",
        {"scope": "customer", "source": "privacy_request", "privacy_regime": "gdpr"}
        | {"severity": "SEV3", "privacy_request_type": "erasure"},
    )["id"]
    member = hostile("participant", in_path=True)
    steps: list[tuple[str, dict[str, Any]]] = [
        ("acknowledge", {}),
        ("severity", {"severity": "SEV2"}),
        ("status", {"status": "investigating"}),
        ("impact", {"components": {hostile("impact.components", 90): "major_outage"}}),
        ("maintenances", {"components": [hostile("impact.components", 90)],
                          "starts_at": (clock.now + timedelta(days=1)).isoformat(),
                          "ends_at": (clock.now + timedelta(days=1, hours=2)).isoformat()}),
        ("maintenances/{maintenance_id}/start", {"_path": {"maintenance_id": "m1"}}),
        ("maintenances/{maintenance_id}/complete", {"_path": {"maintenance_id": "m1"}}),
        ("owner", {}),
        ("participants", {"name": member, "role": "liaison"}),
        ("participants/{name}/leave", {"_path": {"name": member}}),
        ("notes", {}),
        ("exit-criteria", {}),
        ("exit-criteria/{criterion_id}/met", {"_path": {"criterion_id": "ec1"}}),
        ("deescalation", {}),
        ("action-items", {"kind": "mitigate"}),
        ("action-items/{action_id}/complete", {"_path": {"action_id": "a1"}}),
        ("links", {"case_id": case}),
        *[("communications", {"audience": audience}) for audience in
          ("public", "customer", "executive", "sales_cs", "internal", "regulator")],
        ("resolve", {"override_reason": None}),
        ("links/resolve", {}),
        ("share-links", {"audience": "executive", "expires_in_hours": 2}),
        ("feedback", {"csat": 2, "nps": 3}),
        ("postmortem", {}),
        ("postmortem/publish", {}),
        ("reopen", {}),
        ("resolve", {"override_reason": None}),
        ("close", {}),
    ]  # fmt: skip
    for suffix, overrides in steps:
        post(outage, suffix, overrides)
    post(spam, "dismiss", {"reason": "spam"})
    post(
        privacy,
        "deadline-extension",
        {"new_deadline": (clock.now + timedelta(days=50)).isoformat()},
    )

    commands = {
        path for path, operations in schema["paths"].items()
        if path.startswith("/escalations") and "post" in operations
    }  # fmt: skip
    assert commands - reached == set(), "the scenario must reach every command route"
    assert len(filler.filled) > 40
    views = start_projections(container)  # the status page and reports read the views
    assert views.wait_for(container.app.recorder.max_notification_id() or 0, timeout=30)
    yield client, [outage, case, spam, privacy]
    views.stop()
    container.close()


def markup_documents(client: TestClient) -> list[tuple[str, dict[str, str]]]:
    """(path template, query) for every GET whose answer can be HTML or XML."""
    found = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        content = get.get("responses", {}).get("200", {}).get("content", {})
        if any(media in content for media in MARKUP_MEDIA):
            names = {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}
            found.append((path, {"format": "html"} if "format" in names else {}))
    return found


def test_every_html_document_escapes_what_was_typed_and_evaluates_nothing(hostile_store) -> None:
    client, escalations = hostile_store
    documents = markup_documents(client)
    assert any("/updates/" in path for path, _ in documents)
    assert any(path.endswith("/postmortem") for path, _ in documents)
    pages = 0
    escaped_fields: set[str] = set()
    for template, query in documents:
        audiences = AUDIENCES if "{audience}" in template else [None]
        per_escalation = "{escalation_id}" in template or "{incident_id}" in template
        for escalation in escalations if per_escalation else [None]:
            for audience in audiences:
                url = template.replace("{escalation_id}", str(escalation))
                url = url.replace("{incident_id}", str(escalation))
                url = url.replace("{audience}", str(audience))
                assert "{" not in url, f"give the test a value for the parameter in {template}"
                response = client.get(url, params=query)
                if response.status_code == 404:
                    continue  # e.g. no post-mortem on the dismissed case
                assert response.status_code == 200, (url, response.text)
                text = response.text
                pages += 1
                assert "<script>alert(" not in text, url
                assert "<img/src=x" not in text and "<svg onload" not in text, url
                assert EVALUATED not in text, f"{url} evaluated a template expression"
                escaped_fields.update(
                    part.split("&#39;)")[0] for part in text.split("alert(&#39;")[1:]
                )
    assert pages >= 10
    # The check means something only if the hostile text is shown: the main fields must be.
    for field in ("title", "body", "summary", "root_cause", "five_whys[]"):
        assert field in escaped_fields, (field, sorted(escaped_fields))
    assert "alert(&#39;" in client.get("/status").text, "the status page shows hostile text"
    public_postmortem = client.get(f"/status/incidents/{escalations[0]}/postmortem").text
    assert "alert(&#39;" in public_postmortem, "the public post-mortem shows hostile text"


def test_the_live_status_stream_sends_escaped_html(hostile_store) -> None:
    """The browser puts the stream's `html` into the page with innerHTML: it must be escaped."""
    client, _ = hostile_store
    events = [
        json.loads(line.removeprefix("data: "))
        for line in client.get("/status/stream").text.splitlines()
        if line.startswith("data: ")
    ]
    assert events
    for event in events:
        assert "alert(&#39;" in event["html"]
        assert "<script>" not in event["html"] and "<img/src=x" not in event["html"]
        assert EVALUATED not in event["html"]
