"""The OpenAPI fuzz at full size: every operation, valid and invalid requests, fresh randomness.

    .venv/bin/python -m bench.fuzz_openapi [--examples 200]

Prints the number of operations and calls, the status codes seen, and every finding (a 5xx, or
an answer that breaks the API's own schema). Exits non-zero when there is a finding.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.proofs.fuzz import run_fuzz


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="per operation and mode")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = run_fuzz(Path(tmp), max_examples=args.examples, derandomize=False)
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(report.statuses.items()))
    print(f"operations {report.operations}, calls {report.calls}, {report.seconds:.0f} s")
    print(f"statuses  {statuses}")
    print(f"findings  {len(report.findings)}")
    sys.exit(1 if report.findings else 0)


if __name__ == "__main__":
    main()
