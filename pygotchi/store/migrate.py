"""Alembic, configured from code: no alembic.ini, so ``pip install .`` ships all it needs.

The migration scripts are package data under ``pygotchi/store/migrations``;
``upgrade(engine)`` runs them on the given engine at server start-up (and
before any ``user`` command), so a newer pygotchi upgrades an older data
directory by itself.

Migrations run under a lock, so servers started together never race on them:
the first one upgrades, the others wait and then find nothing left to do. On
PostgreSQL that is a transaction-level advisory lock taken in the migration's
own transaction (DDL is transactional there: a failed upgrade leaves nothing
half done, and the lock goes with the commit or rollback); on SQLite an OS
file lock beside the database file.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# pg_advisory_xact_lock key for "the schema is being upgraded" (any constant that no
# other lock of the application uses; it reads "pygotchi" in ASCII).
MIGRATION_LOCK_KEY = 0x7079676F74636869 - (1 << 63)


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        # configparser reads "%" as interpolation: a URL-encoded password (p%40ss) or
        # option must be escaped
        url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        yield  # a private in-memory database: nobody to race with
        return
    fd = os.open(f"{database}.migrate-lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks while another process migrates
        yield
    finally:
        os.close(fd)  # closing releases the lock


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade under the lock; (revision before, revision after), both read under it."""
    cfg = alembic_config(engine)
    lock = nullcontext() if engine.dialect.name == "postgresql" else _sqlite_file_lock(engine)
    with lock, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": MIGRATION_LOCK_KEY})
        before = MigrationContext.configure(connection).get_current_revision()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
        return before, MigrationContext.configure(connection).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
