"""Quick taps register: the server holds every press at least MIN_HOLD_TICKS.

ROMs poll their keys (the P1 every 7/256 s), so a press whose release arrives in
the same millisecond (a quick tap, or any press squeezed together by a jittery
network) would never be seen. Checked on the real P1 ROM (the tap opens the clock
screen as a held press does) and, without licensed ROMs, on a test ROM that
latches every button it ever sees, over the websocket and REST.
"""

from __future__ import annotations

from pygotchi.emu import TICKS_PER_SECOND, Machine, assemble, load_rom
from pygotchi.emu.rom import words_to_rombin
from pygotchi.server.livepet import MIN_HOLD_TICKS, LivePet
from tests.server.helpers import BUTTON_ROW, lit, wait_for

# Column 0 of the screen remembers every button the ROM has ever seen held
# (rows 0-2: C, B, A), read once per pass of a short loop.
LATCH_SOURCE = """
        ORG  0x100
loop:   LD   A,0xF
        LD   XP,A
        LD   X,0x40
        LD   B,MX          ; K00-K03, a bit is 0 while its button is held
        LD   A,0xE
        LD   XP,A
        LD   X,0x00
        LD   A,B
        XOR  A,0xF
        OR   MX,A          ; column 0 keeps every button once seen
        JP   loop
"""


def latch_rom() -> bytes:
    return words_to_rombin(assemble(LATCH_SOURCE).image(6144))


def live_pet(rom: bytes) -> LivePet:
    return LivePet(pet_id="p", owner_id=1, machine=Machine(load_rom(rom)), paused=False,
                   policy="catch_up", anchor_wall=0.0)


def test_an_instant_tap_is_held_long_enough_on_the_latch_rom():
    pet = live_pet(latch_rom())
    pet.advance(1.0)
    pet.hold("A", True, "ws1", 1.0)
    pet.hold("A", False, "ws1", 1.0)  # the same instant: a zero-length press
    assert pet.machine.pressed() == ("A",), "the press is still held in emulated time"
    pet.advance(1.0 + 2 * MIN_HOLD_TICKS / TICKS_PER_SECOND)
    assert pet.machine.pressed() == ()
    assert lit(pet.frame[1], 0, BUTTON_ROW["A"])


def test_a_new_press_is_not_cut_short_by_an_earlier_scheduled_release():
    pet = live_pet(latch_rom())
    pet.hold("B", True, "ws1", 1.0)
    pet.hold("B", False, "ws1", 1.0)
    pet.hold("B", True, "ws2", 1.01)  # pressed again before the first release was due
    pet.advance(2.0)
    assert pet.machine.pressed() == ("B",)
    pet.hold("B", False, "ws2", 2.0)  # held long enough: released at once
    assert pet.machine.pressed() == ()


def test_an_instant_tap_on_the_p1_does_what_a_held_press_does(p1_rom):
    rom = p1_rom.read_bytes()

    def screen_after(press_seconds: float) -> bytes:
        pet = live_pet(rom)
        pet.advance(2.0)  # the wobbling egg; B opens the clock-setting screen
        pet.hold("B", True, "ws1", 2.0)
        pet.hold("B", False, "ws1", 2.0 + press_seconds)
        pet.advance(3.0)
        return pet.machine.screen().frame

    untouched = live_pet(rom)
    untouched.advance(3.0)
    held = screen_after(0.2)
    assert held != untouched.machine.screen().frame, "B changes the P1's screen"
    assert screen_after(0.0) == held


def test_instant_taps_over_the_websocket_and_rest(world):
    admin, owner = world.admin, world.owner
    r = admin.call("POST", "/api/roms", files={"file": ("latch.bin", latch_rom())},
                   data={"name": "Latch test ROM"})
    assert r.status_code in (200, 201), r.text
    pet = owner.new_pet("Latch", r.json()["id"])

    def seen() -> set[str]:
        pixels = owner.call("GET", f"/api/pets/{pet['id']}/screen").json()["pixels"]
        return {name for name, row in BUTTON_ROW.items() if pixels[row][0] == "#"}

    with owner.ws(pet["id"]) as v:
        v.until(lambda v: v.frames)
        v.send(type="button", button="A", down=True)
        v.send(type="button", button="A", down=False)
        wait_for(lambda: "A" in seen(), what="the tap over the websocket to be seen")
    for action in ("down", "up"):
        r = owner.call("POST", f"/api/pets/{pet['id']}/buttons",
                       json={"button": "C", "action": action})
        assert r.status_code == 200, r.text
    wait_for(lambda: "C" in seen(), what="the tap over REST to be seen")
    r = owner.call("POST", f"/api/pets/{pet['id']}/buttons", json={"button": "B", "ms": 0.001})
    assert r.status_code == 200, r.text
    wait_for(lambda: "B" in seen(), what="a 1 µs REST press to be seen")
    owner.call("DELETE", f"/api/pets/{pet['id']}?confirm=yes")


def test_the_p1_needs_the_minimum_hold_at_every_phase(p1_rom):
    """The figure behind MIN_HOLD_TICKS: B pressed for a given time at many phases of
    the P1's key polling. Half a polling period misses some phases; the minimum
    hold misses none."""
    rom = load_rom(p1_rom.read_bytes())
    start = Machine(rom)
    start.run_until(2 * TICKS_PER_SECOND)
    state = start.save_state()

    def registers(hold: int, offset: int) -> bool:
        frames = []
        for press in (False, True):
            m = Machine(rom)
            m.load_state(state)
            t0 = m.tick + offset
            m.run_until(t0)
            if press:
                m.press("B")
                m.release("B", at_tick=t0 + hold)
            m.run_until(t0 + TICKS_PER_SECOND)
            frames.append(m.screen().frame)
        return frames[0] != frames[1]

    offsets = range(0, 1024, 5)
    assert not all(registers(448, off) for off in offsets)
    assert all(registers(MIN_HOLD_TICKS, off) for off in offsets)
