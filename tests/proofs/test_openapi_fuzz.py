"""The whole OpenAPI, fuzzed with schemathesis in a reduced size (a fixed seed, so CI is stable;
bench/fuzz_openapi.py runs it at full size with fresh randomness)."""

from __future__ import annotations

from tests.proofs.fuzz import run_fuzz


def test_no_generated_request_gets_a_5xx_or_an_answer_that_breaks_the_schema(tmp_path) -> None:
    report = run_fuzz(tmp_path, max_examples=10, derandomize=True, log=lambda _: None)
    assert report.operations > 30
    assert report.calls > 500
    assert report.findings == []
    assert not any(status >= 500 for status in report.statuses)
