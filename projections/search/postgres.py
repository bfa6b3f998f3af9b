"""The search view stored in PostgreSQL."""

from __future__ import annotations

from projections.backends.postgres import PostgresDocumentView
from projections.search.base import SearchView


class PostgresSearchView(PostgresDocumentView, SearchView):
    pass
