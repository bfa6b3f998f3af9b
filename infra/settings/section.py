"""A section of the configuration, and where its fields come from in the environment.

Each section names its environment prefix (after `ESCALATIONS_`), so a field `batch_size` of the
views section is `ESCALATIONS_PROJECTIONS_BATCH_SIZE`; a few fields keep a name of their own
(`ENV_NAMES`). `infra/settings/__init__.py` reads every section from the environment in one pass.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

ROOT_PREFIX = "ESCALATIONS_"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ENV_PREFIX: ClassVar[str] = ""
    """Between `ESCALATIONS_` and the field name, e.g. "KAFKA_"."""
    ENV_NAMES: ClassVar[dict[str, str]] = {}
    """Fields whose variable is not prefix + field name: field name -> full variable name."""

    @classmethod
    def env_name(cls, field: str) -> str:
        return cls.ENV_NAMES.get(field) or f"{ROOT_PREFIX}{cls.ENV_PREFIX}{field}".upper()

    @classmethod
    def flat_name(cls, field: str) -> str:
        """The keyword `Settings(...)` takes for this field: the variable without the prefix."""
        return cls.env_name(field).removeprefix(ROOT_PREFIX).lower()
