""""Set to my time": the server sets a P1's own clock by pressing its buttons.

On the real P1 ROM (skipped without it): from the egg whose clock was never
set, and from a hatched pet with a menu icon selected; afterwards the clock
screen (B on the main screen) reads the time asked for, carried forward by the
time the pressing took. The server runs on a clock 8 times faster than the
wall, so the half minute of presses takes a few seconds here (on a busy machine
the pet may fall behind that clock and catch up first: the test waits for it).
"""

from __future__ import annotations

import threading
import time

import pytest

from pygotchi.emu import TICKS_PER_SECOND, Machine, load_rom
from pygotchi.server.scheduler import Clock
from pygotchi.server.toyclock import ClockReading, WallTime, read_clock
from tests.server.helpers import set_up_admin, wait_for

SPEED = 4.0


def fast_clock() -> Clock:
    start = time.time()
    return Clock(lambda: start + (time.time() - start) * SPEED)


def press(m: Machine, buttons: str, ms: int = 200, after_ms: int = 1000) -> None:
    t = m.tick
    for b in buttons:
        m.press(b)
    for b in buttons:
        m.release(b, at_tick=t + ms * TICKS_PER_SECOND // 1000)
    m.run_until(t + (ms + after_ms) * TICKS_PER_SECOND // 1000)


def test_reading_the_p1_clock_screen(p1_rom):
    m = Machine(load_rom(p1_rom.read_bytes()))
    m.run_until(2 * TICKS_PER_SECOND)
    assert read_clock(m.screen().text()) is None, "the egg is not a clock"
    press(m, "B")  # the egg: clock setting at once
    assert read_clock(m.screen().text()) == ClockReading(0, 0, True)
    for _ in range(13):
        press(m, "A", 100, 300)
    press(m, "B", 100, 1000)
    assert read_clock(m.screen().text()) == ClockReading(13, 1, True)  # "1:01 PM"
    press(m, "C")
    assert read_clock(m.screen().text()) == ClockReading(13, 1, False)


def test_the_phone_time_moves_on_while_pressing():
    asked = WallTime(23, 59, 10, at=1000.0)
    assert asked.minute_at(1000.0) == (23, 59)
    assert asked.minute_at(1025.0) == (0, 0)  # 23:59:35 rounds to the next minute
    assert asked.minute_at(1000.0 + 86400) == (23, 59)


def p1_pet(serve, p1_rom, state: bytes | None = None):
    server = serve(clock=fast_clock())
    admin = set_up_admin(server)
    r = admin.call("POST", "/api/roms", files={"file": ("p1.bin", p1_rom.read_bytes())})
    pet = admin.new_pet("Clocky", r.json()["id"])
    assert pet["set_clock"] is True
    if state is not None:
        r = admin.call("PUT", f"/api/pets/{pet['id']}/state",
                       files={"file": ("p1.state", state)})
        assert r.status_code == 200, r.text
    return admin, pet


def clock_screen(user, pet_id: str) -> ClockReading | None:
    """Press B (the clock, from the main screen; on the egg, the clock setting) and read
    what the screen shows; press again if the screen was still busy, as a person would."""
    def shown():
        pixels = user.call("GET", f"/api/pets/{pet_id}/screen").json()["pixels"]
        return read_clock(pixels)

    for _ in range(3):
        r = user.call("POST", f"/api/pets/{pet_id}/buttons", json={"button": "B", "ms": 200})
        assert r.status_code == 200, r.text
        try:
            return wait_for(shown, timeout=3.0, what="the clock screen")
        except AssertionError:
            continue
    return None


def minutes(h: int, m: int) -> int:
    return h * 60 + m


def set_clock(user, pet_id: str, body: dict):
    """POST the time, once the pet is not catching up with the fast clock."""
    def attempt():
        r = user.call("POST", f"/api/pets/{pet_id}/clock", json=body, timeout=120)
        return None if r.json().get("error") == "catching_up" else r
    return wait_for(attempt, timeout=60, interval=0.5, what="the pet to keep up")


def set_and_check(user, pet_id: str, hour: int, minute: int) -> None:
    began = time.monotonic()
    r = set_clock(user, pet_id, {"hour": hour, "minute": minute, "second": 0})
    assert r.status_code == 200, r.text
    took = (time.monotonic() - began) * SPEED  # seconds on the pet's (and phone's) clock
    h, m = (int(x) for x in r.json()["time"].split(":"))
    shown = clock_screen(user, pet_id)
    assert shown is not None
    late = (minutes(shown.hour, shown.minute) - minutes(hour, minute)) % 1440
    assert late <= took / 60 + 1, f"asked {hour}:{minute:02d}, the toy shows {shown}"
    assert (h, m) == (shown.hour, shown.minute) or late >= 1


@pytest.mark.parametrize("hour, minute", [(0, 2), (14, 35)])
def test_set_to_my_time_on_the_egg(serve, p1_rom, hour, minute):
    # After confirming, the egg shows the clock at 14:35 but its main screen at 00:02.
    user, pet = p1_pet(serve, p1_rom)
    set_and_check(user, pet["id"], hour, minute)


def test_set_to_my_time_on_a_hatched_p1_with_a_menu_open(serve, p1_rom):
    m = Machine(load_rom(p1_rom.read_bytes()))
    m.run_until(2 * TICKS_PER_SECOND)
    for b in "BABC":
        press(m, b)
    press(m, "B")  # back to the egg; it hatches about five minutes later
    m.run_until(330 * TICKS_PER_SECOND)
    press(m, "A")  # the food icon is selected
    assert m.screen().icons[0]
    user, pet = p1_pet(serve, p1_rom, m.save_state())
    results = {}

    def run():
        results["r"] = set_clock(user, pet["id"], {"hour": 9, "minute": 5})

    worker = threading.Thread(target=run)
    worker.start()
    # While the server presses, the owner's own presses are refused, with a reason.
    refused = wait_for(lambda: (r := user.call("POST", f"/api/pets/{pet['id']}/buttons",
                                               json={"button": "A"})).status_code == 409 and r,
                       what="a refused press")
    assert refused.json()["error"] == "busy"
    worker.join(120)
    assert results["r"].status_code == 200, results["r"].text
    set_and_check(user, pet["id"], 23, 58)


def test_where_it_is_not_supported(world):
    pet = world.owner.new_pet()  # the echo test ROM: not a known toy
    assert pet["set_clock"] is False
    r = world.owner.call("POST", f"/api/pets/{pet['id']}/clock", json={"hour": 9, "minute": 5})
    assert r.status_code == 422 and r.json()["error"] == "not_supported"
    assert "P1" in r.json()["message"]
    r = world.owner.call("POST", f"/api/pets/{pet['id']}/clock", json={"hour": 24, "minute": 5})
    assert r.status_code == 422


@pytest.mark.parametrize("path", ["/api/pets/{id}/clock"])
def test_the_route_is_in_the_contract(world, path):
    spec = world.owner.call("GET", "/openapi.json").json()
    op = spec["paths"]["/api/pets/{pet_id}/clock"]["post"]
    assert {"200", "409", "422"} <= set(op["responses"])
