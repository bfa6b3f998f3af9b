"""What text may hold, at every way in: the one check that HTTP, Kafka signals, the CLI and the
demo all reach through the command methods' guards.

Text is normalised to NFC (so "é" typed two ways is one word to search and compare) and line
breaks to "\\n". Control characters other than tab and newline are refused: NUL cannot be stored
in PostgreSQL text at all, and the rest (escape sequences, bells, C1 controls) only serve to
deceive a terminal or a log reader. One-line fields (titles, names, tags) also refuse the Unicode
bidirectional controls, which can make "invoice\\u202efdp.exe" read as "invoiceexe.pdf".
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
ALLOWED_CONTROLS = frozenset("\t\n")


def problem_in(value: str, *, one_line: bool) -> str | None:
    """Why `value` cannot be stored, or None when it can (after `normalised`)."""
    for index, char in enumerate(value):
        if char in ALLOWED_CONTROLS:
            continue
        if unicodedata.category(char) == "Cc":
            return f"holds the control character U+{ord(char):04X} at position {index}"
        if one_line and char in BIDI_CONTROLS:
            return (
                f"holds the bidirectional control U+{ord(char):04X} at position {index}, "
                "which can make the text read differently from what it is"
            )
    return None


def normalised(value: str) -> str:
    """NFC, with CRLF and lone CR as LF."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
