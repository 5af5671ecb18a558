"""Several real server processes sharing a fresh PostgreSQL database.

The database is created for the test and dropped after it. Where no PostgreSQL
answers, the tests skip with the reason (CI has one). Each node has a data
directory of its own, as on separate hosts: everything they share (pets,
leases, heartbeats, ROM images, keys) is in the database.
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.processes import ServerProcess
from tests.server.helpers import PASSWORD, echo_rom, wait_for

PG_ADMIN_URL = os.environ.get("PYGOTCHI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
# Short leases keep these tests quick; the deadlines below stay generous for a loaded host.
LEASE_TIMEOUT = 3.0
RENEW = 0.5
CHECKPOINT = 1.0
IDLE = 0.2
NODE_ENV = {"lease_timeout": str(LEASE_TIMEOUT), "lease_renew": str(RENEW),
            "checkpoint_interval": str(CHECKPOINT), "idle_interval_ms": str(int(IDLE * 1000)),
            "cluster_history": "1", "max_pets_per_user": "0", "worker_threads": "2"}


def _connect(url: str):
    psycopg = pytest.importorskip("psycopg", reason="psycopg 3 is not installed")
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL at {url} ({str(exc).strip().splitlines()[0]}); "
                    "CI starts one")


@contextmanager
def pg_database():
    """A new, empty database; yields its SQLAlchemy URL (postgresql+psycopg://...)."""
    name = f"pygotchi_cluster_{secrets.token_hex(4)}"
    with _connect(PG_ADMIN_URL) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    finally:
        with _connect(PG_ADMIN_URL) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def sql(url: str, query: str, *args) -> list[tuple]:
    """Rows of ``query`` read straight from the database."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1),
                         autocommit=True) as c:
        return list(c.execute(query, args).fetchall())


class Cluster:
    """Nodes n1, n2... started on one database, stopped (or killed) at the end."""

    def __init__(self, tmp: Path, url: str, **env: str) -> None:
        self.tmp = tmp
        self.url = url
        self.env = {**NODE_ENV, "database_url": url, **env}
        self.nodes: dict[str, ServerProcess] = {}
        self.csrf: dict[str, str] = {}

    def start(self, *names: str) -> list[ServerProcess]:
        started = []
        for name in names:
            # a data directory each, as on separate hosts: what they share is in PostgreSQL
            node = ServerProcess(self.tmp / f"data-{name}", self.tmp / f"{name}.log",
                                 args=("--node-name", name), **self.env)
            self.nodes[name] = node
            started.append(node)
        return started

    def sign_in(self, name: str) -> dict[str, str]:
        """Create the administrator through ``name`` (first time), or sign in there."""
        node = self.nodes[name]
        body = {"username": "admin", "password": PASSWORD}
        if not self.csrf:
            body["setup_code"] = node.events("setup_code")[-1]["code"]
            r = node.client.post("/api/setup", json=body)
        else:
            r = node.client.post("/api/session", json=body)
        assert r.status_code in (200, 201), r.text
        self.csrf[name] = r.json()["csrf_token"]
        return {"X-CSRF-Token": self.csrf[name]}

    def create_pets(self, via: str, count: int, **extra) -> list[str]:
        node = self.nodes[via]
        headers = {"X-CSRF-Token": self.csrf[via]}
        rom = node.client.post("/api/roms", files={"file": ("echo.bin", echo_rom())},
                               headers=headers)
        assert rom.status_code in (200, 201), rom.text
        ids = []
        for i in range(count):
            r = node.client.post("/api/pets", json={"name": f"p{i}", "rom": rom.json()["id"],
                                                    **extra}, headers=headers)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        return ids

    def leases(self) -> dict[str, str | None]:
        """pet id -> the node whose lease it is under (None: free)."""
        return dict(sql(self.url, "SELECT pet_id, node FROM pet_leases"))

    def live(self) -> set[str]:
        return {r[0] for r in sql(self.url, "SELECT name FROM cluster_nodes WHERE "
                                  "expires_at > EXTRACT(EPOCH FROM clock_timestamp()) "
                                  "AND NOT leaving")}

    def held(self) -> dict[str, int]:
        """Live node -> pets it holds (every node, even with none)."""
        counts = dict.fromkeys(self.live(), 0)
        for node in self.leases().values():
            if node in counts:
                counts[node] += 1
        return counts

    def balanced(self, pets: int, nodes: set[str]) -> dict[str, int] | None:
        """The shares when every pet is held by one of ``nodes``, each within 10% of an
        even split; else None."""
        held = self.held()
        if set(held) != nodes or sum(held.values()) != pets:
            return None
        even = pets / len(nodes)
        return held if all(abs(n - even) <= 0.1 * even for n in held.values()) else None

    def wait_balanced(self, pets: int, nodes: set[str], timeout: float = 60) -> dict:
        return wait_for(lambda: self.balanced(pets, nodes), timeout=timeout, interval=0.1,
                        what=f"{pets} pets spread over {sorted(nodes)}")

    def close(self) -> None:
        for node in self.nodes.values():
            if node.proc.poll() is None:
                node.proc.send_signal(signal.SIGCONT)
            node.kill()


def history(url: str) -> list[tuple[int, str, str, int, int, float]]:
    """Every checkpoint written: (id, pet, node, epoch, tick, written_at), in id order."""
    return sql(url, "SELECT id, pet_id, node, epoch, tick, written_at FROM checkpoint_history "
                    "ORDER BY id")


def check_history(url: str) -> int:
    """The fencing, checked on every checkpoint ever written: per pet, epochs never go
    back and each epoch belongs to one node; ticks never go back. Returns rows seen."""
    last: dict[str, tuple[int, int]] = {}
    owner: dict[tuple[str, int], str] = {}
    rows = history(url)
    for row_id, pet, node, epoch, tick, _ in rows:
        seen_owner = owner.setdefault((pet, epoch), node)
        assert seen_owner == node, f"epoch {epoch} of pet {pet} written by {seen_owner} " \
                                   f"and {node} (checkpoint {row_id})"
        if pet in last:
            prev_epoch, prev_tick = last[pet]
            assert epoch >= prev_epoch, f"stale checkpoint {row_id}: pet {pet} epoch " \
                                        f"{epoch} by {node} after epoch {prev_epoch}"
            assert tick >= prev_tick, f"checkpoint {row_id} of pet {pet} went back in time"
        last[pet] = (epoch, tick)
    return len(rows)


def now_db(url: str) -> float:
    return float(sql(url, "SELECT EXTRACT(EPOCH FROM clock_timestamp())")[0][0])


def wall() -> float:
    return time.time()
