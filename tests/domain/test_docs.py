"""docs/domain.md cannot drift from the code: the transition table is the script's output, and every
event and every event field is named in the event catalogue."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from domain.escalation import EVENT_NAMES, Escalation

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "domain.md"
ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "transition_table", ROOT / "scripts" / "transition_table.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CATALOGUE_ROW = re.compile(r"^\| `(\w+)` \| [\w-]+ \|.*$", flags=re.MULTILINE)


def _catalogue_rows() -> list[tuple[str, str]]:
    """(event name, whole table row) for each row of the event catalogue."""
    return [(m.group(1), m.group(0)) for m in CATALOGUE_ROW.finditer(DOC.read_text())]


def test_the_docs_contain_the_generated_transition_table() -> None:
    table = _script().render()
    text = DOC.read_text()

    start = text.index("<!-- transition-table:start -->\n") + len(
        "<!-- transition-table:start -->\n"
    )
    end = text.index("<!-- transition-table:end -->")
    assert text[start:end] == table, "run `python scripts/transition_table.py` and paste its output"


def test_the_generated_table_marks_each_allowed_move_with_its_command() -> None:
    table = _script().render()

    assert "| **`resolved`** | · | `reopen` | · | · | · | `close` | · |" in table
    assert "| **`closed`** | · | · | · | · | · | · | · |" in table


def test_the_event_catalogue_lists_every_event_once() -> None:
    assert sorted(name for name, _ in _catalogue_rows()) == sorted(EVENT_NAMES)


@pytest.mark.parametrize("event", EVENT_NAMES)
def test_the_event_catalogue_names_every_field_of_the_event(event: str) -> None:
    row = dict(_catalogue_rows())[event]
    fields = [f.name for f in dataclasses.fields(getattr(Escalation, event))]

    missing = [name for name in fields if name not in ENVELOPE and f"`{name}`" not in row]

    assert missing == []
