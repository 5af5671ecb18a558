"""Faults injected at the storage layer for tests: a disk that fills up, a failing query.

``full_disk(db)`` makes every write of the database fail the way the database fails
when its disk is full (SQLite's ``sqlite3.OperationalError: database or disk is
full``, PostgreSQL's ``DiskFull``), raised from inside the driver's cursor, so
SQLAlchemy wraps it as it would the real one, while reads go on working, as they
do on a full disk.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from pygotchi.store import Database

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@contextmanager
def failing_statements(db: Database, error: Exception, *, writes_only: bool = True
                       ) -> Iterator[None]:
    def fail(conn, cursor, statement, parameters, context, executemany):
        if not writes_only or statement.lstrip().upper().startswith(_WRITES):
            raise error

    event.listen(db.engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", fail)


def full_disk(db: Database):
    """Writes fail as the database fails on a full disk: SQLite's ``SQLITE_FULL``, or
    PostgreSQL's ``disk_full`` (SQLSTATE 53100) when the tests run on it."""
    if db.shared:
        import psycopg.errors

        error: Exception = psycopg.errors.DiskFull(
            'could not extend file "base/16384/16402": No space left on device')
    else:
        error = sqlite3.OperationalError("database or disk is full")
    return failing_statements(db, error)
