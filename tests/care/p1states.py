"""States of the real P1 made with the emulator, for the carer's tests.

RAM is read here only as the tests' oracle (the carer never reads it), at the
addresses of pygotchi.care.profile and of these notes, found the same way:
0x40 hunger and 0x41 happiness (0-15, a heart per 4: a meal adds 4), 0x4D the
number of droppings, 0x4B the light (15 on, 0 off), 0x5D the character (0 egg
or gone, 1 baby, 2 child, 3-4 teen, 5 and up adult).
"""

from __future__ import annotations

from pygotchi.care.look import look
from pygotchi.emu import TICKS_PER_SECOND, Machine, load_rom_file

T = TICKS_PER_SECOND
HUNGER, HAPPY, DROPPINGS, LIGHT, CHARACTER = 0x40, 0x41, 0x4D, 0x4B, 0x5D


def tap(m: Machine, button: str, gap: float = 0.5) -> None:
    t = m.tick
    m.press(button)
    m.release(button, at_tick=t + T // 10)
    m.run_until(t + int(gap * T))


def hatched(rom_path) -> Machine:
    """From reset: set the clock to 8 o'clock (B, A x8, C, B) and wait for the egg to hatch."""
    m = Machine(load_rom_file(rom_path))
    m.run_until(5 * T)
    tap(m, "B", 1.0)
    for _ in range(8):
        tap(m, "A")
    tap(m, "C", 1.0)
    tap(m, "B", 1.0)
    for _ in range(30 * 60 // 10):
        m.run_until(m.tick + 10 * T)
        if m.read_memory(CHARACTER) != 0:
            return m
    raise AssertionError("the egg did not hatch within 30 minutes")


def neglect_until(m: Machine, seen, limit_s: int, step_s: int = 10) -> Machine:
    """Run with nobody at the buttons until ``seen(look)`` is true."""
    for _ in range(limit_s // step_s):
        m.run_until(m.tick + step_s * T)
        if seen(look(m.screen().frame)):
            return m
    raise AssertionError("the screen never showed what was waited for")
