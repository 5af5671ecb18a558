"""Fixtures for server tests: apps on temporary data directories, served on loopback.

The suite runs on SQLite, or with ``PYGOTCHI_TEST_DATABASE_URL`` set on
PostgreSQL, each data directory with a fresh database (tests/server/databases.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from pygotchi.server.app import create_app
from pygotchi.server.settings import Settings
from tests.server.databases import (
    TEST_DATABASE_URL,
    database_url_for,
    on_postgres,
    pg_databases,
    postgres_problem,
)
from tests.server.helpers import LiveServer, User, add_player, echo_rom, set_up_admin

ECHO_DEMO = ("Echo test ROM", echo_rom())


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): about SQLite itself; skipped when the suite runs on "
                   "PostgreSQL (PYGOTCHI_TEST_DATABASE_URL)")


def pytest_collection_modifyitems(config, items) -> None:
    if not on_postgres():
        return
    here = Path(__file__).resolve().parent
    problem = postgres_problem(TEST_DATABASE_URL)
    for item in items:
        if here not in Path(str(item.path)).resolve().parents:
            continue
        if problem:
            item.add_marker(pytest.mark.skip(reason=f"PYGOTCHI_TEST_DATABASE_URL: {problem}"))
        elif (mark := item.get_closest_marker("sqlite_only")) is not None:
            why = mark.args[0] if mark.args else mark.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {why}"))


@pytest.fixture(autouse=True, scope="session")
def _postgres_databases() -> Iterator[None]:
    """On PostgreSQL: every test database is dropped when the session ends."""
    yield
    pool = pg_databases()
    if pool is not None:
        pool.drop_all()


@pytest.fixture(autouse=True)
def _drop_finished_databases() -> Iterator[None]:
    """On PostgreSQL: a test's databases go once their servers stopped (disk stays small)."""
    yield
    pool = pg_databases()
    if pool is not None:
        pool.drop_idle()


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id still, at a test-friendly cost (the server uses the library's default)."""
    import pygotchi.server.passwords as pw

    saved = pw._hasher, pw._DUMMY
    pw._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    pw._DUMMY = pw._hasher.hash("no such user")
    yield
    pw._hasher, pw._DUMMY = saved


def settings_for(data_dir: Path, **overrides) -> Settings:
    values = {"data_dir": data_dir, "database_url": database_url_for(data_dir),
              "tick_interval_ms": 10, "idle_interval_ms": 100,
              "checkpoint_interval": 1.0, "worker_threads": 2, "log_level": "warning",
              **overrides}
    return Settings(**values)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Start servers on ``tmp_path`` (same data directory each time); stopped at the end."""
    started: list[LiveServer] = []

    def start(demo=ECHO_DEMO, clock=None, **overrides) -> LiveServer:
        app = create_app(settings_for(tmp_path / "data", **overrides), demo=demo, clock=clock)
        server = LiveServer(app).__enter__()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.__exit__(None, None, None)


@dataclass
class World:
    """A running server with an admin, a pet owner and another player."""

    server: LiveServer
    admin: User
    owner: User
    other: User

    def anonymous(self):
        return self.server.client()


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    data = tmp_path_factory.mktemp("world")
    app = create_app(settings_for(data), demo=ECHO_DEMO)
    with LiveServer(app) as server:
        admin = set_up_admin(server)
        owner = add_player(admin, "owner")
        other = add_player(admin, "other")
        yield World(server, admin, owner, other)
        for user in (admin, owner, other):
            user.close()
