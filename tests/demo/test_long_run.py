"""The demo ROM over a long time: a day without crashing, and save/load mid-run."""

from __future__ import annotations

import os

import pytest

from pygotchi.demo import demo_source
from pygotchi.emu import Machine, assemble, core_info
from tests.demo.helpers import beeps, boot, clock_text, screen_at, tap, ticks

HOUR = 3600.0


def run_hours(hours: int, checks: dict[float, str]) -> tuple[Machine, int]:
    """Run from reset, looking every 10 minutes; press B at ``checks`` times.

    Returns the machine and how many beeps it made.
    """
    code = set(assemble(demo_source()).words)
    m = boot()
    count = 0
    t = 0.0
    while t < hours * HOUR:
        t += 600
        m.run_until(ticks(t) + 2000)  # between two 8 Hz edges: asleep in `main`
        regs = m.registers()
        assert m.cpu.halted, f"awake at {t} s"
        assert regs["SP"] == 0x00, f"stack pointer {regs['SP']:#x} at {t} s"
        assert m.cpu.call_depth == 0  # every interrupt and call has returned
        for _ in range(3):  # a few steps on: still in the program
            m.step()
            assert m.registers()["PC"] in code, f"PC {m.registers()['PC']:#x} at {t} s"
        if t in checks:
            tap(m, "B", t + 0.05)
            assert clock_text(screen_at(m, t + 0.25)) == checks[t], f"at {t / HOUR} h"
        count += len(beeps(m.buzzer_events()))
    assert m.cpu.halted_steps / m.cpu.steps > 0.9
    return m, count


def calls_between(start: float, end: float) -> int:
    """Calls of a Sprout left alone from ``start`` (a button) to ``end``: one a minute
    after, then one every four minutes (each given up after three)."""
    first = start + 60
    return 0 if first >= end else int((end - first - 1e-9) // 240) + 1


def test_runs_two_hours_and_keeps_time() -> None:
    _, count = run_hours(2, {1 * HOUR: "13:00", 2 * HOUR: "14:00"})
    # Two B beeps, and the calls of the two lonely hours before them.
    assert count == 2 + calls_between(0, HOUR) + calls_between(HOUR, 2 * HOUR)


@pytest.mark.skipif(
    not core_info().startswith("compiled") and not os.environ.get("PYGOTCHI_SLOW_TESTS"),
    reason="a day takes ~2 minutes on the pure-Python core (set PYGOTCHI_SLOW_TESTS=1)",
)
def test_runs_a_day_and_keeps_time() -> None:
    _, count = run_hours(24, {1 * HOUR: "13:00", 12 * HOUR: " 0:00", 24 * HOUR: "12:00"})
    calls = calls_between(0, HOUR) + calls_between(HOUR, 12 * HOUR) + \
        calls_between(12 * HOUR, 24 * HOUR)
    assert count == 3 + calls


def test_save_and_load_continue_identically() -> None:
    m = boot()
    tap(m, "C", 30.05)
    m.run_until(ticks(30.18))  # mid-scene, mid-beep
    assert m.buzzer[0]
    m.buzzer_events()
    state = m.save_state()

    def play(machine: Machine) -> list:
        seen = []
        tap(machine, "A", 31.55)
        tap(machine, "B", 33.8)
        for k in range(1, 80):  # 0.1 s apart, to 38.08 s
            screen = screen_at(machine, 30.18 + 0.1 * k)
            seen.append((machine.tick, screen.frame, machine.registers()["PC"]))
        seen.append(machine.buzzer_events())
        return seen

    expected = play(m)
    other = boot()
    other.run_until(ticks(5))  # somewhere else entirely
    other.load_state(state)
    assert play(other) == expected
    ram = [m.read_memory(a) for a in range(0x280)]
    assert [other.read_memory(a) for a in range(0x280)] == ram
