"""Every HTML page the server answers passes the Nu Html Checker with no error, the status page
in each of its states (an upcoming maintenance, one in progress) and its public post-mortems too."""

from __future__ import annotations

from tests.standards.checkers import nu_html_errors
from tests.standards.pages import demo_server, html_pages, status_paths


def test_every_page_we_serve_passes_the_nu_html_checker(database_url):
    with demo_server(database_url) as (http, head):
        pages = html_pages(http, head)
        states = {name: pages[path] for name, path in status_paths(http, head).items()}
    assert len(pages) > 20 and any(p.startswith("/status") for p in pages)
    assert '<time datetime="' in pages[f"/status?wait_for={head}"]
    assert "Upcoming maintenance" in states["now"]
    assert "Maintenance in progress" in states["maintenance in progress"]
    assert "Service Under Maintenance" in states["maintenance in progress"]
    postmortems = [page for name, page in states.items() if name.startswith("post-mortem")]
    assert postmortems and all("What we are doing" in page for page in postmortems)
    assert nu_html_errors(pages) == []
