"""A real server process killed with SIGKILL (and one stopped with SIGTERM), restarted.

No pet may be lost, and each pet's emulated time must be where its policy says:
``catch_up`` pets at the wall clock again, ``pause_while_down`` pets short by the
downtime plus at most one checkpoint interval, paused pets where they were.
"""

from __future__ import annotations

import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from pygotchi.store import Database
from tests.processes import ServerProcess as Server
from tests.server.databases import database_url_for
from tests.server.helpers import PASSWORD, echo_rom, wait_for

TPS = 32768
CHECKPOINT = 1.0  # seconds, the server's checkpoint interval in these tests
IDLE = 0.2  # seconds, how often unwatched pets are advanced


class ServerProcess(Server):
    def __init__(self, data: Path, log: Path, database_url: str | None = None) -> None:
        """``database_url``: default, the suite's database for ``data`` (SQLite or not)."""
        url = database_url or database_url_for(data)
        # On PostgreSQL the restarted process is a new node: the killed one's pets are
        # free once its lease runs out, kept short here.
        extra = {"database_url": url, "lease_timeout": "2", "lease_renew": "0.5"} if url \
            else {}
        super().__init__(data, log, checkpoint_interval=str(CHECKPOINT),
                         idle_interval_ms=str(int(IDLE * 1000)), catch_up_threshold="0.5",
                         **extra)


def rows(data: Path) -> dict[str, tuple[int, float, int]]:
    """id -> (state_tick, state_at, paused), read straight from the database."""
    url = database_url_for(data)
    if url:
        db = Database(url)
        try:
            with db.engine.connect() as conn:
                return {r[0]: (r[1], r[2], int(r[3])) for r in conn.execute(
                    text("SELECT id, state_tick, state_at, paused FROM pets"))}
        finally:
            db.close()
    db = sqlite3.connect(f"file:{data / 'pygotchi.db'}?mode=ro", uri=True, timeout=10)
    try:
        return {r[0]: (r[1], r[2], r[3]) for r in
                db.execute("SELECT id, state_tick, state_at, paused FROM pets")}
    finally:
        db.close()


def sign_in(server: ServerProcess, first: bool) -> dict[str, str]:
    c = server.client
    body = {"username": "admin", "password": PASSWORD}
    if first:  # the one-time setup code is in the server's log
        body["setup_code"] = server.events("setup_code")[-1]["code"]
    r = c.post("/api/setup" if first else "/api/session", json=body)
    assert r.status_code in (200, 201), r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


def pet(server: ServerProcess, pet_id: str) -> dict:
    r = server.client.get(f"/api/pets/{pet_id}")
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_kill_9_loses_no_pet_and_time_catches_up(tmp_path):
    data, log = tmp_path / "data", tmp_path / "server.log"
    server = ServerProcess(data, log)
    csrf = sign_in(server, first=True)
    rom = server.client.post("/api/roms", files={"file": ("echo.bin", echo_rom())},
                             headers=csrf).json()["id"]

    def create(name: str, **extra) -> str:
        r = server.client.post("/api/pets", json={"name": name, "rom": rom, **extra},
                               headers=csrf)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    catcher = create("Catcher")
    skipper = create("Skipper", catch_up="pause_while_down")
    sleeper = create("Sleeper")
    # let them live a little, and wait for a checkpoint that holds it
    wait_for(lambda: all(rows(data)[p][0] > 1.5 * TPS for p in (catcher, skipper, sleeper)),
             what="a checkpoint after 1.5 s of life")
    r = server.client.patch(f"/api/pets/{sleeper}", json={"paused": True}, headers=csrf)
    frozen = r.json()["emulated_seconds"]
    newborn = create("Newborn")  # no checkpoint yet: only its creation was written

    before = rows(data)
    # wall-clock instant of tick 0 for the catch_up pet
    catcher_zero = before[catcher][1] - before[catcher][0] / TPS
    skipper_zero = before[skipper][1] - before[skipper][0] / TPS
    killed_at = time.time()
    assert server.stop(signal.SIGKILL) == -signal.SIGKILL
    time.sleep(2.0)  # the server is down for a while

    server = ServerProcess(data, log)
    back_at = time.time()
    sign_in(server, first=False)
    names = {p["name"] for p in server.client.get("/api/pets").json()}
    assert names == {"Catcher", "Skipper", "Sleeper", "Newborn"}  # nobody lost

    # catch_up: back at the wall clock, whatever the kill cost
    got = wait_for(lambda: (p := pet(server, catcher))["status"] == "running" and p,
                   what="Catcher caught up")
    asked = time.time()
    got = pet(server, catcher)
    after = time.time()
    assert asked - catcher_zero - CHECKPOINT - IDLE <= got["emulated_seconds"] \
        <= after - catcher_zero + 0.01
    born = wait_for(lambda: (p := pet(server, newborn))["status"] == "running" and p)
    assert born["emulated_seconds"] >= 2.0  # it lived through the downtime too

    # pause_while_down: the downtime (and at most a checkpoint interval) is skipped
    got = pet(server, skipper)
    now = time.time()
    lost = (now - skipper_zero) - got["emulated_seconds"]
    assert back_at - killed_at - 0.5 <= lost <= (now - killed_at) + CHECKPOINT + IDLE

    # paused: exactly where it was
    got = pet(server, sleeper)
    assert got["status"] == "paused" and got["emulated_seconds"] == frozen

    loaded = server.events("pets_loaded")[-1]
    assert loaded["pets"] == 4 and loaded["paused"] == 1
    assert server.events("catch_up_done")
    assert server.stop(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert server.events("shutdown_checkpoint")


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
def test_sigterm_saves_every_pet(tmp_path):
    data, log = tmp_path / "data", tmp_path / "server.log"
    server = ServerProcess(data, log)
    csrf = sign_in(server, first=True)
    rom = server.client.post("/api/roms", files={"file": ("echo.bin", echo_rom())},
                             headers=csrf).json()["id"]
    ids = [server.client.post("/api/pets", json={"name": f"p{i}", "rom": rom,
                                                  "catch_up": "pause_while_down"},
                              headers=csrf).json()["id"] for i in range(3)]
    time.sleep(0.3)
    stopped_at = time.time()
    # uvicorn shuts down cleanly, then re-raises the signal so the exit status tells
    assert server.stop(signal.SIGTERM) in (0, -signal.SIGTERM)
    saved = rows(data)
    for pet_id in ids:
        tick, at, _ = saved[pet_id]
        # the last checkpoint was taken at shutdown, not a checkpoint interval before
        assert stopped_at - IDLE - 0.1 <= at <= time.time()
        assert tick > 0
    assert server.events("shutdown_checkpoint")[-1]["pets"] == 3
