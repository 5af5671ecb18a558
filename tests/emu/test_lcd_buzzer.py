"""The LCD and the buzzer as a program drives them.

LCD (notes §6): nibble ``0xE00 + 2*seg`` holds COM 0-3 of SEG ``seg`` (bit 0 =
COM 0, the top row), ``0xE01 + 2*seg`` COM 4-7, and the same at 0xE80 for COM
8-15. On the P1 glass SEG 0-7 are x 0-7, SEG 9-16 x 8-15, SEG 20-27 x 31 down to
24, SEG 29-36 x 23 down to 16; SEG 8 COM 0-3 are icons 0-3 and SEG 28 COM 12-15
icons 4-7; the rest shows nothing. Unknown programs run on that glass.

Buzzer (notes §8): F74 bits 0-2 pick 32768/N Hz, N = 8, 10, 12, 14, 16, 20, 24,
28; sound is on while F54 bit 3 is 0.
"""

from __future__ import annotations

import pytest

from pygotchi.emu import BuzzerEvent, Machine
from tests.emu.helpers import build, labels, step_until_pc

BUZZER_DIVIDERS = (8, 10, 12, 14, 16, 20, 24, 28)


def buzzer_dhz(freq: int) -> int:
    """32768/N Hz in deci-hertz, rounded."""
    return round(327680 / BUZZER_DIVIDERS[freq])


def expected_spot(addr: int, bit: int) -> tuple[str, int, int] | None:
    """What lights for ``bit`` of display nibble ``addr`` on the P1 glass (notes §6)."""
    area2 = addr >= 0xE80
    offset = addr - (0xE80 if area2 else 0xE00)
    seg = offset >> 1
    com = 8 * area2 + 4 * (offset & 1) + bit
    if seg == 8:
        return ("icon", com, 0) if com < 4 else None
    if seg == 28:
        return ("icon", com - 8, 0) if com >= 12 else None
    if seg <= 7:
        x = seg
    elif 9 <= seg <= 16:
        x = seg - 1
    elif 20 <= seg <= 27:
        x = 31 - (seg - 20)
    elif 29 <= seg <= 36:
        x = 23 - (seg - 29)
    else:
        return None
    return ("pixel", x, com)


def lit(m: Machine) -> set[tuple[str, int, int]]:
    screen = m.screen()
    out = {("pixel", x, y) for y in range(16) for x in range(32) if screen.pixel(x, y)}
    out |= {("icon", i, 0) for i, on in enumerate(screen.icons) if on}
    return out


def test_pixels_and_icons_from_a_program() -> None:
    source = """
        ORG 0x100
        LD   B,0xE
        LD   XP,B
        LD   X,0x00
        LDPX MX,0x1       ; E00 bit 0: SEG 0 COM 0 -> (0, 0)
        LD   X,0x13
        LDPX MX,0x8       ; E13 bit 3: SEG 9 COM 7 -> (8, 7)
        LD   X,0x28
        LDPX MX,0x2       ; E28 bit 1: SEG 20 COM 1 -> (31, 1)
        LD   X,0x48
        LDPX MX,0x4       ; E48 bit 2: SEG 36 COM 2 -> (16, 2)
        LD   X,0xBB
        LDPX MX,0x2       ; EBB bit 1: SEG 29 COM 13 -> (23, 13)
        LD   X,0xC8
        LDPX MX,0x1       ; EC8 bit 0: SEG 36 COM 8 -> (16, 8)
        LD   X,0x10
        LDPX MX,0x5       ; E10: SEG 8 COM 0 and 2 -> icons 0 and 2
        LD   X,0xB9
        LDPX MX,0x8       ; EB9 bit 3: SEG 28 COM 15 -> icon 7
done:   JP   done
    """
    m = build(source)
    assert lit(m) == set()
    step_until_pc(m, labels(source)["done"])
    assert lit(m) == {("pixel", 0, 0), ("pixel", 8, 7), ("pixel", 31, 1), ("pixel", 16, 2),
                      ("pixel", 23, 13), ("pixel", 16, 8),
                      ("icon", 0, 0), ("icon", 2, 0), ("icon", 7, 0)}
    rows = m.screen().text()
    assert rows[0] == "#" + "." * 31
    assert rows[1] == "." * 31 + "#"
    assert m.screen().icons == (True, False, True, False, False, False, False, True)
    # The frame: 16 rows of 4 bytes, leftmost pixel in the top bit; then the icon byte.
    frame = m.screen().frame
    assert len(frame) == 65
    assert frame[0:4] == bytes([0x80, 0, 0, 0])
    assert frame[64] == 0b1000_0101


def _sweep_source() -> tuple[str, list[tuple[int, int]]]:
    """Straight-line code that sets, then clears, every bit of both display areas."""
    lines = ["        ORG 0x100", "        LD   B,0xE", "        LD   XP,B"]
    spots = []
    for addr in [*range(0xE00, 0xE66), *range(0xE80, 0xEE6)]:
        for bit in range(4):
            lines += [f"        LD   X,{addr & 0xFF:#x}", f"        LDPX MX,{1 << bit:#x}",
                      f"        LD   X,{addr & 0xFF:#x}", "        LDPX MX,0x0"]
            spots.append((addr, bit))
    lines.append("done:   JP   done")
    return "\n".join(lines) + "\n", spots


@pytest.mark.parametrize("s48", [False, True], ids=["E0C6S46", "E0C6S48"])
def test_every_display_bit_lands_where_the_glass_puts_it(s48: bool) -> None:
    source, spots = _sweep_source()
    m = build(source, s48=s48)
    m.step()
    m.step()
    for addr, bit in spots:
        m.step()
        m.step()
        spot = expected_spot(addr, bit)
        assert lit(m) == ({spot} if spot else set()), f"{addr:#05x} bit {bit}"
        m.step()
        m.step()
        assert lit(m) == set()


def test_screen_version_grows_with_display_writes_only() -> None:
    source = """
        ORG 0x100
        LD   X,0x10
        LDPX MX,0x5       ; RAM: no screen change
        LD   B,0xE
        LD   XP,B
        LD   X,0x66
        LDPX MX,0xF       ; past display RAM 1 (E00-E65): dropped
        LD   X,0x02
        LDPX MX,0x3       ; display
done:   JP   done
    """
    m = build(source)
    start = m.screen_version
    for _ in range(6):
        m.step()
    assert m.screen_version == start
    assert m.read_memory(0xE66) == 0
    step_until_pc(m, labels(source)["done"])
    assert m.screen_version > start
    assert lit(m) == {("pixel", 1, 0), ("pixel", 1, 1)}


# --- buzzer ---------------------------------------------------------------------

BUZZER_SOURCE = """
        ORG 0x100
        LD   B,0xF        ; tick 0
        LD   YP,B         ; 5
        LD   Y,0x74       ; 10
        LDPY MY,0x3       ; 15: F74 = 3 (N = 14), still silent
        LD   Y,0x54       ; 20
        LDPY MY,0x7       ; 25: F54 bit 3 = 0: on at 2340.6 Hz
        NOP7              ; 30
        NOP7              ; 37
        LD   Y,0x54       ; 44
        LDPY MY,0x8       ; 49: off
        LD   Y,0x74       ; 54
        LDPY MY,0xE       ; 59: frequency bits 0-2 = 6 (N = 24) while silent
        LD   Y,0x74       ; 64
        LDPY MY,0x6       ; 69: the same frequency again
        LD   Y,0x54       ; 74
        LDPY MY,0x3       ; 79: on at 1365.3 Hz
        LD   Y,0x74       ; 84
        LDPY MY,0x1       ; 89: 3276.8 Hz while sounding
        LD   Y,0x74       ; 94
        LDPY MY,0x9       ; 99: bit 3 is not part of the frequency: no change
done:   JP   done
"""


def audible(events: list[BuzzerEvent]) -> list[tuple[int, bool, int | None]]:
    """What a listener hears: each start, stop and change of pitch while sounding.

    A frequency written while the buzzer is silent may or may not be reported on
    its own; either way the next "on" event carries it.
    """
    out: list[tuple[int, bool, int | None]] = []
    on = False
    for e in events:
        if e.on or on:
            out.append((e.tick, e.on, e.freq_dhz if e.on else None))
        on = e.on
    return out


def test_buzzer_events_carry_the_tick_of_the_write() -> None:
    m = build(BUZZER_SOURCE)
    assert m.buzzer == (False, 0)
    step_until_pc(m, labels(BUZZER_SOURCE)["done"])
    events = m.buzzer_events()
    assert audible(events) == [
        (25, True, buzzer_dhz(3)),
        (49, False, None),
        (79, True, buzzer_dhz(6)),
        (89, True, buzzer_dhz(1)),
    ]
    assert [e.tick for e in events] == sorted(e.tick for e in events)
    assert m.buzzer_events() == []  # each change is reported once
    assert m.buzzer == (True, buzzer_dhz(1))


def test_buzzer_frequency_table() -> None:
    lines = ["        ORG 0x100", "        LD   B,0xF", "        LD   YP,B",
             "        LD   Y,0x54", "        LDPY MY,0x0"]
    for freq in range(8):
        lines += ["        LD   Y,0x74", f"        LDPY MY,{freq:#x}"]
    source = "\n".join(lines) + "\ndone:   JP   done\n"
    m = build(source)
    step_until_pc(m, labels(source)["done"])
    events = m.buzzer_events()
    on_freqs = [e.freq_dhz for e in events if e.on]
    # 4096, 3276.8, 2730.7, 2340.6, 2048, 1638.4, 1365.3, 1170.3 Hz
    assert on_freqs[-8:] == [40960, 32768, 27307, 23406, 20480, 16384, 13653, 11703]
    assert on_freqs[-8:] == [buzzer_dhz(f) for f in range(8)]


def test_buzzer_stays_silent_with_r43_high() -> None:
    source = """
        ORG 0x100
        LD   B,0xF
        LD   YP,B
        LD   Y,0x74
        LDPY MY,0x0
        LD   Y,0x54
        LDPY MY,0xF       ; R43 high: off (as at reset)
        LD   Y,0x54
        LDPY MY,0x8
done:   JP   done
    """
    m = build(source)
    step_until_pc(m, labels(source)["done"])
    assert audible(m.buzzer_events()) == []
    assert m.buzzer == (False, buzzer_dhz(0))
