"""A control character in a query or path parameter is a 422 problem whose errors name the
parameter, on both stores, before any store is asked (NUL made PostgreSQL fail with a 500)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/escalations?q=Ada%00Lovelace", "query.q"),
        ("/escalations?owner=ana%1b[2J", "query.owner"),
        ("/queue?owner=a%00b", "query.owner"),
        ("/subjects/a%00b/erasure", "path.subject_id"),
        ("/escalations/abc%00/timeline", "path."),
    ],
)
def test_a_control_character_in_a_parameter_is_refused_naming_it(client, path, field):
    response = client.get(path)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = [error["field"] for error in response.json()["errors"]]
    assert any(name.startswith(field) for name in fields), fields
    assert "control character" in response.json()["detail"]


def test_tab_and_newline_in_a_search_are_plain_text(client):
    response = client.get("/escalations", params={"q": "refund\tmissing\n"})
    assert response.status_code == 200, response.text
