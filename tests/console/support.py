"""A console client: the app over a fresh store, people made in it, and a browser-like client
that signs in through the form (cookies kept, redirects not followed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from api.http.app import create_app
from infra.bootstrap import Container, build
from infra.settings import Settings

PASSWORD = "correct horse battery staple"
OPEN = {"title": "Sync down", "scope": "global", "source": "tools_outage", "severity": "SEV1"}
HIDDEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def console_app(
    url: str, clock: Any = None, *, views: bool = False, **settings: Any
) -> Iterator[tuple[Container, Any]]:
    """The app on a fresh container; with `views`, the views' runners start with the app (as
    `escalations serve` starts them) once a client enters it."""
    from infra.views.lifecycle import start_projections

    container = build(Settings(database_url=url, **settings), **({"clock": clock} if clock else {}))
    hooks = [lambda: start_projections(container)] if views else []
    app = create_app(container, lifespan_hooks=hooks)
    try:
        yield container, app
    finally:
        opened = app.state.reads._views  # the views a page opened, with their connections
        if opened is not None:
            opened.close()
        container.close()


def person(container: Container, email: str, role: str = "manager", **more: Any) -> None:
    container.console.people.create(
        email=email, name=email.split("@")[0], role=role, password=PASSWORD, actor="tests", **more
    )


def browser(app: Any, address: str = "testclient", *, https: bool = False) -> TestClient:
    base = "https://testserver" if https else "http://testserver"
    return TestClient(app, base_url=base, follow_redirects=False, client=(address, 50000))


def csrf_of(html: str) -> str:
    found = HIDDEN.search(html)
    assert found, html
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    form = client.get("/login")
    assert form.status_code == 200
    return client.post(
        "/login",
        data={"csrf_token": csrf_of(form.text), "email": email, "password": password, "next": "/"},
    )
