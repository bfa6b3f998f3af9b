"""The API reference: `/docs` and `/redoc` work offline, and "Try it out" sends sensible values."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings
from tests.support import bearer, issue_key


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    container = build(Settings(database_url=database_url))
    with TestClient(create_app(container)) as client:
        client.headers.update(bearer(issue_key(container, "manager")))
        yield client
    container.close()


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_reference_loads_only_assets_this_server_serves(client, page):
    response = client.get(page)
    assert response.status_code == 200
    parser = _References()
    parser.feed(response.text)
    assert len(parser.urls) >= 2, parser.urls  # the script and the icon, at least
    for url in parser.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 500, url
    assert "http://" not in response.text and "https://" not in response.text


def test_an_unknown_asset_is_a_problem(client):
    response = client.get("/docs/assets/../../app.py")
    assert response.status_code == 404
    response = client.get("/docs/assets/nothing.js")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_header_parameters_carry_no_value_that_try_it_out_would_send(client):
    schema = client.get("/openapi.json").json()
    headers = [
        (path, p["name"], p)
        for path, _, operation in _operations(schema)
        for p in operation.get("parameters", [])
        if p["in"] == "header"
    ]
    assert any(name == "Idempotency-Key" for _, name, _ in headers)
    for path, name, parameter in headers:
        assert "example" not in parameter and "examples" not in parameter, (path, name)
        assert "example" not in parameter["schema"] and "default" not in parameter["schema"]


def _strings(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield key, item
            else:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _examples(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("example", "examples"):
                yield item
            else:
                yield from _examples(item)
    elif isinstance(value, list):
        for item in value:
            yield from _examples(item)


def test_no_example_carries_a_moment_in_the_past(client):
    served_at = datetime.now(UTC)
    schema = client.get("/openapi.json").json()
    moments = []
    for example in _examples(schema):
        for key, text in _strings({"": example}):
            try:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                continue
            moments.append(key)
            assert moment.tzinfo is not None and moment > served_at, (key, text)
    assert "next_update_due" in moments  # the one promise the reference shows


SYNC_DOWN = {"title": "Sync down", "scope": "global", "source": "tools_outage", "severity": "SEV2"}
COMPONENTS = ["Sync", "Desktop app", "Sign-in", "Checkout"]


def _open_sync_down(client: Any, **more: Any) -> str:
    """Opens the global escalation the examples are tried against; returns its id."""
    opened = client.post("/escalations", json={**SYNC_DOWN, **more})
    assert opened.status_code == 201, opened.text
    return str(opened.json()["id"])


def test_the_communication_example_is_accepted_as_served(client):
    schema = client.get("/openapi.json").json()
    example = schema["components"]["schemas"]["CommunicationSend"]["examples"][0]
    escalation_id = _open_sync_down(client)
    response = client.post(f"/escalations/{escalation_id}/communications", json=example)
    assert response.status_code == 200, response.text


def test_each_error_status_shows_its_own_problem(client):
    schema = client.get("/openapi.json").json()
    seen = set()
    for path, method, operation in _operations(schema):
        for status, response in operation["responses"].items():
            content = response.get("content", {}).get("application/problem+json")
            if content is None:
                continue
            example = content.get("example")
            assert example is not None, (method, path, status)
            assert example["status"] == int(status), (method, path, status, example)
            slug = example["type"].removeprefix("/problems/")
            assert client.get(f"/problems/{slug}").json()["status"] == int(status)
            seen.add(status)
    assert {"401", "403", "404", "409", "412", "422"} <= seen


def _composed(node: dict[str, Any], components: dict[str, Any], now: datetime) -> Any:
    """The value Swagger UI's "Try it out" fills in for a schema: its example, else its default,
    else the first value it may take, else a placeholder of its type, property by property."""
    if "$ref" in node:
        return _composed(components[node["$ref"].rsplit("/", 1)[-1]], components, now)
    for key in ("example", "examples"):
        if key in node:
            return node[key][0] if key == "examples" and isinstance(node[key], list) else node[key]
    if "default" in node:
        return node["default"]
    if "enum" in node:
        return node["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            options = [o for o in node[key] if o.get("type") != "null"]
            return _composed(options[0], components, now)
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {
            name: _composed(sub, components, now)
            for name, sub in node.get("properties", {}).items()
        }
    if kind == "array":
        return [_composed(node.get("items", {}), components, now)]
    if kind == "string":
        return {
            "date-time": now.isoformat().replace("+00:00", "Z"),
            "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        }.get(node.get("format", ""), "string")
    return {"integer": 0, "number": 0, "boolean": True}.get(kind or "")


def _body_example(schema: dict[str, Any], operation: dict[str, Any]) -> Any:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    if "example" in content:
        return content["example"]
    if content.get("examples"):
        return next(iter(content["examples"].values())).get("value")
    return _composed(content.get("schema", {}), schema["components"]["schemas"], datetime.now(UTC))


def test_every_request_body_example_is_valid_as_served(client):
    """What "Try it out" sends for each command is accepted as well-formed: it may meet a rule of
    the escalation's state (409), never a refusal of its shape (422)."""
    schema = client.get("/openapi.json").json()
    tried, refused = [], []
    for path, item in schema["paths"].items():
        operation = item.get("post")
        if not operation:
            continue
        example = _body_example(schema, operation)
        if example is None:
            continue
        parameters = {p.split("}")[0] for p in path.split("{")[1:]}
        if parameters - {"escalation_id"}:
            continue  # needs something the example cannot name (an item of an escalation)
        escalation_id = _open_sync_down(client, components=COMPONENTS)
        url = path.replace("{escalation_id}", escalation_id)
        response = client.post(url, json=example)
        assert response.status_code < 500, (path, response.text)
        if response.status_code == 422:
            refused.append((path, example, response.json().get("errors", response.text)))
        tried.append(path)
    for path, example, errors in refused:
        print(path, example, errors)
    assert not refused, [path for path, _, _ in refused]
    assert len(tried) >= 20, tried
