"""How a console page is answered: one template environment (the project's, `page` flavour, so
everything is autoescaped), moments in the person's time zone with UTC in a title, the session
cookie refreshed on every answer, and the answers for errors (403, 429, a refused share link)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from api.console.auth import (
    CSRF_FIELD,
    SESSION_COOKIE,
    PageError,
    SignInNeeded,
    container_of,
    current_session,
    login_url,
)
from infra.sessions import Session
from projections.templating import html_datetime, template_environment

PAGE_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}


def cookie_secure(request: Request) -> bool:
    settings = container_of(request).settings
    if settings.console.cookie_secure is not None:
        return settings.console.cookie_secure
    return (settings.http.public_base_url or "").lower().startswith("https://")


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = container_of(request).settings.console
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_idle_minutes * 60),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
    )


def moment(value: datetime | str | None, zone: str) -> Markup:
    """A <time> in the person's zone, its UTC moment in the title and datetime attribute."""
    if value is None:
        return Markup("")
    at = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    local = at.astimezone(ZoneInfo(zone))
    utc = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        html_datetime(at), utc, local.strftime("%a %d %b %H:%M %Z")
    )


def countdown(due: datetime | str | None, now: datetime) -> Markup:
    """ "in 2 h 5 min" or "overdue by 10 min", server-rendered; the page's script ticks it."""
    if due is None:
        return Markup("")
    at = datetime.fromisoformat(due.replace("Z", "+00:00")) if isinstance(due, str) else due
    left = at - now
    text = ("in " if left >= timedelta(0) else "overdue by ") + _span(abs(left))
    css = "due" if left >= timedelta(0) else "overdue"
    return Markup('<span class="countdown {}" data-due="{}">{}</span>').format(
        css, html_datetime(at), text
    )


def _span(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if hours or days:
        parts.append(f"{hours} h")
    parts.append(f"{minutes} min")
    return " ".join(parts[:2])


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    container = container_of(request)
    session = current_session(request)
    zone = session.person.time_zone if session else "UTC"
    now = container.app.clock()
    env = template_environment(container.settings.status_page.templates_dir)
    body = env.get_template(f"console/{template}").render(
        session=session,
        person=session.person if session else None,
        csrf=csrf_field(session),
        at=lambda value: moment(value, zone),
        countdown=lambda due: countdown(due, now),
        now=now,
        **context,
    )
    response = HTMLResponse(body, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})
    if session is not None:
        set_session_cookie(request, response, container.console.sessions.refreshed(session))
    return response


def csrf_field(session: Session | None) -> Markup:
    if session is None:
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, escape(session.csrf)
    )


def install_errors(app: FastAPI) -> None:
    async def page_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, PageError)
        return render(
            request,
            "message.html.j2",
            {"title": error.title, "detail": error.detail},
            status=error.status,
            headers=error.headers,
        )

    async def sign_in_needed(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInNeeded)
        return RedirectResponse(login_url(error.next_path), status_code=303)

    app.add_exception_handler(PageError, page_error)
    app.add_exception_handler(SignInNeeded, sign_in_needed)
