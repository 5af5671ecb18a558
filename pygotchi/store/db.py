"""The database connection: one engine per process, on SQLite or PostgreSQL.

SQLite (the default, a file in the data directory) is for one server process:
it runs in WAL mode with ``synchronous=NORMAL``, so a committed transaction
survives the process being killed (only a power cut can lose the last few),
readers never wait for the checkpoint writer, and a busy timeout lets the
request threads and the checkpoint thread take turns instead of failing.

PostgreSQL (``PYGOTCHI_DATABASE_URL=postgresql+psycopg://...``, psycopg 3) is
for several processes or hosts sharing the pets: the same migrations build the
same schema on it, and everything every process must see (ROM images, keys,
the sign-in limiter, the first-run setup) lives in the database, not in the
data directory. Connections are checked before use (``pool_pre_ping``) so a
restarted PostgreSQL costs a retry, not a failed request.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

DB_FILE = "pygotchi.db"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(Path(data_dir) / DB_FILE).resolve()}"


class DatabaseUrlError(ValueError):
    """A ``PYGOTCHI_DATABASE_URL`` this server cannot use; the message says what to write."""


def normalize_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean psycopg 3, the driver pygotchi ships with.

    SQLAlchemy's bare ``postgresql://`` picks psycopg2, which is not a dependency;
    a URL naming any other driver or database is refused with a message rather than
    failing later on an import.
    """
    try:
        parsed = make_url(url)
    except Exception:
        raise DatabaseUrlError(
            "PYGOTCHI_DATABASE_URL is not a database URL; write "
            "postgresql+psycopg://USER:PASSWORD@HOST:5432/DATABASE or "
            "sqlite:////path/to/pygotchi.db") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgres", "postgresql") and driver in ("", "psycopg"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(
            hide_password=False)
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return url
    raise DatabaseUrlError(
        f"PYGOTCHI_DATABASE_URL names {parsed.drivername!r}; pygotchi runs on "
        "postgresql+psycopg://... (psycopg 3) or sqlite:///...")


def make_private(data_dir: Path, sqlite: bool = True) -> None:
    """The data directory is the owner's only: 0700, and 0600 for the files in it.

    The database holds password hashes and every pet; the secret key signs CSRF
    tokens. SQLite gives its WAL and SHM files the permissions of the database
    file, so that file is created 0600 before SQLite first opens it (an empty
    file is an empty database). Files from older versions are tightened here too.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    db_file = data_dir / DB_FILE
    if sqlite and not db_file.exists():
        os.close(os.open(db_file, os.O_CREAT | os.O_WRONLY, 0o600))
    for name in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", "secret.key"):
        if (data_dir / name).exists():
            os.chmod(data_dir / name, 0o600)
    roms = data_dir / "roms"
    if roms.is_dir():
        os.chmod(roms, 0o700)
        for rom in roms.iterdir():
            if rom.is_file():
                os.chmod(rom, 0o600)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Database:
    """The engine and a session factory; ``migrate()`` brings the schema up to date."""

    def __init__(self, url: str) -> None:
        self.url = url = normalize_url(url)
        kwargs: dict = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            # Up to 8 emulation threads, the checkpoint writer and the request threads
            # share the pool; 30 s is long enough for a failover of the database.
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=20,
                          pool_timeout=30, connect_args={"connect_timeout": 10})
        self.engine: Engine = create_engine(url, **kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def shared(self) -> bool:
        """True when other processes may use this database too (PostgreSQL)."""
        return self.engine.dialect.name != "sqlite"

    @classmethod
    def for_data_dir(cls, data_dir: Path, url: str | None = None) -> Database:
        """The database of a data directory (made private first), or the one at ``url``."""
        make_private(data_dir, sqlite=url is None)
        return cls(url or sqlite_url(data_dir))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction is rolled back unless the caller commits."""
        with self._sessions() as session:
            yield session

    def migrate(self) -> tuple[str | None, str | None]:
        """Bring the schema up to date; (revision before, revision after)."""
        from pygotchi.store.migrate import upgrade

        return upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()
