"""The status view stored in PostgreSQL."""

from __future__ import annotations

from projections.backends.postgres import PostgresDocumentView
from projections.status.base import StatusView


class PostgresStatusView(PostgresDocumentView, StatusView):
    pass
