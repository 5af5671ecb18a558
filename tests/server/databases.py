"""Which database the server tests run on: SQLite files, or fresh PostgreSQL databases.

By default every data directory a test uses gets SQLite, as a server would.
With ``PYGOTCHI_TEST_DATABASE_URL=postgresql+psycopg://USER@HOST:PORT/DB`` (the
database named is only used to connect and create others), each data directory
gets its own fresh PostgreSQL database instead: ``CREATE DATABASE ... TEMPLATE``
a template migrated once per test session, which costs ~30 ms where running
the migrations would cost half a second. A database lives as long as its data
directory is in use: ``drop_idle()`` after each test drops those nobody is
connected to any more (a module's shared server keeps its own until the end),
``drop_all()`` the rest when the session ends.

Tests that are about SQLite itself (its file, its error codes) carry
``@pytest.mark.sqlite_only("why")`` and are skipped, with that reason, on
PostgreSQL.

``postgres_url()`` is for tests that need PostgreSQL whatever the suite runs on
(tests/server/test_postgres.py): the test URL, or the machine's usual
PostgreSQL at 127.0.0.1:5432; they skip, saying why, where there is none.
"""

from __future__ import annotations

import itertools
import os
import threading
from pathlib import Path

from sqlalchemy.engine import make_url

TEST_DATABASE_URL = os.environ.get("PYGOTCHI_TEST_DATABASE_URL") or None
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_pools = itertools.count(1)


def on_postgres() -> bool:
    return TEST_DATABASE_URL is not None


def _psycopg_url(url: str) -> str:
    """The libpq form of a SQLAlchemy URL (psycopg.connect wants no ``+driver``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_problem(url: str) -> str | None:
    """None when ``url`` reaches a PostgreSQL that lets us create databases, else why not."""
    try:
        import psycopg
    except ImportError as exc:
        return f"psycopg is not installed ({exc})"
    try:
        with psycopg.connect(_psycopg_url(url), connect_timeout=3, autocommit=True) as conn:
            row = conn.execute("SELECT rolcreatedb OR rolsuper FROM pg_roles "
                               "WHERE rolname = current_user").fetchone()
    except psycopg.Error as exc:
        return f"no PostgreSQL at {make_url(url).render_as_string()}: " \
               f"{str(exc).strip().splitlines()[0]}"
    if not row or not row[0]:
        return f"the role of {url} may not create databases"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_orphans(conn) -> None:
    """Drop the test databases of test runs that died without cleaning up (their pid is
    gone); those of runs still going on this machine are left alone."""
    for (name,) in conn.execute(r"SELECT datname FROM pg_database WHERE datname LIKE 'pgt\_%'"):
        pid = name.split("_")[1]
        if pid.isdigit() and not _alive(int(pid)):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PostgresDatabases:
    """Fresh databases on one PostgreSQL server, cloned from a migrated template."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url).set(drivername="postgresql+psycopg")
        # Unique per pool: one pool's drop_all never touches another's databases.
        self._prefix = f"pgt_{os.getpid()}_{next(_pools)}_"
        self._template: str | None = None
        self._names = (f"{self._prefix}{n}" for n in itertools.count(1))
        self._by_dir: dict[Path, str] = {}
        self._lock = threading.Lock()

    def _admin(self):
        import psycopg

        return psycopg.connect(_psycopg_url(self.url.render_as_string(hide_password=False)),
                               autocommit=True)

    def url_of(self, name: str) -> str:
        # Commits do not wait for the WAL to reach the disk: test databases need not
        # survive a crash of PostgreSQL itself (servers killed in tests are not it).
        query = {**self.url.query, "options": "-c synchronous_commit=off"}
        return self.url.set(database=name, query=query).render_as_string(hide_password=False)

    def _ensure_template(self) -> str:
        if self._template is None:
            from pygotchi.store import Database

            name = f"{self._prefix}template"
            with self._admin() as conn:
                _drop_orphans(conn)
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
            db = Database(self.url_of(name))
            db.migrate()
            db.close()
            self._template = name
        return self._template

    def fresh(self) -> str:
        """The URL of a new, migrated, empty database."""
        with self._lock:
            template = self._ensure_template()
            name = next(self._names)
            with self._admin() as conn:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return self.url_of(name)

    def empty(self) -> str:
        """The URL of a new database with no schema at all (for migration tests)."""
        with self._lock:
            name = next(self._names)
            with self._admin() as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            return self.url_of(name)

    def for_data_dir(self, data_dir: Path) -> str:
        """The database of a data directory: the same one each time it is asked for."""
        key = Path(data_dir).resolve()
        with self._lock:
            name = self._by_dir.get(key)
        if name is None:
            url = self.fresh()
            with self._lock:
                self._by_dir[key] = make_url(url).database
            return url
        return self.url_of(name)

    def _created(self, conn) -> list[str]:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                            (self._prefix.replace("_", r"\_") + "%",)).fetchall()
        return [r[0] for r in rows if r[0] != self._template]

    def drop_idle(self) -> None:
        """Drop the test databases nobody is connected to (their servers have stopped)."""
        with self._lock, self._admin() as conn:
            busy = {r[0] for r in conn.execute(
                "SELECT DISTINCT datname FROM pg_stat_activity WHERE datname IS NOT NULL")}
            for name in self._created(conn):
                if name not in busy:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                    for key in [k for k, v in self._by_dir.items() if v == name]:
                        del self._by_dir[key]

    def drop_all(self) -> None:
        with self._lock, self._admin() as conn:
            for name in [*self._created(conn), self._template]:
                if name:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._by_dir.clear()
            self._template = None


_pool: PostgresDatabases | None = None


def pg_databases() -> PostgresDatabases | None:
    """The suite's PostgreSQL databases when it runs on PostgreSQL, else None."""
    global _pool
    if TEST_DATABASE_URL is None:
        return None
    if _pool is None:
        _pool = PostgresDatabases(TEST_DATABASE_URL)
    return _pool


def database_url_for(data_dir: Path) -> str | None:
    """What ``PYGOTCHI_DATABASE_URL`` a server on ``data_dir`` gets in this test run."""
    pool = pg_databases()
    return None if pool is None else pool.for_data_dir(data_dir)


def open_database(data_dir: Path):
    """``Database.for_data_dir`` as a server on ``data_dir`` would open it in this run."""
    from pygotchi.store import Database

    return Database.for_data_dir(data_dir, database_url_for(data_dir))


def postgres_for_tests() -> tuple[str | None, str]:
    """(URL, "") of a PostgreSQL for PostgreSQL-only tests, or (None, why there is none)."""
    url = TEST_DATABASE_URL or DEFAULT_POSTGRES_URL
    problem = postgres_problem(url)
    return (None, problem) if problem else (url, "")


def stored_roms(rom_store) -> set[str]:
    """The sha256 of every ROM image a server keeps, files (SQLite) or rows (PostgreSQL)."""
    from sqlalchemy import select

    from pygotchi.store import RomBlobs
    from pygotchi.store.models import RomImage

    if isinstance(rom_store, RomBlobs):
        with rom_store.db.session() as s:
            return set(s.scalars(select(RomImage.sha256)))
    folder = rom_store.folder
    return {p.stem for p in folder.iterdir()} if folder.is_dir() else set()
