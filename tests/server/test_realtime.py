"""Real time: pets follow the wall clock, catch up after downtime, checkpoint their state.

A fake wall clock makes these exact: the pets' emulated time must equal the
time the clock says has passed, to the tick (give or take one instruction).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import text

import pygotchi.emu
from pygotchi.emu import TICKS_PER_SECOND
from pygotchi.server.scheduler import Clock
from tests.server.helpers import set_up_admin, sign_in, wait_for

COMPILED = getattr(pygotchi.emu, "COMPILED", False)
STEP = 12 / TICKS_PER_SECOND  # one instruction may overshoot a target tick


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.t

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.t += seconds


def pet_of(user, pet_id):
    return user.call("GET", f"/api/pets/{pet_id}").json()


def settled(user, pet_id, expected: float):
    """Wait until the pet is running and has reached ``expected`` emulated seconds."""
    def reached():
        pet = pet_of(user, pet_id)
        return pet["status"] == "running" and pet["emulated_seconds"] >= expected - STEP \
            and pet
    return wait_for(reached, what=f"pet at {expected} s")


def test_pets_follow_the_clock_exactly(serve):
    fake = FakeClock()
    server = serve(clock=Clock(fake))
    admin = set_up_admin(server)
    pet = admin.new_pet()
    assert pet["emulated_seconds"] == 0
    fake.advance(3.0)
    got = settled(admin, pet["id"], 3.0)
    assert got["emulated_seconds"] <= 3.0 + STEP + 0.001
    screen = admin.call("GET", f"/api/pets/{pet['id']}/screen").json()
    assert abs(screen["emulated_seconds"] - 3.0) <= STEP + 0.001
    admin.close()


def test_checkpoints_store_state_and_its_instant(serve):
    fake = FakeClock()
    server = serve(clock=Clock(fake), checkpoint_interval=0.2)
    admin = set_up_admin(server)
    pet = admin.new_pet()
    created = fake()
    fake.advance(2.5)
    settled(admin, pet["id"], 2.5)
    db = server.services.db

    def saved():
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT state_tick, state_at FROM pets WHERE id = :i"),
                               {"i": pet["id"]}).one()
        return row if row.state_tick >= 2.5 * TICKS_PER_SECOND - 12 else None

    row = wait_for(saved, what="a checkpoint")
    # the stored instant is the wall-clock time that state belongs to
    assert abs(row.state_at - (created + row.state_tick / TICKS_PER_SECOND)) < 1e-6
    admin.close()


def test_downtime_policies(serve, caplog):
    fake = FakeClock()
    clock = Clock(fake)
    first = serve(clock=clock)
    admin = set_up_admin(first)
    catch = admin.new_pet("Catcher")
    skip = admin.new_pet("Skipper", catch_up="pause_while_down")
    frozen = admin.new_pet("Frozen")
    fake.advance(2.0)
    for pet in (catch, skip, frozen):
        settled(admin, pet["id"], 2.0)
    admin.call("PATCH", f"/api/pets/{frozen['id']}", json={"paused": True})
    first.__exit__(None, None, None)  # clean shutdown: final checkpoint
    admin.close()

    fake.advance(600.0)  # ten minutes with the server down
    caplog.set_level(logging.INFO, logger="pygotchi")
    second = serve(clock=Clock(fake))
    admin = sign_in(second, "admin")
    loaded = [r for r in caplog.records if r.getMessage() == "pets_loaded"][-1]
    assert loaded.fields["to_catch_up"] == 1 and loaded.fields["paused"] == 1
    assert round(loaded.fields["missed_s"]) == 600 and round(loaded.fields["skipped_s"]) == 600

    got = settled(admin, catch["id"], 602.0)
    assert got["emulated_seconds"] <= 602.0 + STEP + 0.001
    kept = pet_of(admin, skip["id"])
    assert abs(kept["emulated_seconds"] - 2.0) <= STEP + 0.001 and kept["status"] == "running"
    still = pet_of(admin, frozen["id"])
    assert still["status"] == "paused" and abs(still["emulated_seconds"] - 2.0) <= STEP + 0.001
    events = [r.getMessage() for r in caplog.records]
    assert "catch_up_start" in events and "catch_up_done" in events
    admin.close()


def test_catch_up_progress_is_shown(serve):
    fake = FakeClock()
    server = serve(clock=Clock(fake), catch_up_chunk=20.0)
    admin = set_up_admin(server)
    pet = admin.new_pet()
    missed = 3600.0 if COMPILED else 900.0
    with admin.ws(pet["id"]) as viewer:
        viewer.until(lambda v: v.frames)
        fake.advance(missed)
        viewer.until(lambda v: any(s["status"] == "catching_up" for s in v.statuses),
                     what="catching_up status")
        viewer.until(lambda v: v.statuses[-1]["status"] == "running", timeout=120,
                     what="caught up")
    progress = [s["catch_up"] for s in viewer.statuses if s["status"] == "catching_up"]
    assert all(p is not None and 0 <= p["done_s"] <= p["total_s"] for p in progress)
    # The backlog counted from where the catch-up began: a live round already in flight
    # when the clock jumped may first have run the pet up to its limit (the catch-up
    # threshold plus one second, Scheduler._advance_batch), never more.
    in_flight = server.services.settings.catch_up_threshold + 1
    assert missed - in_flight - 1 < progress[0]["total_s"] < missed + 1
    assert abs(viewer.statuses[-1]["emulated_seconds"] - missed) <= 0.01
    admin.close()


def test_a_long_catch_up_does_not_stall_others(serve):
    fake = FakeClock()
    server = serve(clock=Clock(fake), catch_up_chunk=5.0)
    admin = set_up_admin(server)
    behind = admin.new_pet("Behind")
    # this pet alone missed a day (as after downtime); the others did not
    server.services.scheduler.pets[behind["id"]].anchor_wall -= 86400 if COMPILED else 720
    fake.advance(0.2)  # the next sweep (every idle interval) looks at every pet
    fresh = admin.new_pet("Fresh")
    wait_for(lambda: pet_of(admin, behind["id"])["status"] == "catching_up")
    expected = 0.0
    while pet_of(admin, behind["id"])["status"] == "catching_up":
        fake.advance(0.25)
        expected += 0.25
        # meanwhile the fresh pet keeps time and the API answers
        settled(admin, fresh["id"], expected)
    assert expected > 0
    settled(admin, behind["id"], 86400 if COMPILED else 720)
    admin.close()


def test_clock_never_runs_backwards():
    fake = FakeClock(1000.0)
    clock = Clock(fake)
    assert clock.now() == 1000.0
    fake.advance(-3600)  # the system clock was set back an hour
    assert clock.now() == 1000.0
    fake.advance(5)
    assert clock.now() == 1005.0  # and then time goes on from where it was


def test_a_pet_whose_rom_file_is_gone_is_kept_and_explained(serve, caplog):
    first = serve()
    admin = set_up_admin(first)
    rom = first.services.rom_files
    from tests.server.helpers import other_rom

    sha = admin.call("POST", "/api/roms", files={"file": ("r.bin", other_rom())}).json()["id"]
    lost = admin.new_pet("Lost", sha)
    fine = admin.new_pet("Fine")
    first.__exit__(None, None, None)
    admin.close()
    saved = rom.read(sha)
    rom.delete(sha)  # someone tidied the data directory (or the database) by hand

    caplog.set_level(logging.INFO, logger="pygotchi")
    second = serve()
    admin = sign_in(second, "admin")
    assert any(r.getMessage() == "pet_unavailable" for r in caplog.records)
    pets = {p["name"]: p for p in admin.call("GET", "/api/pets").json()}
    assert pets["Lost"]["status"] == "unavailable"
    assert "ROM file is missing" in pets["Lost"]["error"]
    assert pets["Fine"]["error"] is None and pets["Fine"]["status"] == "running"
    r = admin.call("POST", f"/api/pets/{lost['id']}/buttons", json={"button": "A"})
    assert r.status_code == 409 and r.json()["error"] == "unavailable"
    assert admin.call("GET", f"/api/pets/{lost['id']}/state").status_code == 409
    with admin.ws(lost["id"]) as v:
        assert v.closed_with() == 4404
    assert admin.call("GET", f"/api/pets/{fine['id']}/screen").status_code == 200
    second.__exit__(None, None, None)
    admin.close()

    rom.write(saved)  # put back: the pet lives again, nothing was lost
    third = serve()
    admin = sign_in(third, "admin")
    back = admin.call("GET", f"/api/pets/{lost['id']}").json()
    assert back["error"] is None and back["status"] in ("running", "catching_up")
    admin.close()
