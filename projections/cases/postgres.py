"""The cases view stored in PostgreSQL."""

from __future__ import annotations

from projections.backends.postgres import PostgresDocumentView
from projections.cases.base import CasesView


class PostgresCasesView(PostgresDocumentView, CasesView):
    pass
