"""Stand-ins for the proofs, kept in one place."""

from __future__ import annotations

from contextlib import contextmanager

from eventsourcing.persistence import OperationalError


class FakeServer:
    """A database server a test takes down and brings back; counts the probes it answers."""

    def __init__(self) -> None:
        self.up = True
        self.probes = 0

    def probe(self) -> None:
        self.probes += 1
        if not self.up:
            raise ConnectionRefusedError

    @contextmanager
    def get_connection(self):
        if not self.up:
            raise OperationalError("connection refused")
        yield "connection"
