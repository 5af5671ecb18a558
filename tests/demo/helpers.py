"""Helpers for the demo ROM tests: boot it, read its screen, pair its beeps.

Times are emulated seconds from reset. The ROM's clock-timer interrupt comes at
every 8 Hz edge (every 4,096 ticks), and each scene step starts on one, so the
tests press buttons between edges and look at the screen well inside a step.
"""

from __future__ import annotations

from dataclasses import dataclass

from pygotchi.demo import art, demo_rom_bytes
from pygotchi.emu import TICKS_PER_SECOND, BuzzerEvent, Machine, Screen
from pygotchi.emu.rom import load_rom

EDGE = TICKS_PER_SECOND // 8  # ticks between two 8 Hz interrupts
CALL_TICKS = TICKS_PER_SECOND // 32  # a beep lasts a whole number of 32 Hz periods

# The idle scene (scene_idle in demo.asm): one picture per half second, looping.
IDLE_SCENE = ("STAND", "BOB", "STAND", "BOB", "LOOKL", "BOB", "STAND", "BOB",
              "STAND", "BLINK", "STAND", "BOB", "LOOKR", "BOB", "STAND", "BOB")

# Beeps (ROW_SOUND in demo.asm): frequency in deci-hertz, length in 32 Hz periods.
BEEPS = {"A": (40960, 2), "B": (27307, 2), "C": (32768, 3), "TAP": (13653, 3),
         "call": (20480, 5)}
# A beep starts this many ticks after its interrupt at most (the handler's
# instructions before it), and so lasts that much less than its length.
BEEP_LATENCY = 600


def ticks(seconds: float) -> int:
    return round(seconds * TICKS_PER_SECOND)


def boot(model: str | None = None) -> Machine:
    rom = demo_rom_bytes() if model is None else load_rom(demo_rom_bytes(), model=model)
    return Machine(rom)


def screen_at(machine: Machine, seconds: float) -> Screen:
    machine.run_until(ticks(seconds))
    return machine.screen()


def tap(machine: Machine, button: str, at: float, hold: float = 0.1) -> None:
    """Press ``button`` at ``at`` seconds and release it ``hold`` seconds later."""
    machine.press(button, at_tick=ticks(at))
    machine.release(button, at_tick=ticks(at + hold))


def next_edge(seconds: float) -> int:
    """The tick of the first 8 Hz interrupt after ``seconds``."""
    return (ticks(seconds) // EDGE + 1) * EDGE


def expected(*names: str) -> list[str]:
    """The whole screen as text rows when the given pictures are drawn.

    Names are creature pictures (art.CREATURES) or decorations (art.DECOS);
    each one owns its columns, everything else is blank.
    """
    rows = [["."] * art.WIDTH for _ in range(art.HEIGHT)]
    for name in names:
        sprite = art.CREATURES.get(name) or art.DECOS[name]
        assert isinstance(sprite, art.Sprite), name
        for y in range(art.HEIGHT):
            for x in sprite.columns:
                rows[y][x] = "#" if sprite.pixel(x, y) else "."
    return ["".join(r) for r in rows]


def region(text: list[str], columns, rows=range(16)) -> list[str]:
    return ["".join(text[y][x] for x in columns) for y in rows]


def creature_name(screen: Screen) -> str | None:
    """Which creature picture the box shows, if any."""
    box = range(art.CREATURE_X, art.CREATURE_X + art.CREATURE_W)
    shown = region(screen.text(), box)
    for name in art.CREATURES:
        if region(expected(name), box) == shown:
            return name
    return None


def sides_blank(screen: Screen) -> bool:
    return all(ch == "." for row in region(screen.text(), art.SIDES) for ch in row)


def clock_text(screen: Screen) -> str:
    """Read "HH:MM" off the screen with the demo's font; '?' for anything else."""
    text = screen.text()
    glyphs = {g: (" " if d == 10 else str(d)) for d, g in enumerate(art.DIGITS)}
    out = []
    for pos, xs in enumerate(art.DIGIT_XS):
        if pos == 2:
            out.append(":")
        cells = tuple("".join(text[art.DIGIT_TOP + r][x] for x in xs) for r in range(5))
        out.append(glyphs.get(cells, "?"))
    return "".join(out)


def colon_lit(screen: Screen) -> bool:
    return all(screen.pixel(art.COLON_X, y) for y in art.COLON_ROWS)


@dataclass(frozen=True)
class Beep:
    start: int  # tick the buzzer went on
    ticks: int  # how long it sounded
    freq_dhz: int


def beeps(events: list[BuzzerEvent]) -> list[Beep]:
    """Pair on/off buzzer events (frequency-only changes while silent are skipped)."""
    out = []
    start: BuzzerEvent | None = None
    for event in events:
        if event.on and start is None:
            start = event
        elif not event.on and start is not None:
            out.append(Beep(start.tick, event.tick - start.tick, start.freq_dhz))
            start = None
    assert start is None, f"the buzzer was left on at tick {start.tick}"
    return out
