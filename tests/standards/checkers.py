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
