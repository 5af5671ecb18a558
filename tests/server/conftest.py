"""Fixtures for server tests: apps on temporary data directories, served on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from pygotchi.server.app import create_app
from pygotchi.server.settings import Settings
from tests.server.helpers import LiveServer, User, add_player, echo_rom, set_up_admin

ECHO_DEMO = ("Echo test ROM", echo_rom())


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
    values = {"data_dir": data_dir, "tick_interval_ms": 10, "idle_interval_ms": 100,
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
