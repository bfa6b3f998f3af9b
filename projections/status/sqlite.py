"""The status view stored in SQLite."""

from __future__ import annotations

from projections.backends.sqlite import SQLiteDocumentView
from projections.status.base import StatusView


class SQLiteStatusView(SQLiteDocumentView, StatusView):
    pass
