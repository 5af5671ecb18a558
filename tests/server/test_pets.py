"""Pets over REST: life cycle, state files in and out, buttons, screen."""

from __future__ import annotations

import time

import pytest

from pygotchi.emu import TICKS_PER_SECOND, Machine
from tests.server.helpers import cpu_bin_of, echo_rom, held_on_screen, other_rom, wait_for


def seconds(user, pet_id: str) -> float:
    r = user.call("GET", f"/api/pets/{pet_id}")
    assert r.status_code == 200, r.text
    return r.json()["emulated_seconds"]


def test_create_list_get(world):
    owner = world.owner
    pet = owner.new_pet("Mochi")
    assert pet["name"] == "Mochi" and pet["status"] == "running"
    assert pet["catch_up"] == "catch_up" and pet["catch_up_progress"] is None
    assert pet["buttons"] == ["A", "B", "C", "TAP"] and pet["model"] == "e0c6s46"
    assert pet["rom"]["name"] == "Echo test ROM" and pet["background"] == "generic"
    assert len(pet["id"]) >= 12 and pet["created_at"].endswith("Z")
    assert pet["id"] in [p["id"] for p in owner.call("GET", "/api/pets").json()]
    assert pet["id"] not in [p["id"] for p in world.other.call("GET", "/api/pets").json()]
    wait_for(lambda: seconds(owner, pet["id"]) > 0.5, what="the pet's clock to run")


def test_names_and_roms_are_checked(world):
    owner = world.owner
    for name in ("", "   ", "x" * 33, "bad\x07name"):
        r = owner.call("POST", "/api/pets", json={"name": name, "rom": "demo"})
        assert r.status_code == 422 and r.json()["error"] == "invalid", name
    r = owner.call("POST", "/api/pets", json={"name": "ok", "rom": "f" * 64})
    assert r.status_code == 422 and r.json()["error"] == "unknown_rom"
    r = owner.call("POST", "/api/pets", json={"name": "ok"})
    assert r.status_code == 422 and r.json()["message"] == "rom is required"
    r = owner.call("POST", "/api/pets", content=b"{not json",
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["message"]
    r = owner.call("POST", "/api/pets", json={"name": " Ünïcødé 🐣 ", "rom": "demo",
                                              "catch_up": "pause_while_down"})
    assert r.status_code == 201
    assert r.json()["name"] == "Ünïcødé 🐣" and r.json()["catch_up"] == "pause_while_down"


def test_rename_and_policy(world):
    owner = world.owner
    pet = owner.new_pet("Old")
    r = owner.call("PATCH", f"/api/pets/{pet['id']}", json={"name": "New",
                                                            "catch_up": "pause_while_down"})
    assert r.status_code == 200
    assert r.json()["name"] == "New" and r.json()["catch_up"] == "pause_while_down"
    r = owner.call("PATCH", f"/api/pets/{pet['id']}", json={"catch_up": "sometimes"})
    assert r.status_code == 422


def test_pause_freezes_and_resume_skips_nothing(world):
    owner = world.owner
    pet = owner.new_pet()
    wait_for(lambda: seconds(owner, pet["id"]) > 0.3)
    r = owner.call("PATCH", f"/api/pets/{pet['id']}", json={"paused": True})
    assert r.status_code == 200 and r.json()["status"] == "paused"
    frozen = r.json()["emulated_seconds"]
    time.sleep(0.5)
    assert seconds(owner, pet["id"]) == frozen
    assert owner.call("GET", f"/api/pets/{pet['id']}/screen").json()["emulated_seconds"] == frozen
    resumed_at = time.monotonic()
    r = owner.call("PATCH", f"/api/pets/{pet['id']}", json={"paused": False})
    assert r.json()["status"] == "running"
    wait_for(lambda: seconds(owner, pet["id"]) > frozen + 0.3)
    now = owner.call("GET", f"/api/pets/{pet['id']}/screen").json()["emulated_seconds"]
    elapsed = time.monotonic() - resumed_at
    # it continued from where it stopped: the pause was not fast-forwarded
    assert frozen < now <= frozen + elapsed + 0.05


def test_reset_and_delete_need_confirmation(world):
    owner = world.owner
    pet = owner.new_pet()
    wait_for(lambda: seconds(owner, pet["id"]) > 1.0)
    for body in (None, {}, {"confirm": False}):
        r = owner.call("POST", f"/api/pets/{pet['id']}/reset", json=body)
        assert r.status_code == 400 and r.json()["error"] == "confirm_required"
    assert seconds(owner, pet["id"]) > 1.0
    r = owner.call("POST", f"/api/pets/{pet['id']}/reset", json={"confirm": True})
    assert r.status_code == 200 and r.json()["emulated_seconds"] < 1.0
    r = owner.call("DELETE", f"/api/pets/{pet['id']}")
    assert r.status_code == 400 and r.json()["error"] == "confirm_required"
    r = owner.call("DELETE", f"/api/pets/{pet['id']}?confirm=true")
    assert r.status_code == 400
    assert owner.call("DELETE", f"/api/pets/{pet['id']}?confirm=yes").status_code == 204
    assert owner.call("GET", f"/api/pets/{pet['id']}").status_code == 404
    assert owner.call("DELETE", f"/api/pets/{pet['id']}?confirm=yes").status_code == 404


def test_state_download_and_upload_roundtrip(world):
    owner = world.owner
    pet = owner.new_pet("Round Trip!")
    wait_for(lambda: seconds(owner, pet["id"]) > 2.0)
    r = owner.call("GET", f"/api/pets/{pet['id']}/state")
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"] == 'attachment; filename="Round-Trip.pgst"'
    saved = r.content
    assert saved[:4] == b"PGST"
    at = Machine(echo_rom())
    at.load_state(saved)
    r = owner.call("POST", f"/api/pets/{pet['id']}/reset", json={"confirm": True})
    assert r.json()["emulated_seconds"] < 2.0
    r = owner.call("PUT", f"/api/pets/{pet['id']}/state", files={"file": ("x.pgst", saved)})
    assert r.status_code == 200, r.text
    assert r.json()["emulated_seconds"] >= round(at.tick / TICKS_PER_SECOND, 3) - 0.001

    tlst = owner.call("GET", f"/api/pets/{pet['id']}/state?format=tlst")
    assert tlst.status_code == 200 and tlst.content[:4] == b"TLST" and len(tlst.content) == 977
    assert tlst.headers["content-disposition"].endswith('.tlst"')
    r = owner.call("PUT", f"/api/pets/{pet['id']}/state", files={"file": ("s.tlst", tlst.content)})
    assert r.status_code == 200, r.text
    assert owner.call("GET", f"/api/pets/{pet['id']}/state?format=zip").status_code == 422


def test_original_pygotchi_cpu_bin_is_accepted(world):
    owner = world.owner
    pet = owner.new_pet()
    m = Machine(echo_rom())
    m.run_until(100 * TICKS_PER_SECOND)
    r = owner.call("PUT", f"/api/pets/{pet['id']}/state",
                   files={"file": ("cpu.bin", cpu_bin_of(m))})
    assert r.status_code == 200, r.text
    assert r.json()["emulated_seconds"] >= 100.0


@pytest.mark.parametrize("damage", ["flip", "truncate", "foreign", "junk"])
def test_bad_states_are_refused_and_the_pet_untouched(world, damage):
    owner = world.owner
    pet = owner.new_pet()
    wait_for(lambda: seconds(owner, pet["id"]) > 1.0)
    good = owner.call("GET", f"/api/pets/{pet['id']}/state").content
    if damage == "flip":
        bad = good[:100] + bytes([good[100] ^ 0x40]) + good[101:]
    elif damage == "truncate":
        bad = good[:-10]
    elif damage == "junk":
        bad = b"\x00" * 300
    else:
        foreign = Machine(other_rom())
        foreign.run_until(5 * TICKS_PER_SECOND)
        bad = foreign.save_state()
    before = seconds(owner, pet["id"])
    r = owner.call("PUT", f"/api/pets/{pet['id']}/state", files={"file": ("s", bad)})
    assert r.status_code == 422 and r.json()["error"] == "bad_state"
    assert "not changed" in r.json()["message"]
    if damage == "foreign":
        assert "another ROM" in r.json()["message"]
    assert seconds(owner, pet["id"]) >= before  # still the same pet, still running
    assert owner.call("GET", f"/api/pets/{pet['id']}").json()["status"] == "running"


def test_too_many_pets(serve):
    from tests.server.helpers import set_up_admin

    server = serve(max_pets_per_user=2)
    admin = set_up_admin(server)
    admin.new_pet()
    admin.new_pet()
    r = admin.call("POST", "/api/pets", json={"name": "third", "rom": "demo"})
    assert r.status_code == 409 and r.json()["error"] == "too_many_pets"
    admin.close()


# --- buttons and screen ------------------------------------------------------------

def test_screen_as_json_and_png(world):
    owner = world.owner
    pet = owner.new_pet()
    screen = owner.call("GET", f"/api/pets/{pet['id']}/screen").json()
    assert set(screen) == {"seq", "emulated_seconds", "pixels", "icons", "buzzer"}
    assert len(screen["pixels"]) == 16 and all(len(row) == 32 for row in screen["pixels"])
    assert set("".join(screen["pixels"])) <= {"#", "."}
    assert screen["icons"] == [False] * 8 and screen["buzzer"] == {"on": False, "freq_hz": 4096.0}
    png = owner.call("GET", f"/api/pets/{pet['id']}/screen.png?scale=3")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert owner.call("GET", f"/api/pets/{pet['id']}/screen.png?scale=0").status_code == 422
    assert owner.call("GET", f"/api/pets/{pet['id']}/screen.png?scale=99").status_code == 422


def test_hold_and_release_over_rest(world):
    owner = world.owner
    pet = owner.new_pet()
    url = f"/api/pets/{pet['id']}/buttons"
    r = owner.script("POST", url, json={"button": "a", "action": "down"})
    assert r.status_code == 200 and r.json()["pressed"] == ["A"]
    wait_for(lambda: held_on_screen(owner, pet["id"]) == {"A"}, what="A on the screen")
    screen = owner.call("GET", f"/api/pets/{pet['id']}/screen").json()
    assert screen["buzzer"]["on"] is True
    r = owner.script("POST", url, json={"button": "A", "action": "up"})
    assert r.json()["pressed"] == []
    wait_for(lambda: held_on_screen(owner, pet["id"]) == set(), what="A released")


def test_timed_press_and_combination(world):
    owner = world.owner
    pet = owner.new_pet()
    url = f"/api/pets/{pet['id']}/buttons"
    before = seconds(owner, pet["id"])
    r = owner.script("POST", url, json={"buttons": ["A", "C"], "ms": 300})
    assert r.status_code == 200
    # the answer comes once the buttons are released again, 300 ms of the pet's time later
    assert r.json()["pressed"] == [] and r.json()["emulated_seconds"] >= before + 0.3
    r = owner.script("POST", url, json={"button": "B"})  # default 150 ms
    assert r.status_code == 200 and r.json()["pressed"] == []


def test_buttons_are_checked(world):
    owner = world.owner
    pet = owner.new_pet()
    url = f"/api/pets/{pet['id']}/buttons"
    r = owner.script("POST", url, json={"button": "Z"})
    assert r.status_code == 422 and r.json()["error"] == "bad_button"
    assert "A, B, C, TAP" in r.json()["message"]
    assert owner.script("POST", url, json={"button": "A", "ms": 20_000}).status_code == 422
    assert owner.script("POST", url, json={"button": "A", "ms": 0}).status_code == 422
    assert owner.script("POST", url, json={}).status_code == 422
    assert owner.script("POST", url, json={"button": "A", "action": "wiggle"}).status_code == 422
    owner.call("PATCH", f"/api/pets/{pet['id']}", json={"paused": True})
    r = owner.script("POST", url, json={"button": "A"})
    assert r.status_code == 409 and r.json()["error"] == "paused"


def test_the_pet_list_glances_at_every_pet_without_running_it(world):
    owner = world.owner
    pet = owner.new_pet("Glance")
    live = world.server.services.scheduler.get(pet["id"], owner.id)
    # Running a pet takes its lock: with the lock held here, an endpoint that ran the
    # pet would hang; this one answers from what the scheduler already has.
    with live.lock:
        r = owner.call("GET", "/api/pets/screens", timeout=10)
        seq, frame = live.frame
    assert r.status_code == 200
    glance = {p["id"]: p for p in r.json()}[pet["id"]]
    assert glance["status"] == "running"
    assert bytes.fromhex(glance["frame"]) == frame and glance["seq"] == seq
    listed = {p["id"] for p in owner.call("GET", "/api/pets").json()}
    assert {p["id"] for p in r.json()} <= listed
    others = world.other.call("GET", "/api/pets/screens").json()
    assert pet["id"] not in {p["id"] for p in others}


def test_a_glance_shows_an_unwatched_pets_screen_as_it_is(world):
    # Nobody watches this pet, so its runs pack no screen: the glance packs it.
    owner = world.owner
    pet = owner.new_pet("Unseen")
    url = f"/api/pets/{pet['id']}"
    live = world.server.services.scheduler.get(pet["id"], owner.id)

    def stale() -> bool:
        with live.lock:
            return live.frame[1] != live.machine.screen().frame

    for _ in range(20):  # pause it while the kept frame is behind its screen
        wait_for(stale, what="the pet's screen to move on from its last packed frame")
        owner.call("PATCH", url, json={"paused": True})
        if stale():
            break
        owner.call("PATCH", url, json={"paused": False})
    else:
        pytest.fail("the pet never paused with its frame behind")
    glance = {p["id"]: p for p in owner.call("GET", "/api/pets/screens").json()}[pet["id"]]
    with live.lock:
        assert bytes.fromhex(glance["frame"]) == live.machine.screen().frame
