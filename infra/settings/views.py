"""The sections of the settings that the read side uses: the projection runners
(ESCALATIONS_PROJECTIONS_*), the public status page (ESCALATIONS_STATUS_*) and the SLA policy
(ESCALATIONS_SLA_*).

`ESCALATIONS_SLA_POLICIES` is JSON mapping "source:severity" ("*" for any) to targets, e.g.
`{"bbb_complaint:*": {"first_response": "PT4H", "update_every": "P1D", "resolution": "P10D",
"hours": "business"}}`; entries are merged over the defaults (docs/projections.md), and the most
specific key wins. Durations are ISO 8601 (PT15M) or seconds.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from domain.policies import UpdateCadence
from infra.settings.section import Section
from projections.sla import BusinessHours, SlaPolicy, Targets


class ProjectionSettings(Section):
    ENV_PREFIX = "PROJECTIONS_"

    batch_size: int = Field(
        default=2000, ge=1, le=50_000, description="Events applied per view transaction."
    )
    poll_interval: float = Field(
        default=0.02,
        gt=0,
        le=5,
        description="Seconds between polls of the SQLite store when idle (PostgreSQL is notified).",
    )
    max_wait: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="Longest a read with ?wait_for=POSITION waits for the views to catch up.",
    )
    enabled: list[str] = Field(
        default_factory=lambda: ["search", "status", "cases"],
        description="Views run by `serve` and `worker` (JSON list).",
    )
    retry_max_wait: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Longest pause between two attempts of a view failing on an event (the "
        "pauses grow from 50 ms); also how long a skip takes to reach a running view at most.",
    )
    sla_watch_interval: float = Field(
        default=30.0, ge=0.05, description="Seconds between two passes of the deadline watcher."
    )
    sqlite_views_dir: str = Field(
        default="",
        description="Where SQLite view files live; empty: next to the event store's file.",
    )


class StatusPageSettings(Section):
    ENV_PREFIX = "STATUS_"
    ENV_NAMES = {"templates_dir": "ESCALATIONS_TEMPLATES_DIR"}

    page_id: str = "escalations"
    page_name: str = "Service status"
    components: list[str] = Field(
        default_factory=list,
        description="Components always listed (JSON list); components named by published "
        "incidents are added.",
    )
    history_days: int = Field(default=14, ge=1, le=90)
    uptime_days: int = Field(default=90, ge=1, le=365)
    stream_seconds: float = Field(
        default=25.0,
        gt=0,
        le=3600,
        description="How long one /status/stream response lasts before the browser reconnects "
        "(EventSource does so by itself); bounds how long a server shutdown waits for it.",
    )
    templates_dir: str = Field(
        default="",
        description="ESCALATIONS_TEMPLATES_DIR, shared with the documents: a directory whose "
        "templates (status/page.html.j2, status/body.html.j2, status/feed.atom.j2, "
        "reports/trends.html.j2) override the packaged ones.",
    )


class TargetSettings(BaseModel):
    first_response: timedelta
    update_every: timedelta
    resolution: timedelta
    hours: Literal["calendar", "business"] = "calendar"


def _t(first: str, update: str, resolve: str, hours: str = "calendar") -> TargetSettings:
    return TargetSettings.model_validate(
        {"first_response": first, "update_every": update, "resolution": resolve, "hours": hours}
    )


DEFAULT_POLICIES: dict[str, TargetSettings] = {
    "*:SEV1": _t("PT15M", "PT30M", "PT4H"),
    "*:SEV2": _t("PT1H", "PT2H", "P1D"),
    "*:SEV3": _t("PT4H", "PT8H", "PT24H", "business"),
    "*:SEV4": _t("PT8H", "PT24H", "PT80H", "business"),
    "email:*": _t("PT8H", "PT24H", "PT40H", "business"),
    "social:*": _t("PT1H", "PT4H", "P2D"),
    "priority_support:*": _t("PT1H", "PT4H", "P1D"),
    "bbb_complaint:*": _t("PT8H", "PT24H", "PT80H", "business"),
    "privacy_request:*": _t("PT16H", "PT40H", "PT160H", "business"),
    "*:*": _t("PT4H", "PT8H", "PT24H", "business"),
}


class SlaSettings(Section):
    ENV_PREFIX = "SLA_"

    policies: dict[str, TargetSettings] = Field(
        default_factory=dict, description="Overrides merged over DEFAULT_POLICIES."
    )
    bbb_response_window: timedelta = Field(
        default=timedelta(days=14),
        description="Time to send the first regulator-audience reply to a BBB complaint.",
    )
    business_day_start: time = time(9)
    business_day_end: time = time(17)
    business_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])

    def policy(self) -> SlaPolicy:
        merged = {**DEFAULT_POLICIES, **self.policies}
        return SlaPolicy(
            targets={
                key: Targets(
                    first_response=t.first_response,
                    update_every=t.update_every,
                    resolution=t.resolution,
                    business_hours=t.hours == "business",
                )
                for key, t in merged.items()
            },
            bbb_response_window=self.bbb_response_window,
            hours=BusinessHours(
                start=self.business_day_start,
                end=self.business_day_end,
                weekdays=tuple(self.business_days),
            ),
        )


def update_cadence(policy: SlaPolicy) -> UpdateCadence:
    """The policy's update cadence as the domain takes it (a reopen owes an update by then)."""

    def next_update_due(source: str, severity: str, after: datetime) -> datetime:
        targets = policy.for_case(source, severity)
        return policy.due(after, targets.update_every, targets.business_hours)

    return next_update_due
