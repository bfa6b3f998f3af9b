"""`GET /metrics`: the Prometheus text exposition of this API process.

Requests are counted by route template (never the raw path, so ids add no series), method and
status; commands by use case and outcome; the rest is read from the store at scrape time: open
escalations by severity, recorded SLA breaches on open escalations, each view's lag and, when
Kafka is on, the relay's."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http import access
from infra.bootstrap import Container
from infra.kafka.wiring import relay_status

UNMATCHED = "unmatched"
"""The route label of requests no route matched, so that scanning for paths adds no series."""


class RequestMetrics:
    """Pure ASGI middleware: times every HTTP request and labels it with its route template."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED
            self.histogram.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )


class StoreCollector(Collector):
    """What a scrape reads from the store and the views; each read is as cheap as the page or
    report that already serves it."""

    def __init__(self, container: Container, reads: Any) -> None:
        self.container = container
        self.reads = reads

    def collect(self) -> Iterable[Any]:
        commands = CounterMetricFamily(
            "escalations_commands",
            "Commands run by this process, by use case and outcome",
            labels=["command", "outcome"],
        )
        for (command, outcome), n in sorted(self.container.app.commands.counts().items()):
            commands.add_metric([command, outcome], n)
        yield commands

        open_cases = self.reads.views["cases"].open_cases()
        by_severity = Counter(doc["severity"] for doc in open_cases)
        severity = GaugeMetricFamily(
            "escalations_open", "Open escalations by severity", labels=["severity"]
        )
        for name in sorted(by_severity):
            severity.add_metric([name], by_severity[name])
        yield severity

        by_target = Counter(
            target.split(":", 1)[0] for doc in open_cases for target in doc["breaches"]
        )
        breaches = GaugeMetricFamily(
            "escalations_open_sla_breaches",
            "SLA breaches recorded on open escalations, by kind of target",
            labels=["target"],
        )
        for name in sorted(by_target):
            breaches.add_metric([name], by_target[name])
        yield breaches

        lag = GaugeMetricFamily(
            "escalations_view_lag_events",
            "Notifications stored but not yet processed by the view",
            labels=["view"],
        )
        for row in self.reads.views.status():
            lag.add_metric([row["view"]], row["lag"])
        yield lag

        kafka = self.container.settings.kafka
        if kafka.enabled:
            status = relay_status(self.container.app, kafka)
            yield GaugeMetricFamily(
                "escalations_relay_lag_events",
                "Notifications stored but not yet acknowledged by the broker",
                value=status.pending_notifications,
            )
            yield GaugeMetricFamily(
                "escalations_relay_lag_seconds",
                "Age of the oldest escalation event not yet acknowledged by the broker",
                value=status.lag_seconds,
            )


def install(app: FastAPI, container: Container, reads: Any) -> None:
    registry = CollectorRegistry(auto_describe=False)
    histogram = Histogram(
        "escalations_http_request_duration_seconds",
        "HTTP requests by method, route template and status, and how long they took",
        ["method", "route", "status"],
        registry=registry,
    )
    registry.register(StoreCollector(container, reads))
    app.add_middleware(RequestMetrics, histogram=histogram)

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics of this process",
        dependencies=[access.PUBLIC],
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
    )
    async def metrics() -> Response:
        body = await run_in_threadpool(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)
