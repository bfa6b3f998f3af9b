"""Every HTML page the server answers passes the Nu Html Checker with no error."""

from __future__ import annotations

from tests.standards.checkers import nu_html_errors
from tests.standards.pages import demo_server, html_pages


def test_every_page_we_serve_passes_the_nu_html_checker(database_url):
    with demo_server(database_url) as (http, head):
        pages = html_pages(http, head)
    assert len(pages) > 20 and any(p.startswith("/status") for p in pages)
    assert '<time datetime="' in pages[f"/status?wait_for={head}"]
    assert nu_html_errors(pages) == []
