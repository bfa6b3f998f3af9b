"""The configuration: one `Settings`, read from the environment (prefix ESCALATIONS_) once, at
start-up, by the composition root (`infra/bootstrap.py`) or the CLI entry.

It is made of sections (`infra/settings/section.py`, `sections.py`, `views.py`, `kafka.py`), each a plain model: the store, the HTTP server,
authentication, privacy, documents, the views, the status page, the SLA policy, the case policy
(how linked cases follow), Kafka, delivery and mail, and the console (`console.py`). Every variable
keeps its documented name (README, "Configuration"):
`ESCALATIONS_DATABASE_URL` is `store.database_url`, `ESCALATIONS_KAFKA_BOOTSTRAP_SERVERS` is
`kafka.bootstrap_servers`, `ESCALATIONS_TEMPLATES_DIR` is `documents.templates_dir` and
`status_page.templates_dir`. Overrides are given by the same names without the prefix:
`Settings(database_url=..., auth_enabled=False)`, or as whole sections: `Settings(kafka=...)`.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from infra.settings.console import ConsoleSettings
from infra.settings.delivery import DeliverySettings, MailSettings
from infra.settings.kafka import KafkaSettings
from infra.settings.section import ROOT_PREFIX, Section
from infra.settings.sections import (
    AuthSettings,
    CasePolicySettings,
    DocumentsSettings,
    HttpSettings,
    PrivacySettings,
    StoreSettings,
)
from infra.settings.views import ProjectionSettings, SlaSettings, StatusPageSettings


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ROOT_PREFIX, env_file=None, extra="forbid")

    store: StoreSettings = Field(default_factory=StoreSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    documents: DocumentsSettings = Field(default_factory=DocumentsSettings)
    views: ProjectionSettings = Field(default_factory=ProjectionSettings)
    status_page: StatusPageSettings = Field(default_factory=StatusPageSettings)
    sla: SlaSettings = Field(default_factory=SlaSettings)
    cases: CasePolicySettings = Field(default_factory=CasePolicySettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (_Overrides(settings_cls, init_settings), _Environment(settings_cls))

    def eventsourcing_env(self) -> dict[str, str]:
        return self.store.eventsourcing_env()

    @property
    def is_postgres(self) -> bool:
        return self.store.is_postgres


def sections() -> dict[str, type[Section]]:
    """Each section's name in `Settings` and its class."""
    found: dict[str, type[Section]] = {}
    for name, info in Settings.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, Section):
            found[name] = info.annotation
    return found


def variables() -> dict[str, list[tuple[str, str]]]:
    """Every environment variable, and the (section, field) pairs it sets."""
    table: dict[str, list[tuple[str, str]]] = {}
    for section_name, section in sections().items():
        for field_name in section.model_fields:
            table.setdefault(section.env_name(field_name), []).append((section_name, field_name))
    return table


def _nest(values: dict[str, Any]) -> dict[str, Any]:
    """Flat overrides (`database_url=...`) into their sections; whole sections pass through."""
    known = sections()
    by_flat = {name.removeprefix(ROOT_PREFIX).lower(): at for name, at in variables().items()}
    nested: dict[str, Any] = {}
    for key, value in values.items():
        if key in known:
            given = dict(value) if isinstance(value, BaseModel) else value
            nested[key] = {**nested.get(key, {}), **given} if isinstance(given, dict) else given
        elif key in by_flat:
            for section_name, field_name in by_flat[key]:
                nested.setdefault(section_name, {})[field_name] = value
        else:
            nested[key] = value  # refused by extra="forbid", naming the unknown setting
    return nested


class _Overrides(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], given: PydanticBaseSettingsSource):
        super().__init__(settings_cls)
        self.given = given

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return _nest(self.given())


class _Environment(PydanticBaseSettingsSource):
    """Every section's variables, by their flat names; lists and maps are JSON."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        environment = {name.upper(): value for name, value in os.environ.items()}
        known = sections()
        nested: dict[str, dict[str, Any]] = {}
        for variable, places in variables().items():
            if variable not in environment:
                continue
            for section_name, field_name in places:
                info = known[section_name].model_fields[field_name]
                value: Any = environment[variable]
                if self.field_is_complex(info):
                    value = self.decode_complex_value(field_name, info, value)
                nested.setdefault(section_name, {})[field_name] = value
        return nested
