"""The cases view stored in SQLite."""

from __future__ import annotations

from projections.backends.sqlite import SQLiteDocumentView
from projections.cases.base import CasesView


class SQLiteCasesView(SQLiteDocumentView, CasesView):
    pass
