"""Settings of the per-escalation documents (prefix ESCALATIONS_), and the renderer they build.

Kept apart from the core settings so that documents can be configured, and tested, on their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from projections.documents.render import DocumentRenderer


class DocumentsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ESCALATIONS_", env_file=None, extra="ignore")

    templates_dir: Path | None = Field(
        default=None,
        description="A directory of Jinja2 templates that replace the built-in ones by file name "
        "(e.g. customer.md.j2); templates not found there come from the built-in set.",
    )

    @field_validator("templates_dir", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("templates_dir")
    @classmethod
    def _must_be_a_directory(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"ESCALATIONS_TEMPLATES_DIR={value} is not a directory")
        return value


def build_renderer(settings: DocumentsSettings | None = None) -> DocumentRenderer:
    settings = settings or DocumentsSettings()
    return DocumentRenderer(settings.templates_dir)
