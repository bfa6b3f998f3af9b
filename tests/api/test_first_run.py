"""A newcomer's first run: the demo's sample requests paste as printed and answer, a busy port is
one clear error before anything claims to listen, and the README says how to reach the CLI."""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli.main import cli
from api.http.app import create_app
from infra.bootstrap import build
from infra.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_the_demo_prints_its_sample_requests_whole_and_the_as_of_one_shows_the_past(
    sqlite_url: str,
) -> None:
    result = runner.invoke(
        cli, ["demo", "--no-serve"], env={"ESCALATIONS_DATABASE_URL": sqlite_url, "COLUMNS": "40"}
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    curls = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("curl")]
    assert len(curls) == 2, result.stderr  # the present and the past, each on one line
    for line in curls:
        assert f"Bearer {secret}'" in line
    now_url, past_url = (shlex.split(line, comments=True)[-1] for line in curls)
    past = urlsplit(past_url)
    (as_of,) = parse_qs(past.query)["as_of"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", as_of)

    container = build(Settings(database_url=sqlite_url))
    try:
        with TestClient(create_app(container)) as client:
            headers = {"Authorization": f"Bearer {secret}"}
            then = client.get(f"{past.path}?{past.query}", headers=headers)
            now = client.get(urlsplit(now_url).path, headers=headers)
    finally:
        container.close()
    assert then.status_code == now.status_code == 200, then.text
    assert then.json()["status"] == "identified"
    assert now.json()["status"] == "closed"
    assert then.json()["version"] < now.json()["version"]


def test_a_busy_port_is_one_error_naming_the_setting_before_anything_claims_to_listen(
    tmp_path: Path,
) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        for command in (["serve"], ["demo"]):
            done = subprocess.run(
                [sys.executable, "-m", "api.cli", *command, "--port", str(port)],
                env={"ESCALATIONS_DATABASE_URL": f"sqlite:///{tmp_path}/busy.db", "PATH": ""},
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 2, done.stderr
            assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
            assert "ESCALATIONS_PORT" in done.stderr and "--port" in done.stderr
            assert "escalations on http" not in done.stderr + done.stdout
            assert "Traceback" not in done.stderr
            assert done.stdout == ""  # no demo key issued for a server that will not run
    finally:
        taken.close()


def test_the_readme_says_how_to_run_the_cli_and_how_to_move_the_demo_port() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert ".venv/bin/escalations" in readme
    assert "make demo PORT=" in readme
    assert "$(if $(PORT),--port $(PORT))" in makefile
