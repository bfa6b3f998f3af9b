"""Print the status transition table of docs/domain.md from `domain.policies.TRANSITIONS`.

With the project installed (`pip install -e .`): `python scripts/transition_table.py`. A test checks
that the docs contain exactly this output, so the table in the docs cannot drift from the code.
"""

from __future__ import annotations

from domain.policies import TRANSITIONS
from domain.values import Status

NOT_ALLOWED = "·"


def render() -> str:
    """From-statuses as rows, to-statuses as columns, the command that moves between them in each
    allowed cell."""
    statuses = list(Status)
    lines = [
        "| from \\ to | " + " | ".join(f"`{s.value}`" for s in statuses) + " |",
        "|---|" + "---|" * len(statuses),
    ]
    for current in statuses:
        cells = [
            f"`{TRANSITIONS[current][target]}`" if target in TRANSITIONS[current] else NOT_ALLOWED
            for target in statuses
        ]
        lines.append(f"| **`{current.value}`** | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    print(render(), end="")


if __name__ == "__main__":
    main()
