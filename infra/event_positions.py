"""Where each event of one escalation stands in the store's global order (its notification id),
for the events endpoint: the position a view, an export or a relay knows the event by."""

from __future__ import annotations

from typing import Any
from uuid import UUID


def event_positions(recorder: Any, escalation_id: UUID, after: int, upto: int) -> dict[int, int]:
    """{version: position} of the escalation's events with after < version <= upto."""
    from eventsourcing.sqlite import SQLiteDatastore

    table = recorder.events_table_name
    if isinstance(recorder.datastore, SQLiteDatastore):
        # SQLite numbers the notifications by the table's rowid.
        statement = (
            f"SELECT originator_version, rowid FROM {table} "
            "WHERE originator_id = ? AND originator_version > ? AND originator_version <= ?"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, [escalation_id.hex, after, upto])
            return {int(row[0]): int(row[1]) for row in cursor.fetchall()}
    from psycopg.sql import SQL, Identifier

    query = SQL(
        "SELECT originator_version, notification_id FROM {schema}.{table} "
        "WHERE originator_id = %s AND originator_version > %s AND originator_version <= %s"
    ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(table))
    with recorder.datastore.get_connection() as connection, connection.cursor() as cursor:
        cursor.execute(query, [escalation_id, after, upto])
        return {
            int(row["originator_version"]): int(row["notification_id"]) for row in cursor.fetchall()
        }
