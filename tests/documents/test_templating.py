"""One environment factory and one loader for page, report and document templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from projections.templating import template_environment


@pytest.mark.parametrize("flavour", ["page", "html", "md"])
def test_one_loader_serves_page_report_and_document_templates(flavour) -> None:
    env = template_environment(None, flavour)
    for name in ("status/page.html.j2", "reports/trends.html.j2", "customer.md.j2"):
        assert env.get_template(name).filename is not None


def test_the_override_directory_comes_first_for_every_kind_of_template(tmp_path: Path) -> None:
    (tmp_path / "status").mkdir()
    (tmp_path / "status" / "feed.atom.j2").write_text("OURS {{ '<' }}")
    (tmp_path / "customer.md.j2").write_text("OURS {{ '<' }}")
    assert template_environment(tmp_path, "page").get_template("status/feed.atom.j2").render() == (
        "OURS &lt;"
    )
    assert template_environment(str(tmp_path), "md").get_template("customer.md.j2").render() == (
        "OURS &lt;"
    )
    builtin = template_environment(tmp_path, "md").get_template("tactical.md.j2")
    assert builtin.filename is not None and str(tmp_path) not in builtin.filename


def test_only_the_page_flavour_escapes_template_strings() -> None:
    env = template_environment(None, "html")
    assert env.from_string("{{ '<b>' }}").render() == "<b>"
    assert template_environment(None, "page").from_string("{{ '<b>' }}").render() == "&lt;b&gt;"
