"""The search view stored in SQLite."""

from __future__ import annotations

from projections.backends.sqlite import SQLiteDocumentView
from projections.search.base import SearchView


class SQLiteSearchView(SQLiteDocumentView, SearchView):
    pass
