"""An acknowledged change is on disk, and stays there.

* A checkpoint whose snapshot was taken before a change (upload, reset, pause)
  but commits after it must not overwrite it: states carry a version.
* A change the store cannot save (a full disk) is answered 507 and undone in
  memory, so what the client hears is what the disk holds.
* While checkpoints fail, ``/healthz`` says so.
"""

from __future__ import annotations

import errno
import threading

from sqlalchemy import text

from pygotchi.emu import TICKS_PER_SECOND
from pygotchi.server.scheduler import Clock
from tests.server.faults import full_disk
from tests.server.helpers import set_up_admin, sign_in, wait_for
from tests.server.test_realtime import FakeClock, pet_of, settled


def _stored(server, pet_id: str):
    with server.services.db.engine.connect() as conn:
        return conn.execute(text("SELECT state_tick, state_version, paused FROM pets "
                                 "WHERE id = :i"), {"i": pet_id}).one()


def _stage_late_checkpoint(server, pet_id: str):
    """Start a checkpoint of one pet that takes its snapshot now and commits on ``go``."""
    sched = server.services.scheduler
    live = sched.pets[pet_id]
    taken, go = threading.Event(), threading.Event()
    commit = sched._commit_checkpoints

    def late(batch):
        if threading.current_thread().name == "late-checkpoint":
            taken.set()
            assert go.wait(30)
        commit(batch)

    sched._commit_checkpoints = late
    worker = threading.Thread(target=sched.checkpoint_sync, args=([live],),
                              name="late-checkpoint")
    worker.start()
    assert taken.wait(30), "the checkpoint took no snapshot"
    return go, worker


def test_a_late_checkpoint_never_overwrites_an_acknowledged_upload(serve):
    fake = FakeClock()
    server = serve(clock=Clock(fake), checkpoint_interval=10)
    admin = set_up_admin(server)
    young = admin.new_pet("Young")
    upload = admin.call("GET", f"/api/pets/{young['id']}/state").content  # an egg, tick 0
    pet = admin.new_pet("Old")
    fake.advance(4.0)
    settled(admin, pet["id"], 4.0)

    go, worker = _stage_late_checkpoint(server, pet["id"])  # snapshot: 4 s old lineage
    r = admin.call("PUT", f"/api/pets/{pet['id']}/state",
                   files={"file": ("egg.pgst", upload, "application/octet-stream")})
    assert r.status_code == 200 and r.json()["emulated_seconds"] < 0.5  # acknowledged
    go.set()
    worker.join(30)

    row = _stored(server, pet["id"])
    assert row.state_tick < TICKS_PER_SECOND // 2, "the older snapshot overwrote the upload"
    assert row.state_version == server.services.scheduler.pets[pet["id"]].version >= 1
    # A crash now: nothing more reaches the disk (the shutdown's last checkpoint fails).
    with full_disk(server.services.db):
        server.__exit__(None, None, None)
    admin.close()
    second = serve(clock=Clock(fake))
    admin = sign_in(second, "admin")
    assert pet_of(admin, pet["id"])["emulated_seconds"] < 0.5  # the upload survived
    admin.close()


def test_a_late_checkpoint_never_overwrites_a_reset_or_a_pause(serve):
    fake = FakeClock()
    server = serve(clock=Clock(fake), checkpoint_interval=10)
    admin = set_up_admin(server)
    pet = admin.new_pet()
    fake.advance(3.0)
    settled(admin, pet["id"], 3.0)
    go, worker = _stage_late_checkpoint(server, pet["id"])
    r = admin.call("POST", f"/api/pets/{pet['id']}/reset", json={"confirm": True})
    assert r.status_code == 200
    r = admin.call("PATCH", f"/api/pets/{pet['id']}", json={"paused": True})
    assert r.status_code == 200 and r.json()["status"] == "paused"
    go.set()
    worker.join(30)
    row = _stored(server, pet["id"])
    assert row.state_tick < TICKS_PER_SECOND // 2 and row.paused
    assert row.state_version == 2
    admin.close()


def test_a_change_the_disk_cannot_hold_is_507_and_undone(serve):
    fake = FakeClock()
    server = serve(clock=Clock(fake), checkpoint_interval=10)
    admin = set_up_admin(server)
    young = admin.new_pet("Young")
    upload = admin.call("GET", f"/api/pets/{young['id']}/state").content
    pet = admin.new_pet("Old")
    fake.advance(3.0)
    settled(admin, pet["id"], 3.0)
    url = f"/api/pets/{pet['id']}"
    before = _stored(server, pet["id"])

    with full_disk(server.services.db):
        r = admin.call("PUT", f"{url}/state", files={"file": ("egg.pgst", upload)})
        assert r.status_code == 507, r.text
        body = r.json()
        assert body["error"] == "storage_full" and "storage is full" in body["message"]
        assert body["request_id"] == r.headers["x-request-id"]
        assert pet_of(admin, pet["id"])["emulated_seconds"] >= 3.0  # rolled back
        r = admin.call("POST", f"{url}/reset", json={"confirm": True})
        assert r.status_code == 507
        r = admin.call("PATCH", url, json={"paused": True})
        assert r.status_code == 507
        got = pet_of(admin, pet["id"])
        assert got["status"] == "running" and got["emulated_seconds"] >= 3.0
        r = admin.call("POST", "/api/pets", json={"name": "New", "rom": "demo"})
        assert r.status_code == 507
    assert _stored(server, pet["id"]).state_version == before.state_version
    assert len(admin.call("GET", "/api/pets").json()) == 2
    # room again: the same upload works and the pet lives on from the uploaded state
    r = admin.call("PUT", f"{url}/state", files={"file": ("egg.pgst", upload)})
    assert r.status_code == 200 and r.json()["emulated_seconds"] < 0.5
    admin.close()


def test_a_rom_upload_on_a_full_disk_is_507(serve, monkeypatch):
    server = serve()
    admin = set_up_admin(server)
    from tests.server.helpers import other_rom

    def no_room(data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(server.services.rom_files, "write", no_room)
    r = admin.call("POST", "/api/roms", files={"file": ("r.bin", other_rom())})
    assert r.status_code == 507 and r.json()["error"] == "storage_full"
    admin.close()


def test_health_is_degraded_while_checkpoints_fail(serve):
    server = serve(checkpoint_interval=0.2)
    admin = set_up_admin(server)
    admin.new_pet()
    with server.client() as c:
        assert c.get("/healthz").json()["status"] == "ok"
        with full_disk(server.services.db):
            health = wait_for(lambda: (h := c.get("/healthz").json())["status"] == "degraded"
                              and h, what="degraded health")
            assert "storage is full" in health["problems"][0]
        wait_for(lambda: c.get("/healthz").json()["status"] == "ok", what="health back")
    admin.close()


def test_reads_go_on_while_the_disk_is_full(serve):
    server = serve()
    admin = set_up_admin(server)
    pet = admin.new_pet()
    with server.services.db.engine.begin() as conn:  # both due for their bookkeeping write
        conn.execute(text("UPDATE api_tokens SET last_used_at = '2000-01-01 00:00:00'"))
        conn.execute(text("UPDATE sessions SET last_seen_at = '2000-01-01 00:00:00'"))
    with full_disk(server.services.db):
        assert admin.script("GET", f"/api/pets/{pet['id']}").status_code == 200
        assert admin.call("GET", "/api/pets").status_code == 200
    admin.close()
