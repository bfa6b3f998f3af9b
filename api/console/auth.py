"""Who is signed in to the console, and what a console page may ask of them.

A page declares its access as an API route does, in its decorator: `dependencies=[signed_in()]`
or `dependencies=[signed_in(Permission.DRIVE)]`. Signed out, a page answers with a redirect to
/login?next=<the page>; a person whose role lacks the permission gets a 403 page. The person's
principal is set on the request exactly as an API key's is (`request.state.principal`), so the
commands they run record their e-mail as the actor. Every POST carries the session's CSRF token
in a hidden field; a form without it, or with another session's, is refused with a 403 page.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import Depends, Request

from api.http.access import ROLE_PERMISSIONS, ConsoleAccess, Permission
from infra.bootstrap import Container
from infra.keys import Principal
from infra.sessions import Session, SessionRefused

SESSION_COOKIE = "escalations_session"
FORM_COOKIE = "escalations_sign_in"
CSRF_FIELD = "csrf_token"


class PageError(Exception):
    """Answered as a console page: a status, a title and what to do."""

    def __init__(
        self, status: int, title: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}


class SignInNeeded(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def current_session(request: Request) -> Session | None:
    known = getattr(request.state, "console_session", None)
    if isinstance(known, Session):
        return known
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        session = container_of(request).console.sessions.check(token)
    except SessionRefused:
        return None
    request.state.console_session = session
    return session


class SignedIn(ConsoleAccess):
    def __init__(self, permission: Permission | None) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Session:
        session = current_session(request)
        if session is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInNeeded(target if request.method == "GET" else "/")
        person = session.person
        request.state.principal = Principal(person.id, person.actor, person.role)
        granted = ROLE_PERMISSIONS[person.role]
        request.state.sees_personal_data = Permission.READ_PERSONAL_DATA in granted
        if self.permission is not None and self.permission not in granted:
            raise PageError(
                403,
                "Not for your role",
                f"You are signed in as {person.email} with the role {person.role.value}, which "
                f"may not {self.permission.value.replace('-', ' ')}. Ask an admin if you need to.",
            )
        if request.method == "POST":
            form = await form_of(request)
            if not hmac.compare_digest(form.get(CSRF_FIELD, "").encode(), session.csrf.encode()):
                raise forged_form()
        return session


class Anyone(ConsoleAccess):
    """A console page that needs no session: sign-in, sign-out and share links."""

    async def __call__(self) -> None:
        return None


def signed_in(permission: Permission | None = None) -> Any:
    return Depends(SignedIn(permission))


ANYONE: Any = Depends(Anyone())


def forged_form() -> PageError:
    return PageError(
        403,
        "This form has expired",
        "The form was not one this page gave you (or it is from an earlier session). Nothing "
        "was changed: go back, reload the page and send it again.",
    )


async def form_of(request: Request) -> dict[str, str]:
    """The urlencoded form of a POST, read once per request (first value of each field)."""
    known = getattr(request.state, "console_form", None)
    if isinstance(known, dict):
        return known
    body = (await request.body()).decode("utf-8", errors="replace")
    form = {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}
    request.state.console_form = form
    return form
