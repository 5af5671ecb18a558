"""The live websocket: screens when they change, every beep, press-and-hold, access."""

from __future__ import annotations

import time

import pytest
from websockets.exceptions import InvalidStatus

from pygotchi.emu import TICKS_PER_SECOND
from pygotchi.server.livepet import LivePet
from tests.server.helpers import Viewer, held_in_frame, held_on_screen, wait_for


def test_status_then_screen_on_connect(world):
    pet = world.owner.new_pet()
    with world.owner.ws(pet["id"]) as v:
        first = v.receive()
        assert first[0] == 0x03
        assert set(v.statuses[0]) == {"status", "emulated_seconds", "tick", "catch_up", "pressed"}
        assert v.statuses[0]["status"] == "running" and v.statuses[0]["pressed"] == []
        second = v.receive()
        assert second[0] == 0x01 and len(second) == 70


def test_screens_only_when_they_change(world):
    pet = world.owner.new_pet()
    with world.owner.ws(pet["id"]) as v:
        # the echo ROM's clock pixel changes twice a second: wait for a few changes
        v.until(lambda v: len(v.frames) >= 4, what="four frames")
        seqs = [s for s, _ in v.frames]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        frames = [f for _, f in v.frames]
        assert all(a != b for a, b in zip(frames, frames[1:], strict=False))
        assert all(len(f) == 65 for f in frames)


def test_press_and_hold_with_beeps(world):
    pet = world.owner.new_pet()
    with world.owner.ws(pet["id"]) as v:
        v.until(lambda v: v.frames)
        v.send(type="button", button="A", down=True)
        v.until(lambda v: held_in_frame(v.frames[-1][1]) == {"A"}, what="A held on screen")
        v.until(lambda v: v.statuses[-1]["pressed"] == ["A"], what="status with A")
        v.until(lambda v: any(on for _, on, _ in v.buzzer), what="beep on")
        # keep holding across several screen changes of the clock pixel
        held_from = len(v.frames)
        v.until(lambda v: len(v.frames) >= held_from + 2, what="more frames while held")
        assert all(held_in_frame(f) == {"A"} for _, f in v.frames[held_from - 1:])
        v.send(type="button", button="A", down=False)
        v.until(lambda v: held_in_frame(v.frames[-1][1]) == set(), what="A released")
        v.until(lambda v: v.buzzer and not v.buzzer[-1][1], what="beep off")
        on = [e for e in v.buzzer if e[1]][0]
        off = v.buzzer[-1]
        assert on[2] == 40960  # 4096.0 Hz in deci-hertz
        assert 0 < off[0] - on[0]
        # the beep lasted as long as the button was held, in the pet's own time
        assert (off[0] - on[0]) / TICKS_PER_SECOND > 0.4


def test_closing_the_socket_releases_what_it_held(world):
    owner = world.owner
    pet = owner.new_pet()
    first = owner.ws(pet["id"])
    with owner.ws(pet["id"]) as second:
        first.send(type="button", button="B", down=True)
        second.send(type="button", button="B", down=True)
        second.until(lambda v: v.frames and held_in_frame(v.frames[-1][1]) == {"B"})
        first.__exit__()  # B stays down: the second viewer still holds it
        second.send(type="ping")
        second.until(lambda v: v.texts)
        assert second.statuses[-1]["pressed"] == ["B"]
        second.send(type="button", button="B", down=False)
        second.until(lambda v: held_in_frame(v.frames[-1][1]) == set(), what="B released")
    third = owner.ws(pet["id"])
    third.send(type="button", button="C", down=True)
    third.until(lambda v: v.frames and held_in_frame(v.frames[-1][1]) == {"C"})
    third.__exit__()
    wait_for(lambda: held_on_screen(owner, pet["id"]) == set(),
             what="C released after the socket closed")


def test_tap_ping_and_mistakes(world):
    pet = world.owner.new_pet()
    with world.owner.ws(pet["id"]) as v:
        v.send(type="ping")
        v.until(lambda v: {"type": "pong"} in v.texts)
        v.send(type="tap")
        v.until(lambda v: v.frames and held_in_frame(v.frames[-1][1]) == {"TAP"}, what="tap")
        v.until(lambda v: held_in_frame(v.frames[-1][1]) == set(), what="tap over")
        for bad in ('{"type": "dance"}', "not json", '{"type": "button", "button": "Q", '
                    '"down": true}', '{"type": "button", "button": "A"}', "[1, 2]",
                    "[" * 3000, "9" * 4400, '{"type": "\\ud800"}',
                    '{"type": "button", "button": ["A"], "down": true}'):
            v.texts.clear()
            v.conn.send(bad)
            v.until(lambda v: v.texts, what=f"an answer to {bad}")
            assert v.texts[0]["type"] == "error" and v.texts[0]["message"]
        v.texts.clear()
        v.conn.send(b"\x01\x02")
        v.until(lambda v: v.texts)
        assert v.texts[0]["type"] == "error"
        v.send(type="ping")  # still connected after all that
        v.until(lambda v: {"type": "pong"} in v.texts)



def test_a_new_viewer_hears_its_status_before_any_screen(world, monkeypatch):
    # While the pet's frame is brought up to date for a new viewer, the scheduler's
    # rounds go on: none of their screens may reach the viewer before its welcome.
    owner = world.owner
    pet = owner.new_pet()
    refresh = LivePet.refresh_frame

    def refresh_slowly(self, wait: bool = True):
        time.sleep(0.3)  # rounds (every 10 ms here) run meanwhile
        return refresh(self, wait)

    monkeypatch.setattr(LivePet, "refresh_frame", refresh_slowly)
    with owner.ws(pet["id"]) as v:
        assert v.receive()[0] == 0x03  # the status first
        v.until(lambda v: v.frames)
        assert v.statuses[0]["status"] == "running"

def test_paused_pets_do_not_take_buttons(world):
    owner = world.owner
    pet = owner.new_pet()
    with owner.ws(pet["id"]) as v:
        v.until(lambda v: v.frames)
        owner.call("PATCH", f"/api/pets/{pet['id']}", json={"paused": True})
        v.until(lambda v: v.statuses[-1]["status"] == "paused", what="paused status")
        v.send(type="button", button="A", down=True)
        v.send(type="button", button="A", down=False)
        v.send(type="ping")
        v.until(lambda v: {"type": "pong"} in v.texts, what="the pong")
        # One press, one message: the release is not refused a second time.
        assert [t["type"] for t in v.texts] == ["error", "pong"]
        assert "paused" in v.texts[0]["message"]
        owner.call("PATCH", f"/api/pets/{pet['id']}", json={"paused": False})
        v.until(lambda v: v.statuses[-1]["status"] == "running", what="running status")


def test_model_without_tap_sensor(world, p1_rom):
    r = world.admin.call("POST", "/api/roms", files={"file": ("p1.bin", p1_rom.read_bytes())})
    pet = world.owner.new_pet("P1", r.json()["id"])
    with world.owner.ws(pet["id"]) as v:
        v.send(type="tap")
        v.until(lambda v: v.texts)
        assert v.texts[0] == {"type": "error", "message": "this model has no tap sensor"}
    world.owner.call("DELETE", f"/api/pets/{pet['id']}?confirm=yes")


def test_who_may_connect(world):
    pet = world.owner.new_pet()
    url = f"{world.server.ws_url}/api/pets/{pet['id']}/ws"
    with Viewer(url) as v:
        assert v.closed_with() == 4401
    with Viewer(url + "?token=pgt_wrong") as v:
        assert v.closed_with() == 4401
    with world.other.ws(pet["id"]) as v:
        assert v.closed_with() == 4404
    with world.admin.ws(pet["id"]) as v:
        assert v.closed_with() == 4404
    with world.owner.ws("no-such-pet") as v:
        assert v.closed_with() == 4404
    with world.owner.ws(pet["id"], cookie=True) as v:
        v.until(lambda v: v.frames, what="a frame over a cookie session")
    # a page on another site cannot use the owner's cookie
    with world.owner.ws(pet["id"], cookie=True, origin="http://evil.example") as v:
        assert v.closed_with() == 4401
    port = world.server.port
    with world.owner.ws(pet["id"], cookie=True, origin=f"http://127.0.0.1:{port}") as v:
        v.until(lambda v: v.frames)


def test_deleting_the_pet_closes_its_viewers(world):
    pet = world.owner.new_pet()
    with world.owner.ws(pet["id"]) as v:
        v.until(lambda v: v.frames)
        world.owner.call("DELETE", f"/api/pets/{pet['id']}?confirm=yes")
        assert v.closed_with() == 4404


def test_plain_http_to_the_socket_is_refused(world):
    pet = world.owner.new_pet()
    r = world.owner.call("GET", f"/api/pets/{pet['id']}/ws")
    assert r.status_code in (400, 404, 426)
    with pytest.raises(InvalidStatus):
        Viewer(f"{world.server.ws_url}/api/nothing/ws")


def test_viewers_hear_when_the_pets_clock_jumps(world):
    owner = world.owner
    pet = owner.new_pet()
    wait_for(lambda: owner.call("GET", f"/api/pets/{pet['id']}").json()["emulated_seconds"] > 1)
    with owner.ws(pet["id"]) as v:
        v.until(lambda v: v.frames)
        owner.call("POST", f"/api/pets/{pet['id']}/reset", json={"confirm": True})
        # a status with the new (restarted) clock, so beeps stay in time
        v.until(lambda v: len(v.statuses) >= 2 and v.statuses[-1]["tick"] < TICKS_PER_SECOND,
                what="status after the reset")
