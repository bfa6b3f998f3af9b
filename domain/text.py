"""What text may hold, at every way in: the one check that HTTP, Kafka signals, the CLI and the
demo all reach through the command methods' guards.

Text is normalised to NFC (so "é" typed two ways is one word to search and compare) and line
breaks to "\\n". Control characters other than tab and newline are refused: NUL cannot be stored
in PostgreSQL text at all, and the rest (escape sequences, bells, C1 controls) only serve to
deceive a terminal or a log reader. One-line fields (titles, names, tags) also refuse the Unicode
bidirectional controls, which can make "invoice\\u202efdp.exe" read as "invoiceexe.pdf".
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
ALLOWED_CONTROLS = frozenset("\t\n")
# Unicode's control characters (category Cc) are exactly U+0000-U+001F and U+007F-U+009F; one
# regular expression finds the first of them (or of the bidi controls) without a Python loop
# over every character of a 20,000-character description.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_BIDI = "".join(sorted(BIDI_CONTROLS))
_MULTI_LINE = re.compile(f"[{_CONTROL}]")
_ONE_LINE = re.compile(f"[{_CONTROL}{_BIDI}]")


def problem_in(value: str, *, one_line: bool) -> str | None:
    """Why `value` cannot be stored, or None when it can (after `normalised`)."""
    found = (_ONE_LINE if one_line else _MULTI_LINE).search(value)
    if found is None:
        return None
    char, index = found.group(), found.start()
    if char in BIDI_CONTROLS:
        return (
            f"holds the bidirectional control U+{ord(char):04X} at position {index}, "
            "which can make the text read differently from what it is"
        )
    return f"holds the control character U+{ord(char):04X} at position {index}"


def normalised(value: str) -> str:
    """NFC, with CRLF and lone CR as LF."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
