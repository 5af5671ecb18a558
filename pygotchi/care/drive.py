"""Running a carer against a machine as fast as the core goes (command line, tests, bench).

The machine is only touched through ``pygotchi.emu``'s public API: run_until,
press/release, screen, buzzer_events.
"""

from __future__ import annotations

from pygotchi.care.carer import Carer
from pygotchi.care.hands import Press, View, Wait
from pygotchi.emu import TICKS_PER_SECOND, Machine


def view_of(machine: Machine) -> View:
    beeped = any(e.on for e in machine.buzzer_events())
    return View(machine.screen().frame, machine.tick / TICKS_PER_SECOND, beeped,
                tuple(machine.model.icons))


def drive(machine: Machine, carer: Carer, until_tick: int, stop_at_death: bool = False) -> None:
    """Run ``machine`` up to ``until_tick`` with ``carer`` at its buttons.

    With ``stop_at_death`` it returns as soon as the carer has seen the end.
    """
    view = view_of(machine)
    while machine.tick < until_tick:
        command = carer.next(view)
        if stop_at_death and carer.dead:
            return
        start = machine.tick
        if isinstance(command, Press):
            hold = max(1, int(command.hold * TICKS_PER_SECOND))
            machine.press(command.button)
            machine.release(command.button, at_tick=start + hold)
            end = start + hold + int(command.then * TICKS_PER_SECOND)
        elif isinstance(command, Wait):
            end = start + max(1, int(command.seconds * TICKS_PER_SECOND))
        else:  # pragma: no cover - the carer only makes these two
            raise TypeError(f"unknown command {command!r}")
        if not carer.busy:
            end = min(end, until_tick)
        machine.run_until(end)
        view = view_of(machine)
