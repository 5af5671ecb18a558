"""On the real P1: a pet nobody watches calls, and its owner's phone hears of it in time.

The state is made here with the emulator: the P1 from reset, its clock set
and the egg started as a person does it (the golden "hatch" script), run to
a few seconds before the hatched baby first calls (its attention icon
lights about 313 s after reset). Loaded into a server pet with no viewer,
it must send exactly one push, within 5 seconds of the icon lighting.
"""

from __future__ import annotations

import time

from pygotchi.emu import TICKS_PER_SECOND, Machine, load_rom_file
from tests.conftest import rom_path
from tests.server.helpers import set_up_admin, wait_for
from tests.server.pushservice import PushService

HATCH = [(2000, "B", True), (2200, "B", False), (4000, "A", True), (4200, "A", False),
         (5000, "B", True), (5200, "B", False), (6000, "C", True), (6200, "C", False)]
ATTENTION = 7  # the P1's attention icon
STEP = TICKS_PER_SECOND // 64


def first_call_tick(machine: Machine, limit_s: float) -> int | None:
    """The first tick (to 1/64 s) at which the attention icon is lit."""
    end = machine.tick + int(limit_s * TICKS_PER_SECOND)
    while machine.tick < end:
        machine.run_until(machine.tick + STEP)
        if machine.icon_lit(ATTENTION):
            return machine.tick
    return None


def p1_before_first_call(rom, lead_s: float) -> tuple[bytes, int]:
    """A P1 state ``lead_s`` seconds before its first call, and that call's tick."""
    probe = Machine(rom)
    for ms, button, down in HATCH:
        probe.set_button(button, down, at_tick=ms * TICKS_PER_SECOND // 1000)
    call = first_call_tick(probe, 20 * 60)
    assert call is not None, "the P1 did not call within 20 minutes of reset"
    m = Machine(rom)
    for ms, button, down in HATCH:
        m.set_button(button, down, at_tick=ms * TICKS_PER_SECOND // 1000)
    m.run_until(call - int(lead_s * TICKS_PER_SECOND))
    assert not m.icon_lit(ATTENTION)
    return m.save_state(), call


def test_an_unwatched_p1_sends_one_push_within_5_s_of_calling(serve):
    path = rom_path("p1.bin")
    rom = load_rom_file(path)
    state, call_tick = p1_before_first_call(rom, lead_s=4.0)
    loaded = Machine(rom)
    loaded.load_state(state)
    push = PushService()
    try:
        server = serve(push_allowed_hosts="127.0.0.1", idle_interval_ms=500)  # the default
        owner = set_up_admin(server, "owner")
        push.server_key = owner.call("GET", "/api/push/key").json()["public_key"]
        _, sub = push.new_browser("phone")
        assert owner.call("POST", "/api/push/subscriptions", json=sub).status_code == 201
        r = owner.call("POST", "/api/roms", files={"file": ("p1.bin", path.read_bytes())})
        assert r.status_code == 201, r.text
        pet = owner.new_pet("Tama", rom=r.json()["id"])
        before = time.time()
        r = owner.call("PUT", f"/api/pets/{pet['id']}/state", files={"file": ("s", state)})
        assert r.status_code == 200, r.text
        # The server anchored the state at some instant after ``before``: the icon lit
        # no earlier than this.
        lit_at = before + (call_tick - loaded.tick) / TICKS_PER_SECOND
        live = server.services.scheduler.pets[pet["id"]]
        assert not live.viewers
        wait_for(lambda: push.received, timeout=30, what="the push")
        (message,) = push.received
        assert message.payload["kind"] == "call" and message.payload["pet"] == pet["id"]
        assert message.payload["title"] == "Tama is calling"
        delay = message.at - lit_at
        print(f"push arrived {delay:.2f} s after the icon lit")
        assert delay < 5.0
        # Exactly one: the call goes on (nobody answers) and no second push comes.
        wait_for(lambda: live.tick > call_tick + 3 * TICKS_PER_SECOND, what="3 s more")
        assert len(push.received) == 1 and push.rejected == []
        assert not live.viewers
    finally:
        push.close()
