"""`GET /metrics` from a running server, read with Prometheus' own parser."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings
from infra.settings.kafka import KafkaSettings
from tests.support import bearer, issue_key, running_server


def _families(http: httpx.Client | TestClient) -> dict[str, list]:
    response = http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {f.name: f.samples for f in text_string_to_metric_families(response.text)}


def _value(samples, name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and labels.items() <= s.labels.items()]
    assert len(found) == 1, (name, labels, samples)
    return found[0]


def test_metrics_parse_and_carry_requests_commands_escalations_breaches_and_lag(database_url):
    secret = issue_key(database_url, "manager", name="maria.chen")
    with running_server(database_url) as base, httpx.Client(base_url=base) as http:
        headers = bearer(secret)

        def open_one(severity: str) -> httpx.Response:
            body = {"title": "Sync down", "scope": "global", "source": "tools_outage"}
            response = http.post(
                "/escalations", headers=headers, json=body | {"severity": severity}
            )
            assert response.status_code == 201, response.text
            return response

        eid = open_one("SEV1").json()["id"]
        resolve = {"summary": "Fixed by the rollback"}
        assert (
            http.post(f"/escalations/{eid}/resolve", headers=headers, json=resolve).status_code
            == 200
        )
        refused = http.post(f"/escalations/{eid}/resolve", headers=headers, json=resolve)
        assert refused.status_code == 409, refused.text
        opened = open_one("SEV2")
        assert http.get(f"/escalations/{eid}", headers=headers).status_code == 200
        assert http.get("/no/such/page").status_code == 404
        position = opened.headers["Escalations-Position"]
        assert http.get(f"/queue?wait_for={position}", headers=headers).status_code == 200

        families = _families(http)  # public: no key

        requests = families["escalations_http_request_duration_seconds"]
        count = "escalations_http_request_duration_seconds_count"
        assert _value(requests, count, method="POST", route="/escalations", status="201") == 2
        # the template, never the id: one series however many escalations are read
        assert (
            _value(
                requests, count, method="GET", route="/escalations/{escalation_id}", status="200"
            )
            == 1
        )
        assert _value(requests, count, method="GET", route="unmatched", status="404") == 1
        assert not any(eid in str(s.labels) for s in requests)
        assert any(s.name.endswith("_bucket") for s in requests)

        commands = families["escalations_commands"]
        total = "escalations_commands_total"
        assert _value(commands, total, command="open", outcome="applied") == 2
        assert _value(commands, total, command="resolve", outcome="applied") == 1
        assert _value(commands, total, command="resolve", outcome="refused") == 1

        # the resolved SEV1 is no longer open
        severities = {s.labels["severity"]: s.value for s in families["escalations_open"]}
        assert severities == {"SEV2": 1}
        assert "escalations_open_sla_breaches" in families
        lags = {s.labels["view"]: s.value for s in families["escalations_view_lag_events"]}
        assert set(lags) == {"search", "status", "cases"}
        assert lags["cases"] == 0
        # without Kafka there is no relay, so no relay lag
        assert "escalations_relay_lag_events" not in families


def test_with_kafka_on_the_relay_lag_is_exported_from_the_store(database_url, clock):
    kafka = KafkaSettings(bootstrap_servers="127.0.0.1:9")  # the relay is not running
    container = build(Settings(database_url=database_url, kafka=kafka), clock=clock)
    try:
        with TestClient(create_app(container)) as http:
            http.headers.update(bearer(issue_key(container, "manager")))
            body = {"title": "Sync down", "scope": "global", "source": "tools_outage"}
            assert http.post("/escalations", json=body | {"severity": "SEV2"}).status_code == 201
            families = _families(http)
        head = container.app.recorder.max_notification_id()
    finally:
        container.close()
    assert _value(families["escalations_relay_lag_events"], "escalations_relay_lag_events") == head
    assert _value(families["escalations_relay_lag_seconds"], "escalations_relay_lag_seconds") >= 0
