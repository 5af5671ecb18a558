"""The first-generation Tamagotchi machine: Epson E0C6S46/E0C6S48, LCD, buttons, buzzer.

Pure and deterministic: nothing here sleeps, reads the wall clock, starts
threads or touches files. Emulated time is an integer count of 32,768 Hz ticks
and the caller decides how it relates to real time.

Public API::

    rom = load_rom(data)              # Rom: words, model, sha256 (RomError if not a ROM)
    m = Machine(rom)
    m.run_until(tick); m.run_for(seconds); m.step()
    run_many(machines, ticks)         # many machines, one GIL release (schedulers)
    m.press("A"); m.release("A", at_tick=t)      # buttons of m.model (A, B, C, TAP ...)
    m.screen() -> Screen(frame: 65 bytes, version); m.screen_version
    m.buzzer_events() -> [BuzzerEvent(tick, on, freq_dhz)]
    m.save_state() -> bytes; m.load_state(bytes)  # pygotchi, TLST or cpu.bin (StateError)
    m.export_tlst() -> bytes
    assemble(source) -> Program; disassemble(words)
    d = Debugger(m)                   # breakpoints, watchpoints, step, step over, back
    d.set_breakpoint(0x1A0); d.cont(); d.back(5) -> Stop(reason, position, pc, ...)
"""

from __future__ import annotations

from pygotchi.emu import _core

COMPILED, _CORE_INFO = _core.load()

from pygotchi.emu.asm import Program, assemble  # noqa: E402
from pygotchi.emu.disasm import disassemble, listing  # noqa: E402
from pygotchi.emu.errors import AsmError, EmuError, RomError, ScriptError, StateError  # noqa: E402
from pygotchi.emu.machine import (  # noqa: E402
    TICKS_PER_SECOND,
    BuzzerEvent,
    Machine,
    Screen,
    run_many,
)
from pygotchi.emu.rom import MODELS, Model, Rom, load_rom, load_rom_file  # noqa: E402

__all__ = [
    "AsmError",
    "BuzzerEvent",
    "COMPILED",
    "Debugger",
    "EmuError",
    "MODELS",
    "Machine",
    "Model",
    "Program",
    "Rom",
    "RomError",
    "Screen",
    "ScriptError",
    "StateError",
    "Stop",
    "TICKS_PER_SECOND",
    "assemble",
    "core_info",
    "disassemble",
    "listing",
    "load_rom",
    "load_rom_file",
    "run_many",
]


def core_info() -> str:
    """Which implementation of the CPU loop runs, and why."""
    return _CORE_INFO


def core_warning() -> str | None:
    """A one-line warning for start-up when the compiled core is missing (else None)."""
    return _core.warning(COMPILED, _CORE_INFO)


def __getattr__(name: str):
    # The debugger (and its generated run path) loads only when someone asks for it:
    # a server or a tool that never debugs does not pay for importing it.
    if name in ("Debugger", "Stop"):
        from pygotchi.emu import debugger

        return getattr(debugger, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
