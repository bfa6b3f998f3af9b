"""The standards' own checkers, installed by scripts/ensure-standards-tools.sh (`make test` runs
it first): required in CI, a skip elsewhere until it has been run."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.support import ROOT

TOOLS = ROOT / ".venv" / "standards"
VNU = TOOLS / "vnu.jar"
AXE = TOOLS / "axe.min.js"
STATUS_WIDGET = TOOLS / "status-widget.js"
"""Atlassian's `@statuspage/status-widget`, as published (its `dist/index.js`)."""


def require(tool: Path) -> Path:
    if tool.exists() and (tool != VNU or shutil.which("java")):
        return tool
    message = f"{tool.name} is missing: run scripts/ensure-standards-tools.sh"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def nu_html_errors(pages: dict[str, str]) -> list[str]:
    """The Nu Html Checker's errors on every page (one run of the checker), each named by the
    page's path."""
    vnu = require(VNU)
    with tempfile.TemporaryDirectory() as folder:
        files = {f"page{n:03d}.html": path for n, path in enumerate(pages)}
        for name, path in files.items():
            (Path(folder) / name).write_text(pages[path], encoding="utf-8")
        run = subprocess.run(
            ["java", "-jar", str(vnu), "--format", "json", "--stdout", *sorted(files)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    messages = json.loads(run.stdout)["messages"]
    return [
        f"{files.get(Path(m.get('url', '')).name, m.get('url'))}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]


AXE_RUN = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""


def axe_violations(base: str, paths: list[str], headers: dict[str, str]) -> dict[str, list[dict]]:
    """axe-core's serious and critical violations on each page, opened in Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    from tests.projections.test_status_in_browser import ARGS, CHROMIUM

    axe = require(AXE)
    if not CHROMIUM.exists():
        message = "Chromium is missing: run scripts/ensure-chromium.sh"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    found: dict[str, list[dict]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(extra_http_headers=headers)
            for path in paths:
                page = context.new_page()
                response = page.goto(f"{base}{path}", wait_until="load")
                assert response is not None and response.status == 200, path
                page.add_script_tag(path=str(axe))
                violations = page.evaluate(AXE_RUN)
                found[path] = [v for v in violations if v["impact"] in ("serious", "critical")]
                page.close()  # ends the status page's event stream
        finally:
            browser.close()
    return found
