"""The database connection: one engine per process, SQLite tuned for a small server.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a committed transaction
survives the process being killed (only a power cut can lose the last few),
readers never wait for the checkpoint writer, and a busy timeout lets the
request threads and the checkpoint thread take turns instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(Path(data_dir) / 'pygotchi.db').resolve()}"


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
        self.url = url
        kwargs: dict = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        self.engine: Engine = create_engine(url, **kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def for_data_dir(cls, data_dir: Path, url: str | None = None) -> Database:
        return cls(url or sqlite_url(data_dir))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction is rolled back unless the caller commits."""
        with self._sessions() as session:
            yield session

    def migrate(self) -> None:
        from pygotchi.store.migrate import upgrade

        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()
