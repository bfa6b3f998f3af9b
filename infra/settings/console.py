"""The console's section of `Settings` (ESCALATIONS_CONSOLE_*): sessions, cookies, share links
and the sign-in throttle."""

from __future__ import annotations

from pydantic import Field, SecretStr

from infra.settings.section import Section


class ConsoleSettings(Section):
    ENV_PREFIX = "CONSOLE_"

    session_idle_minutes: float = Field(
        default=30,
        gt=0,
        le=24 * 60,
        description="A console session unused for this long is over; signing in starts another.",
    )
    session_absolute_hours: float = Field(
        default=12,
        gt=0,
        le=24 * 30,
        description="A console session ends this long after sign-in, however busy it is.",
    )
    cookie_secure: bool | None = Field(
        default=None,
        description="Send the session cookie over HTTPS only. Unset: when the public base URL "
        "(ESCALATIONS_PUBLIC_BASE_URL) is https.",
    )
    secret: SecretStr | None = Field(
        default=None,
        description="The key that signs session cookies and share links (any long random text, "
        "the same in every server process). Unset: derived from the privacy master key. "
        "Changing it signs everyone out and ends every share link.",
    )
    share_link_days: float = Field(
        default=7,
        gt=0,
        le=90,
        description="How long a share link works when its creator names no other lifetime.",
    )
    sign_in_failures: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins allowed per account and per client address in the window; "
        "past it sign-in answers 429 with Retry-After.",
    )
    sign_in_window_minutes: float = Field(
        default=15, gt=0, description="The window the failed sign-ins are counted in."
    )
