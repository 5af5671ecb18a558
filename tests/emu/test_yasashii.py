"""The E0C6S48 path on a real ROM: the Yasashii Tamagotchi (no golden file exists for it).

It must boot, switch to the 1 MHz OSC3 clock, run and draw without errors, and
its care buttons on port K1 (which TamaLIB cannot drive) must reach it.
"""

from __future__ import annotations

from pygotchi.emu import Machine, load_rom_file
from pygotchi.emu.isa import is_known

TICKS = 32768


def test_boots_switches_to_osc3_and_draws(yasashii_rom) -> None:
    m = Machine(load_rom_file(yasashii_rom))
    assert m.model.id == "yasashii" and m.model.s48
    cpu = m.cpu
    osc3_steps = 0
    while cpu.tick < TICKS // 2:  # step by step through the first half second
        assert cpu.halted or is_known(cpu.rom[cpu.pc]), f"unknown word at {cpu.pc:#06x}"
        assert cpu.pc < 8192
        cpu.step()
        osc3_steps += cpu.osc3
    assert osc3_steps > 1000, "never ran on OSC3"
    m.run_until(3 * TICKS)
    lit = sum(row.count("#") for row in m.screen().text())
    assert 20 < lit < 400, "the creature should be on screen"


def test_screen_moves_on_its_own(yasashii_rom) -> None:
    m = Machine(load_rom_file(yasashii_rom))
    seen = set()
    for eighth in range(40, 80):
        m.run_until(eighth * TICKS // 8)
        seen.add(m.screen().frame)
    assert len(seen) >= 2, "the idle creature animates"


def _press_and_compare(rom, button: str) -> tuple[bool, bool]:
    pressed = Machine(load_rom_file(rom))
    idle = Machine(load_rom_file(rom))
    for m in (pressed, idle):
        m.run_until(5 * TICKS)
    pressed.press(button)
    for m in (pressed, idle):
        m.run_until(5 * TICKS + TICKS // 4)
    pressed.release(button)
    for m in (pressed, idle):
        m.run_until(7 * TICKS)
    ram = bytes(pressed.cpu.mem[:768]) != bytes(idle.cpu.mem[:768])
    return ram, pressed.screen().frame != idle.screen().frame


def test_k1_care_buttons_reach_the_rom(yasashii_rom) -> None:
    """FOOD is K13, on the port TamaLIB cannot drive: the ROM must see it (its RAM
    diverges from an untouched twin); SELECT (K01) changes the screen."""
    m = Machine(load_rom_file(yasashii_rom))
    m.press("FOOD")
    assert m.cpu.k1 == 0b0111
    assert _press_and_compare(yasashii_rom, "FOOD")[0]
    assert _press_and_compare(yasashii_rom, "SELECT")[1]
