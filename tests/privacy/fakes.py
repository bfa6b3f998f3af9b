"""Stand-ins for the privacy tests, kept in one place."""

from __future__ import annotations


class NoKeys:
    """A key store that fails the test when asked for any key."""

    def get(self, subject_id: str) -> None:
        raise AssertionError("a pseudonymous read must not look up any key")

    get_or_create = get
