"""A broken template override stops `escalations serve` at start, naming the file and the
error, instead of turning every read of the page it replaces into a 500."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.bootstrap import build
from infra.settings import Settings
from projections.template_check import BrokenTemplate

ROOT = Path(__file__).resolve().parents[2]

BROKEN = {
    "status/page.html.j2": ("{% if page.incidents %}unclosed", "TemplateSyntaxError"),
    "executive.md.j2": ("# {{ h.title }} {{ no_such_name }}", "UndefinedError"),
    "timeline.html.j2": (
        "{% for e in view.entries %}{{ e.no_such_field }}{% endfor %}",
        "Undefined",
    ),
}


def _serve(database_url: str, templates: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "ESCALATIONS_DATABASE_URL": database_url,
        "ESCALATIONS_TEMPLATES_DIR": str(templates),
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_serve_refuses_to_start_with_a_broken_override_and_names_it(
    sqlite_url: str, tmp_path: Path, name: str
) -> None:
    source, error = BROKEN[name]
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(source)
    served = _serve(sqlite_url, tmp_path)
    assert served.returncode == 3, served.stdout + served.stderr
    said = " ".join((served.stdout + served.stderr).split())
    assert name.split("/")[-1] in said and error in said
    assert "Traceback" not in said


def test_the_container_build_refuses_a_broken_override_on_both_stores(
    database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "customer.md.j2").write_text("{{ view.greeting }} {{ view.no_such_field }}")
    with pytest.raises(BrokenTemplate, match=r"customer\.md\.j2.*UndefinedError"):
        build(Settings(database_url=database_url, templates_dir=str(tmp_path)))


def test_a_sound_override_passes_the_check(sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "status").mkdir()
    (tmp_path / "status" / "page.html.j2").write_text("<h1>{{ page.page_name }}</h1>")
    (tmp_path / "executive.md.j2").write_text("# {{ h.title }}: {{ view.current_status }}\n")
    container = build(Settings(database_url=sqlite_url, templates_dir=str(tmp_path)))
    container.close()
