"""Signing in and out of the console.

Failures are counted per account and per client address (`SignInThrottle`); past the limit the
answer is a 429 page with Retry-After, whether or not the password would have been right. The
message for a wrong address and for a wrong password is the same, and an unknown address costs
the same hash check as a known one, so neither the words nor the time tell who has an account.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from api.console.auth import (
    ANYONE,
    CSRF_FIELD,
    FORM_COOKIE,
    SESSION_COOKIE,
    container_of,
    current_session,
    forged_form,
    form_of,
    signed_in,
)
from api.console.pages import cookie_secure, render, set_session_cookie
from api.http.deps import call_store

router = APIRouter(include_in_schema=False)

WRONG = "That e-mail and password do not match an active account. Check both and try again."


def safe_next(target: str | None) -> str:
    """Only a path on this server: never another site (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_page(
    request: Request, next_path: str, *, error: str = "", status: int = 200
) -> Response:
    sessions = container_of(request).console.sessions
    token = sessions.form_token()
    response = render(
        request,
        "login.html.j2",
        {"next": next_path, "form_token": token, "form_field": CSRF_FIELD, "error": error},
        status=status,
    )
    response.set_cookie(
        FORM_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/login",
    )
    return response


@router.get("/login", dependencies=[ANYONE])
def login_form(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    if current_session(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, safe_next(next))


@router.post("/login", dependencies=[ANYONE])
async def login(request: Request) -> Response:
    container = container_of(request)
    console = container.console
    form = await form_of(request)
    next_path = safe_next(form.get("next"))
    if not console.sessions.form_token_valid(
        form.get(CSRF_FIELD, ""), request.cookies.get(FORM_COOKIE, "")
    ):
        raise forged_form()
    email = form.get("email", "").strip().lower()
    account = "account:" + hashlib.sha256(email.encode()).hexdigest()
    address = "address:" + (request.client.host if request.client else "unknown")
    wait = console.throttle.retry_after(account, address)
    if wait:
        response = render(
            request,
            "message.html.j2",
            {
                "title": "Too many sign-in attempts",
                "detail": f"Sign-in is paused for this account or this network. Try again in "
                f"{max(1, wait // 60)} min, or ask an admin to check the account.",
            },
            status=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    # Argon2 is slow on purpose: off the event loop, whatever the store.
    person = await run_in_threadpool(console.people.verify, email, form.get("password", ""))
    if person is None:
        console.throttle.failed(account, address)
        return _login_page(request, next_path, error=WRONG, status=401)
    console.throttle.succeeded(account)
    signed_in_answer = RedirectResponse(next_path, status_code=303)
    set_session_cookie(request, signed_in_answer, console.sessions.start(person))
    signed_in_answer.delete_cookie(FORM_COOKIE, path="/login")
    return signed_in_answer


@router.post("/logout", dependencies=[signed_in()])
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/logout/everywhere", dependencies=[signed_in()])
async def logout_everywhere(request: Request) -> Response:
    container = container_of(request)
    session = current_session(request)
    assert session is not None
    person = session.person
    await call_store(
        container,
        lambda: container.console.people.sign_out_everywhere(person.id, actor=person.actor),
    )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
