"""The debugger over HTTP, on the echo test ROM (tests/server/helpers.py).

The echo ROM loops from 0x104: reads the clock timer (F21), stores it in M0,
reads the buttons (F40, at 0x10B), draws the held ones at E00, drives the
buzzer (F54). The session works on a copy: the pet changes only when the owner
applies it, and never when the pet moved on meanwhile.
"""

from __future__ import annotations

import pytest

from pygotchi.emu import Machine, load_rom
from tests.server.helpers import Viewer, add_player, echo_rom, wait_for

LOOP = 0x104
AFTER_BUTTON_READ = 0x10C


@pytest.fixture
def paused_pet(world):
    owner = world.owner
    pet = owner.new_pet("Debugged")
    r = owner.call("PATCH", f"/api/pets/{pet['id']}", json={"paused": True})
    assert r.status_code == 200 and r.json()["status"] == "paused"
    yield pet["id"]
    owner.call("DELETE", f"/api/pets/{pet['id']}/debug")
    owner.call("DELETE", f"/api/pets/{pet['id']}?confirm=yes")


def _state(user, pet_id: str) -> Machine:
    m = Machine(load_rom(echo_rom()))
    m.load_state(user.call("GET", f"/api/pets/{pet_id}/state").content)
    return m


def _cmd(user, pet_id: str, **body) -> dict:
    r = user.call("POST", f"/api/pets/{pet_id}/debug/command", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _stopped(user, pet_id: str) -> dict:
    def done():
        view = user.call("GET", f"/api/pets/{pet_id}/debug").json()
        return None if view["running"] else view
    return wait_for(done, what="the debug run to stop")


def test_steps_back_breakpoints_and_watchpoints(world, paused_pet) -> None:
    owner, pet = world.owner, paused_pet
    base = f"/api/pets/{pet}/debug"
    r = owner.call("GET", base)
    assert r.status_code == 409 and r.json()["error"] == "no_session"
    view = owner.call("POST", base).json()
    start = view["position"]
    assert view["stop"]["reason"] == "start" and view["start"] == start
    assert len(view["memory"]) == 4096 and len(view["frame"]) == 130
    at6 = _cmd(owner, pet, action="step", count=6)
    assert at6["position"] == start + 6
    assert _cmd(owner, pet, action="step", count=4)["position"] == start + 10
    back = _cmd(owner, pet, action="back", count=4)
    assert (back["position"], back["registers"], back["memory"]) == \
        (at6["position"], at6["registers"], at6["memory"])

    owner.call("PUT", f"{base}/watchpoints/{0xF40}", json={"read": True, "write": False})
    _cmd(owner, pet, action="continue", speed="max")
    view = _stopped(owner, pet)
    assert view["stop"]["reason"] == "watchpoint"
    assert (view["stop"]["address"], view["stop"]["access"]) == (0xF40, "read")
    assert view["registers"]["PC"] == AFTER_BUTTON_READ
    assert view["watchpoints"] == [{"address": 0xF40, "read": True, "write": False}]
    owner.call("DELETE", f"{base}/watchpoints/{0xF40}")

    # A held button, then a watch on the column that shows it.
    owner.call("PUT", f"{base}/buttons/A", json={"pressed": True})
    owner.call("PUT", f"{base}/watchpoints/{0xE00}", json={"read": False, "write": True})
    _cmd(owner, pet, action="continue")
    view = _stopped(owner, pet)
    assert view["stop"]["reason"] == "watchpoint" and view["stop"]["address"] == 0xE00
    assert view["memory"][0xE00] == "0"  # B was read before the press
    _cmd(owner, pet, action="continue")
    view = _stopped(owner, pet)
    assert view["stop"]["reason"] == "watchpoint" and view["stop"]["address"] == 0xE00
    assert view["memory"][0xE00] == "4"  # K02 held: bit 2
    assert 0xE00 in view["changed"] and view["pressed"] == ["A"]

    r = owner.call("PUT", f"{base}/breakpoints/{LOOP}")
    assert r.json()["breakpoints"] == [LOOP]
    _cmd(owner, pet, action="continue", speed="100x")
    view = _stopped(owner, pet)
    assert (view["stop"]["reason"], view["registers"]["PC"]) == ("breakpoint", LOOP)
    here = view["position"]
    before = _cmd(owner, pet, action="back_to_break")
    assert before["stop"]["reason"] in ("breakpoint", "watchpoint", "start")
    assert before["position"] < here
    assert owner.call("DELETE", f"{base}/breakpoints/{LOOP}").json()["breakpoints"] == []
    ran_to = _cmd(owner, pet, action="run_to", address=0x10A)
    assert ran_to["registers"]["PC"] == 0x10A and ran_to["stop"]["reason"] == "step"


def test_edits_are_discarded_or_applied(world, paused_pet) -> None:
    owner, pet = world.owner, paused_pet
    base = f"/api/pets/{pet}/debug"
    before = owner.call("GET", f"/api/pets/{pet}/state").content
    owner.call("POST", base)
    _cmd(owner, pet, action="step", count=5)
    view = owner.call("PUT", f"{base}/registers/B", json={"value": 9}).json()
    assert view["registers"]["B"] == 9 and view["stop"]["reason"] == "edit"
    view = owner.call("PUT", f"{base}/memory/{0x123}", json={"value": 7}).json()
    assert view["memory"][0x123] == "7"
    for path, body, status in ((f"{base}/registers/Q", {"value": 1}, 422),
                               (f"{base}/registers/A", {"value": 16}, 422),
                               (f"{base}/memory/{0x500}", {"value": 1}, 422),
                               (f"{base}/memory/{0x4000}", {"value": 1}, 422),
                               (f"{base}/buttons/Z", {"pressed": True}, 422)):
        r = owner.call("PUT", path, json=body)
        assert r.status_code == status, (path, r.text)
        assert r.json()["message"]
    r = owner.call("POST", f"{base}/command", json={"action": "run_to"})
    assert r.status_code == 422
    # Discard: the pet is exactly as it was.
    assert owner.call("DELETE", base).json() == {"applied": False}
    assert owner.call("GET", f"/api/pets/{pet}/state").content == before
    # Apply: the pet takes the debugged machine's state (saved before the answer).
    owner.call("POST", base)
    _cmd(owner, pet, action="step", count=3)
    owner.call("PUT", f"{base}/memory/{0x124}", json={"value": 5})
    expected = owner.call("GET", base).json()
    assert owner.call("DELETE", f"{base}?apply=true").json() == {"applied": True}
    m = _state(owner, pet)
    assert m.read_memory(0x124) == 5
    assert m.cpu.steps == expected["position"]
    assert m.registers()["PC"] == expected["registers"]["PC"]
    assert owner.call("GET", f"/api/pets/{pet}").json()["status"] == "paused"


def test_a_pet_that_moved_on_is_not_overwritten(world, paused_pet) -> None:
    owner, pet = world.owner, paused_pet
    base = f"/api/pets/{pet}/debug"
    owner.call("POST", base)
    _cmd(owner, pet, action="step", count=2)
    owner.call("PATCH", f"/api/pets/{pet}", json={"paused": False})
    assert owner.call("GET", base).json()["pet_changed"] is True
    r = owner.call("DELETE", f"{base}?apply=true")
    assert r.status_code == 409 and r.json()["error"] == "pet_changed"
    assert owner.call("DELETE", base).json() == {"applied": False}


def test_who_may_debug(world) -> None:
    owner, admin = world.owner, world.admin
    pet = owner.new_pet("Running")["id"]
    base = f"/api/pets/{pet}/debug"
    r = owner.call("POST", base)
    assert r.status_code == 409 and r.json()["error"] == "not_paused"
    assert world.other.call("POST", base).status_code == 404
    view = admin.call("POST", base).json()  # administrators: any pet, running or not
    assert view["opened_by"] == admin.name
    # one session per pet: its owner sees the administrator's session
    assert owner.call("GET", base).json()["position"] == view["position"]
    assert admin.call("DELETE", base).json() == {"applied": False}
    owner.call("DELETE", f"/api/pets/{pet}?confirm=yes")


def test_labels_are_per_user_and_rom(world, paused_pet) -> None:
    owner, pet = world.owner, paused_pet
    base = f"/api/pets/{pet}/debug"
    owner.call("POST", base)
    r = owner.call("PUT", f"{base}/labels/{LOOP}", json={"name": "main_loop"})
    assert r.status_code == 200 and r.json()["labels"] == {str(LOOP): "main_loop"}
    assert owner.call("PUT", f"{base}/labels/{LOOP}", json={"name": "bad name"}).status_code \
        == 422
    listing = owner.call("GET", f"{base}/disassembly?start={0x100}&count=32").json()
    lines = {line["address"]: line for line in listing["lines"]}
    assert lines[LOOP]["label"] == "main_loop"
    assert lines[0x11B]["text"].endswith("-> main_loop")  # JP loop
    # Another pet of the same ROM shows the owner's labels; another user has their own.
    twin = owner.new_pet("Twin")["id"]
    owner.call("PATCH", f"/api/pets/{twin}", json={"paused": True})
    owner.call("POST", f"/api/pets/{twin}/debug")
    listing = owner.call("GET", f"/api/pets/{twin}/debug/disassembly?start={LOOP}&count=1")
    assert listing.json()["lines"][0]["label"] == "main_loop"
    owner.call("DELETE", f"/api/pets/{twin}/debug")
    owner.call("DELETE", f"/api/pets/{twin}?confirm=yes")
    player = add_player(world.admin, "labeller")
    mine = player.new_pet("Mine")["id"]
    player.call("PATCH", f"/api/pets/{mine}", json={"paused": True})
    player.call("POST", f"/api/pets/{mine}/debug")
    listing = player.call("GET", f"/api/pets/{mine}/debug/disassembly?start={LOOP}&count=1")
    assert listing.json()["labels"] == {} and listing.json()["lines"][0]["label"] is None
    owner.call("DELETE", f"{base}/labels/{LOOP}")
    assert owner.call("GET", f"{base}/disassembly?count=1").json()["labels"] == {}


def test_the_websocket_streams_views_and_takes_commands(world, paused_pet) -> None:
    owner, pet = world.owner, paused_pet
    url = f"{world.server.ws_url}/api/pets/{pet}/debug/ws"
    with Viewer(f"{url}?token={world.other.token}") as foreign:
        assert foreign.closed_with() == 4404
    with Viewer(f"{url}?token={owner.token}") as early:  # no session yet
        assert early.closed_with() == 4409
    owner.call("POST", f"/api/pets/{pet}/debug")
    owner.call("PUT", f"/api/pets/{pet}/debug/breakpoints/{LOOP}")
    with Viewer(f"{url}?token={owner.token}") as ws:
        first = ws.until(lambda v: v.texts and v.texts[-1], what="the first view")
        ws.send(action="step", count=2)
        stepped = ws.until(lambda v: v.texts[-1]["position"] == first["position"] + 2
                           and v.texts[-1], what="the view after two steps")
        assert stepped["stop"]["reason"] == "step"
        ws.send(action="continue", speed="max")
        hit = ws.until(lambda v: v.texts[-1].get("stop", {}).get("reason") == "breakpoint"
                       and not v.texts[-1]["running"] and v.texts[-1], what="the breakpoint")
        assert hit["registers"]["PC"] == LOOP
        ws.send(action="jump")
        error = ws.until(lambda v: v.texts[-1].get("type") == "error" and v.texts[-1],
                         what="an error")
        assert "action" in error["message"] or "Input should be" in error["message"]
