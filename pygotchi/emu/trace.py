"""Reference traces: run a ROM under a button script and print what TamaLIB's oracle prints.

Output is the "tama-oracle golden v1" format of ``../shared/golden/README.md``,
and the driver follows its timing rules exactly: before every step, apply each
pending button event whose tick is due (in script order), then take each
pending snapshot that is due, then stop once the tick count reaches the
duration. Between those moments the machine runs at full speed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import TextIO

from pygotchi.emu.errors import ScriptError
from pygotchi.emu.machine import TICKS_PER_SECOND, Machine

# Script button letters (golden README): A = K02, B = K01, C = K00, T = tap (K03).
SCRIPT_PINS = {"A": 2, "B": 1, "C": 0, "T": 3}


@dataclass(frozen=True)
class ScriptEvent:
    ms: Fraction
    button: str
    pin: int
    down: bool

    @property
    def tick(self) -> int:
        return ms_tick(self.ms)


def ms_tick(ms: Fraction) -> int:
    """Target tick of a time in ms: floor(T * 32768 / 1000)."""
    return int(ms * TICKS_PER_SECOND // 1000)


MAX_MS = 10**15  # about 31,700 years: far past any script, far below the 64-bit tick count


def parse_ms(text: str, what: str = "time") -> Fraction:
    """``2000``, ``1500.5`` or ``1/3`` ms. No exponents: ``1e999999999`` would make
    ``Fraction`` build a billion-digit integer before anyone could refuse it."""
    text = text.strip()
    if len(text) > 40 or "e" in text.lower():
        raise ScriptError(f"{what} {text[:40]!r} is not a number of milliseconds "
                          "(write it out, like 1500 or 2.5)")
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ScriptError(f"{what} {text!r} is not a number of milliseconds") from None
    if value < 0:
        raise ScriptError(f"{what} {text!r} is negative")
    if value > MAX_MS:
        raise ScriptError(f"{what} {text!r} is too large (at most {MAX_MS:,} ms)")
    return value


def parse_script(
    text: str, source: str = "script", pins: dict[str, int] | None = None
) -> list[ScriptEvent]:
    """Lines of ``<ms> <button> DOWN|UP``; ``#`` starts a comment."""
    pins = pins or SCRIPT_PINS
    events = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 3:
            raise ScriptError(
                f"{source}:{number}: expected '<ms> <button> DOWN|UP', got {raw.strip()!r}"
            )
        ms = parse_ms(parts[0], f"{source}:{number}: time")
        button = parts[1].upper()
        if button not in pins:
            raise ScriptError(
                f"{source}:{number}: unknown button {parts[1]!r} (use {', '.join(pins)})"
            )
        action = parts[2].upper()
        if action not in ("DOWN", "UP"):
            raise ScriptError(f"{source}:{number}: action must be DOWN or UP, not {parts[2]!r}")
        events.append(ScriptEvent(ms, button, pins[button], action == "DOWN"))
    return events


def _ms_label(ms: Fraction) -> str:
    return str(ms.numerator) if ms.denominator == 1 else str(float(ms))


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def snapshot_block(m: Machine, label: str) -> str:
    c = m.cpu
    f = c.f
    on, dhz = m.buzzer
    screen = m.screen()
    ram_size = 768 if m.model.s48 else 640
    vram_size = 102 if m.model.s48 else 80
    ram = bytes(c.mem[:ram_size])
    lines = [
        f"snapshot t_ms={label}",
        f"ticks={c.tick} steps={c.steps} instructions={c.instructions} "
        f"interrupts={c.interrupts} halted={c.halted}",
        f"regs PC=0x{c.pc:04X} A=0x{c.a:X} B=0x{c.b:X} X=0x{c.x:03X} Y=0x{c.y:03X} "
        f"SP=0x{c.sp:02X} NP=0x{c.np:02X} F=0x{f:X} C={f & 1} Z={f >> 1 & 1} "
        f"D={f >> 2 & 1} I={f >> 3 & 1}",
        f"buzzer freq_dHz={dhz} on={int(on)}",
        "icons " + "".join("1" if i else "0" for i in screen.icons),
        "lcd",
        *screen.text(),
        f"ram_fnv1a64={fnv1a64(ram):016x}",
        "ram " + "".join(f"{v:X}" for v in ram),
        "vram1 " + "".join(f"{v:X}" for v in c.mem[0xE00 : 0xE00 + vram_size]),
        "vram2 " + "".join(f"{v:X}" for v in c.mem[0xE80 : 0xE80 + vram_size]),
        "end_snapshot",
    ]
    return "\n".join(lines) + "\n"


def step_line(m: Machine) -> str:
    c = m.cpu
    op = c.rom[c.pc]
    return (
        f"{c.steps} {c.pc:04X} {op:03X} {c.a:X} {c.b:X} {c.x:03X} {c.y:03X} "
        f"{c.sp:02X} {c.np:02X} {c.f:X} {c.tick} {c.halted}\n"
    )


def run_trace(
    m: Machine,
    events: Iterable[ScriptEvent],
    snapshots_ms: Iterable[Fraction],
    duration_s: Fraction,
    out: TextIO,
    steptrace: TextIO | None = None,
) -> None:
    """Drive ``m`` by the golden timing rules, writing snapshot blocks to ``out``."""
    pending_events = [(e.tick, e) for e in events]
    pending_snaps = [(ms_tick(ms), ms) for ms in snapshots_ms]
    end = duration_s * TICKS_PER_SECOND  # stop once tick >= end (a Fraction)
    cpu = m.cpu
    if steptrace is not None:
        steptrace.write(
            "# step PC OP A B X Y SP NP F ticks halted "
            "(state before the step; hex except step/ticks)\n"
        )
    while True:
        tick = cpu.tick
        if pending_events and any(t <= tick for t, _ in pending_events):
            keep = []
            for t, e in pending_events:
                if t <= tick:
                    cpu.set_input(e.pin, 0 if e.down else 1)
                else:
                    keep.append((t, e))
            pending_events = keep
        if pending_snaps and any(t <= tick for t, _ in pending_snaps):
            keep = []
            for t, ms in pending_snaps:
                if t <= tick:
                    out.write("\n" + snapshot_block(m, _ms_label(ms)))
                else:
                    keep.append((t, ms))
            pending_snaps = keep
        if tick >= end:
            break
        if steptrace is not None:
            steptrace.write(step_line(m))
            cpu.step()
            continue
        target = -(-end.numerator // end.denominator)  # ceil: first tick >= end
        for t, _ in pending_events:
            target = min(target, t)
        for t, _ in pending_snaps:
            target = min(target, t)
        cpu.run(target)


def header(
    rom_name: str,
    rom_data: bytes,
    words: int,
    script_name: str,
    events: list[ScriptEvent],
    duration_s: Fraction,
    loaded: str | None = None,
    start_ticks: int = 0,
) -> str:
    lines = [
        "# tama-oracle golden v1",
        "# produced by pygotchi (python -m pygotchi trace)",
        f"rom_sha256 {hashlib.sha256(rom_data).hexdigest()}",
        f"script_file {script_name}",
        f"rom {rom_name} words={words}",
    ]
    if loaded:
        lines.append(f"load_state {loaded} start_ticks={start_ticks}")
    lines.append(f"duration_s {float(duration_s):.3f}")
    lines.append("script")
    for e in events:
        lines.append(f"{_ms_label(e.ms)} {e.button} {'DOWN' if e.down else 'UP'}")
    lines.append("end_script")
    return "\n".join(lines) + "\n"
