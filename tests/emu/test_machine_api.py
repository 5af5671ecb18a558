"""The Machine API around the CPU: buttons, queued input, memory peeks, time.

These are the promises of pygotchi/emu/machine.py's docstrings, checked with
small programs whose behaviour follows from the notes (buttons active low on
K0, F40 reads the pins, §7).
"""

from __future__ import annotations

import pytest

from pygotchi.emu import EmuError
from tests.emu.helpers import build, labels, ram, step_until_pc

POLL_F40 = """
        ORG 0x100
        LD   B,0xF
        LD   YP,B
        LD   Y,0x40
        LD   X,0x10
poll:   LD   A,MY         ; F40: 1 = released
        CP   A,0xF
        JP   Z,poll
        LD   MX,A         ; first reading with a button down
done:   JP   done
"""


def test_press_at_a_future_tick_is_applied_when_time_gets_there() -> None:
    m = build(POLL_F40)
    m.press("B", at_tick=2000)  # B = K01
    m.run_until(1999)
    assert m.pressed() == ()
    assert m.registers()["PC"] != labels(POLL_F40)["done"]
    m.run_until(2100)
    assert m.pressed() == ("B",)
    assert ram(m, 0x10, 1) == [0b1101]


@pytest.mark.parametrize(("button", "f40"), [("A", 0b1011), ("B", 0b1101), ("C", 0b1110),
                                             ("TAP", 0b0111)])
def test_buttons_are_active_low_on_k0(button: str, f40: int) -> None:
    """A = K02, B = K01, C = K00, tap sensor = K03 (notes §7)."""
    m = build(POLL_F40)
    m.run_until(100)
    m.press(button)
    step_until_pc(m, labels(POLL_F40)["done"])
    assert ram(m, 0x10, 1) == [f40]
    m.release(button)
    assert m.pressed() == ()


def test_queued_input_keeps_its_order() -> None:
    m = build(POLL_F40)
    m.press("A", at_tick=500)
    m.release("A", at_tick=500)
    m.press("C", at_tick=400)
    m.run_until(450)
    assert m.pressed() == ("C",)
    m.run_until(600)
    assert m.pressed() == ("C",)


def test_unknown_buttons_and_pins_are_refused() -> None:
    m = build(POLL_F40)
    with pytest.raises(EmuError, match="A, B, C"):
        m.press("Z")
    with pytest.raises(EmuError):
        m.set_pin(8, 0)
    with pytest.raises(EmuError):
        m.read_memory(0x1000)


def test_run_for_and_seconds() -> None:
    m = build(POLL_F40)
    m.run_for(0.5)
    assert 16384 <= m.tick < 16384 + 8
    assert m.seconds == m.tick / 32768


def test_read_memory_shows_an_input_port_as_the_cpu_reads_it() -> None:
    """read_memory: "a data nibble as the CPU would read it" - F40 is the pins (released: F)."""
    m = build(POLL_F40)
    assert m.read_memory(0xF40) == 0xF
    m.press("A")
    assert m.read_memory(0xF40) == 0b1011


def test_read_memory_shows_factor_flags_without_clearing_them() -> None:
    """F00 after the first 32 Hz falling edge (tick 1024) holds bit 0; peeking must not clear it."""
    source = """
        ORG 0x100
wait:   JP   wait
    """
    m = build(source)
    m.run_until(1100)
    assert m.read_memory(0xF00) == 0x1
    assert m.read_memory(0xF00) == 0x1


def test_icon_lit_reads_display_ram_as_the_screen_shows_it() -> None:
    from pygotchi.demo import demo_rom_bytes
    from pygotchi.emu import TICKS_PER_SECOND, Machine

    m = Machine(demo_rom_bytes())
    seen = set()
    for second in (1, 30, 59, 61, 90, 121):
        m.run_until(second * TICKS_PER_SECOND)
        icons = m.screen().icons
        assert tuple(m.icon_lit(i) for i in range(8)) == icons
        seen.add(icons[7])
    assert seen == {True, False}  # the demo calls (icon 7) at 60 s
    with pytest.raises(EmuError):
        m.icon_lit(8)
