"""The carer on the demo ROM (no licensed ROM needed): Sprout's calls are answered.

Sprout has none of the P1's menus: the carer finds no status page, stops
trying after a few attempts, and still answers each call with a press of C.
"""

from __future__ import annotations

from pygotchi.care import Carer, drive
from pygotchi.demo import demo_rom_bytes
from pygotchi.emu import TICKS_PER_SECOND, Machine

T = TICKS_PER_SECOND


def test_calls_are_answered_within_seconds() -> None:
    m = Machine(demo_rom_bytes())
    carer = Carer()
    lit_since = None
    longest = 0
    for second in range(1, 20 * 60):
        drive(m, carer, second * T)
        if m.screen().icons[7]:
            lit_since = second if lit_since is None else lit_since
            longest = max(longest, second - lit_since)
        else:
            lit_since = None
    answers = [a for a in carer.actions if a.kind == "answer"]
    assert len(answers) >= 15  # Sprout calls after each minute alone
    assert all(a.ok for a in answers)
    assert longest <= 5
    assert {a.kind for a in carer.actions} == {"answer"}


def test_without_a_carer_the_call_stays() -> None:
    m = Machine(demo_rom_bytes())
    m.run_until(200 * T)  # Sprout calls at 60 s and gives up only after three minutes
    assert m.screen().icons[7]
