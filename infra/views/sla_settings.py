"""SLA policy settings (prefix ESCALATIONS_SLA_), with the defaults documented in docs/projections.md.

`ESCALATIONS_SLA_POLICIES` is JSON mapping "source:severity" ("*" for any) to targets, e.g.
`{"bbb_complaint:*": {"first_response": "PT4H", "update_every": "P1D", "resolution": "P10D",
"hours": "business"}}`; entries are merged over the defaults, and the most specific key wins.
Durations are ISO 8601 (PT15M) or seconds.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from projections.sla import BusinessHours, SlaPolicy, Targets


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


class SlaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ESCALATIONS_SLA_", env_file=None, extra="ignore")

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
