"""A deployment replaces templates by file name from ESCALATIONS_TEMPLATES_DIR."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.http.app import create_app
from infra.settings import DocumentsSettings, Settings
from tests.documents.conftest import Store


def test_an_override_directory_replaces_only_the_templates_it_holds(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "executive.md.j2").write_text(
        "OVERRIDDEN {{ h.title }} / {{ view.current_status }}\n"
    )
    (tmp_path / "customer.html.j2").write_text(
        '{% extends "_layout.html.j2" %}{% block content %}<p>Ours: {{ view.greeting }}</p>'
        "{% endblock %}"
    )
    monkeypatch.setenv("ESCALATIONS_TEMPLATES_DIR", str(tmp_path))
    client = TestClient(create_app(store.as_configured_now()), headers=store.client.headers)

    executive = client.get(f"/escalations/{store.outage}/updates/executive").text
    assert executive.startswith("OVERRIDDEN Sync stalls for EU customers / SEV1")
    customer = client.get(f"/escalations/{store.outage}/updates/customer?format=html").text
    assert "<p>Ours: Hello,</p>" in customer
    assert "<!doctype html>" in customer  # the built-in layout it extends
    tactical = client.get(f"/escalations/{store.outage}/updates/tactical").text
    assert tactical.startswith("# Tactical update")  # not overridden: built in


def test_override_templates_are_autoescaped_in_html(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "executive.html.j2").write_text("<p>{{ '<b>' ~ h.title }}</p>")
    monkeypatch.setenv("ESCALATIONS_TEMPLATES_DIR", str(tmp_path))
    client = TestClient(create_app(store.as_configured_now()), headers=store.client.headers)
    html = client.get(f"/escalations/{store.outage}/updates/executive?format=html").text
    assert html.startswith("<p>&lt;b&gt;Sync stalls")


def test_a_templates_dir_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="is not a directory"):
        DocumentsSettings(templates_dir=tmp_path / "missing")


def test_a_wrong_templates_dir_stops_the_server_at_start(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESCALATIONS_TEMPLATES_DIR", str(tmp_path / "missing"))
    with pytest.raises(ValidationError), TestClient(create_app(store.as_configured_now())):
        pass


def test_a_blank_templates_dir_means_the_built_in_templates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ESCALATIONS_TEMPLATES_DIR", " ")
    assert Settings().documents.templates_dir is None
