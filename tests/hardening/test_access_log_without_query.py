"""The access log of a real `escalations serve` never carries a query string: `?q=` searches by
a customer's name, and a log line is out of reach of an erasure."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.support import bearer, issue_key, running_server


def test_a_search_by_name_leaves_the_path_but_not_the_name_in_the_access_log(
    database_url: str, tmp_path: Path
) -> None:
    headers = bearer(issue_key(database_url, "manager", name="maria.chen"))
    log = tmp_path / "serve.log"
    env = {"ESCALATIONS_ACCESS_LOG": "true"}
    with running_server(database_url, extra_env=env, log_to=log) as base:
        searched = httpx.get(f"{base}/escalations", params={"q": "Zoltan Kovacs"}, headers=headers)
        assert searched.status_code == 200, searched.text
        owner = httpx.get(f"{base}/escalations?owner=ada.lovelace", headers=headers)
        assert owner.status_code == 200, owner.text
        deadline = time.monotonic() + 5
        while "GET /escalations?owner" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
    text = log.read_text()
    assert '"GET /escalations?q=* HTTP/1.1" 200' in text  # the request is logged, its values not
    assert '"GET /escalations?owner=* HTTP/1.1" 200' in text
    assert "Zoltan" not in text and "Kovacs" not in text
    assert "ada.lovelace" not in text
    assert '"GET /healthz HTTP/1.1" 200' in text  # a path without a query reads as it was
