"""The status feed is valid Atom (RFC 4287) with authors, and its links use the public base URL,
or where `serve` listens when none is configured."""

from __future__ import annotations

import feedparser
import pytest

from infra.settings.sections import HttpSettings
from tests.standards.pages import demo_server

PUBLIC = "https://status.example.org"


@pytest.mark.parametrize("configured", [True, False], ids=["public-base-url", "serve-port"])
def test_the_feed_parses_cleanly_with_authors_and_links_to_where_readers_reach_us(
    database_url, configured
):
    env = {"ESCALATIONS_PUBLIC_BASE_URL": PUBLIC + "/"} if configured else {}
    with demo_server(database_url, extra_env=env) as (http, head):
        assert http.get(f"/status?wait_for={head}").status_code == 200
        response = http.get("/status/feed.atom")
        page = http.get("/status").text
        served_at = str(http.base_url).rstrip("/")
    assert response.headers["content-type"].startswith("application/atom+xml")
    base = PUBLIC if configured else served_at
    assert configured or not served_at.endswith(":8000")  # a free port, never the default

    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.author_detail.name
    assert feed.feed.id == f"{base}/status"
    assert {link.href for link in feed.feed.links} == {f"{base}/status", f"{base}/status/feed.atom"}
    assert len(feed.entries) >= 3
    for entry in feed.entries:
        assert entry.author_detail.name == feed.feed.author_detail.name
        assert entry.link.startswith(
            (f"{base}/status#incident-", f"{base}/status#maintenance-", f"{base}/status/incidents/")
        )
    kinds = {entry.id.split(":")[2] for entry in feed.entries}
    assert kinds == {"incident-update", "maintenance-update", "postmortem"}
    titles = [entry.title for entry in feed.entries]
    for step in ("maintenance scheduled", "maintenance in progress", "maintenance completed"):
        assert any(title.endswith(step) for title in titles), step
    postmortem = next(e for e in feed.entries if e.id.startswith("urn:escalations:postmortem:"))
    assert postmortem.link.endswith("/postmortem")
    # the page itself links relatively, so it is right behind any proxy
    assert 'href="/status/feed.atom"' in page


@pytest.mark.parametrize(
    ("host", "port", "public", "base"),
    [
        ("127.0.0.1", 8000, None, "http://127.0.0.1:8000"),
        ("0.0.0.0", 9100, None, "http://127.0.0.1:9100"),
        ("::", 9100, None, "http://[::1]:9100"),
        ("status.internal", 80, "", "http://status.internal:80"),
        ("0.0.0.0", 9100, "https://status.example.org/", "https://status.example.org"),
    ],
)
def test_the_links_base_is_the_public_url_else_where_serve_listens(host, port, public, base):
    assert HttpSettings(host=host, port=port, public_base_url=public).base_url == base
