"""A property-based fuzz of the whole OpenAPI with schemathesis, shared by the CI test (few
examples, fixed seed) and bench/fuzz_openapi.py (the full size, figures in docs/reliability.md).

Every operation is called with generated valid (positive) and invalid (negative) requests, as an
admin, against the ASGI app on a real SQLite store. Path ids point at real escalations two times
in three, so commands reach the domain instead of stopping at 404. A finding is any 5xx, or any
answer that breaks the API's own OpenAPI: undocumented status or content type, body or headers
not matching their schema.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings
from infra.views.lifecycle import start_projections

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


@dataclass
class FuzzReport:
    calls: int = 0
    operations: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)


def _seed_store(directory: Path) -> tuple[Any, str, list[UUID]]:
    container = build(Settings(database_url=f"sqlite:///{directory}/fuzz.db"))
    app = container.app
    secret = container.keys.create(name="fuzzer", role="admin", actor="fuzz").secret
    outage = app.open(
        actor="fuzz", title="Sync down", scope="global", source="tools_outage", severity="SEV1"
    ).escalation_id

    def prepare(escalation: Any, *, at: Any) -> None:
        escalation.define_exit_criteria(actor="fuzz", at=at, criteria=["Errors below 0.5%"])

    app.execute(outage, prepare)
    case = app.open(
        actor="fuzz", title="Acme cannot sync", scope="customer", source="email", severity="SEV3"
    ).escalation_id
    return container, secret, [outage, case]


def run_fuzz(
    directory: Path, *, max_examples: int, derandomize: bool, log: Callable[[str], None] = print
) -> FuzzReport:
    # The live status stream answers for 25 s by default; a fuzzed call needs only its start.
    os.environ.setdefault("ESCALATIONS_STATUS_STREAM_SECONDS", "0.05")
    container, secret, ids = _seed_store(directory)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(container))
    report = FuzzReport()
    started = time.perf_counter()
    views = start_projections(container)  # as in `serve`, so that ?wait_for is answered
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            report.operations += 1
            started_operation = time.perf_counter()
            for mode in MODES:
                finding = _fuzz_operation(
                    operation, mode, secret, ids, max_examples, derandomize, report
                )
                if finding:
                    report.findings.append(finding)
                    log(finding)
            report.slowest.append((time.perf_counter() - started_operation, operation.label))
    finally:
        views.stop()
        container.close()
    report.seconds = time.perf_counter() - started
    return report


def _fuzz_operation(
    operation: Any,
    mode: schemathesis.GenerationMode,
    secret: str,
    ids: list[UUID],
    max_examples: int,
    derandomize: bool,
    report: FuzzReport,
) -> str | None:
    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=derandomize,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        parameters = case.path_parameters or {}
        generated = parameters.get("escalation_id")
        if isinstance(generated, str) and len(generated) == 36:
            digits = [int(c, 16) for c in generated[-2:] if c in "0123456789abcdef"]
            if len(digits) == 2 and digits[1] % 3:  # a real escalation two times in three
                parameters["escalation_id"] = str(ids[digits[0] % len(ids)])
        headers = {"Authorization": f"Bearer {secret}"}
        response = case.call(headers=headers)
        report.calls += 1
        report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS)

    try:
        check()
    except Unsatisfiable:
        return None  # nothing to negate (no parameters, or only ones that accept anything)
    except (Exception, BaseExceptionGroup) as error:  # schemathesis reports a group of failures
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        return f"{operation.method.upper()} {operation.path} ({mode.value}): " + " / ".join(
            lines[:8]
        )
    return None
