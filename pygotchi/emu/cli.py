"""Emulator commands: trace, disasm, asm, screenshot, info, debug."""

from __future__ import annotations

import argparse
import os
import sys
from fractions import Fraction
from pathlib import Path

from pygotchi.emu.errors import EmuError, ScriptError


def register(sub) -> None:
    p = sub.add_parser(
        "trace", help="run a ROM under a button script and print golden-format snapshots"
    )
    p.add_argument("rom", help="ROM image (rom.bin, packed 12-bit or C header)")
    p.add_argument("--script", help="button script: lines of '<ms> <A|B|C|T> DOWN|UP'")
    p.add_argument(
        "--duration-s", required=True, help="stop when emulated time reaches this many seconds"
    )
    p.add_argument("--snapshots", default="", help="comma-separated snapshot times in ms")
    p.add_argument("--steptrace", metavar="FILE", help="also write one line per CPU step to FILE")
    p.add_argument(
        "--load-state",
        metavar="FILE",
        help="start from a state file (pygotchi, TamaTool TLST or pygotchi cpu.bin)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write snapshots here instead of stdout")
    p.set_defaults(func=cmd_trace)

    p = sub.add_parser("disasm", help="disassemble a ROM: address, word, mnemonic")
    p.add_argument("rom")
    p.add_argument("--start", default="0", help="first address (default 0)")
    p.add_argument("--count", help="number of words (default: to the end)")
    p.set_defaults(func=cmd_disasm)

    p = sub.add_parser("asm", help="assemble E0C6200 source into a ROM image")
    p.add_argument("source")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--size", type=int, default=6144, help="ROM size in words (default 6144)")
    p.add_argument("--format", choices=("rombin", "packed", "header"), default="rombin")
    p.set_defaults(func=cmd_asm)

    p = sub.add_parser("screenshot", help="run a ROM for a while and save the LCD as a PNG")
    p.add_argument("rom")
    p.add_argument(
        "--seconds", required=True, help="emulated seconds to run from reset (or the state)"
    )
    p.add_argument("--script", help="button script, as for trace")
    p.add_argument("--load-state", metavar="FILE")
    p.add_argument("--scale", type=int, default=8, help="screen pixels per LCD dot (default 8)")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_screenshot)

    p = sub.add_parser("info", help="which emulator core is active, and the known ROM models")
    p.add_argument("rom", nargs="?", help="also identify this ROM")
    p.set_defaults(func=cmd_info)

    from pygotchi.emu.debugcli import register_parser

    register_parser(sub)


def _fraction(text: str, what: str) -> Fraction:
    from pygotchi.emu.trace import parse_ms

    try:
        return parse_ms(text, what)
    except ScriptError as exc:
        raise EmuError(str(exc)) from None


def _read(path: str, what: str, limit: int = 1 << 20) -> bytes:
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise EmuError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise EmuError(f"{path}: too large for a {what}")
    return data


def _machine(rom_path: str, state_path: str | None):
    from pygotchi.emu.machine import Machine
    from pygotchi.emu.rom import load_rom_file

    machine = Machine(load_rom_file(rom_path))
    if state_path:
        try:
            machine.load_state(_read(state_path, "state file"))
        except EmuError as exc:
            raise EmuError(f"{state_path}: {exc}") from None
        # Trace counters count from the load (golden README).
        machine.cpu.steps = machine.cpu.halted_steps = machine.cpu.interrupts = 0
    return machine


def _script(path: str | None):
    from pygotchi.emu.trace import parse_script

    if not path:
        return []
    text = _read(path, "script").decode("utf-8", "replace")
    return parse_script(text, Path(path).name)


def cmd_trace(args: argparse.Namespace) -> int:
    from pygotchi.emu.trace import header, run_trace

    duration = _fraction(args.duration_s, "--duration-s")
    snapshots = [_fraction(s, "snapshot time") for s in args.snapshots.split(",") if s.strip()]
    events = _script(args.script)
    machine = _machine(args.rom, args.load_state)
    out = open(args.output, "w") if args.output else sys.stdout  # noqa: SIM115
    step_file = open(args.steptrace, "w") if args.steptrace else None  # noqa: SIM115
    try:
        out.write(
            header(
                Path(args.rom).name,
                machine.rom.data,
                len(machine.rom.words),
                Path(args.script).name if args.script else "-",
                events,
                duration,
                Path(args.load_state).name if args.load_state else None,
                machine.tick,
            )
        )
        run_trace(machine, events, snapshots, duration, out, step_file)
    finally:
        if step_file:
            step_file.close()
        if args.output:
            out.close()
    return 0


def _int(text: str, what: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise EmuError(f"{what} {text!r} is not a number") from None


def cmd_disasm(args: argparse.Namespace) -> int:
    from pygotchi.emu.disasm import listing
    from pygotchi.emu.rom import load_rom_file

    rom = load_rom_file(args.rom)
    start = _int(args.start, "--start")
    if not 0 <= start < len(rom.words):
        raise EmuError(f"--start {start:#x} is outside the ROM (0-{len(rom.words) - 1:#x})")
    end = (
        len(rom.words)
        if args.count is None
        else min(len(rom.words), start + _int(args.count, "--count"))
    )
    for line in listing(rom.words[start:end], start):
        sys.stdout.write(line + "\n")
    return 0


def cmd_asm(args: argparse.Namespace) -> int:
    from pygotchi.emu.asm import assemble
    from pygotchi.emu.rom import MAX_WORDS, MIN_WORDS, words_to_packed, words_to_rombin

    if not MIN_WORDS <= args.size <= MAX_WORDS:
        raise EmuError(f"--size must be {MIN_WORDS}..{MAX_WORDS} words")
    source = _read(args.source, "source file").decode("utf-8", "replace")
    words = assemble(source, Path(args.source).name).image(args.size)
    if args.format == "rombin":
        data = words_to_rombin(words)
    elif args.format == "packed":
        data = words_to_packed(words)
    else:
        packed = words_to_packed(words)
        body = ",\n".join(
            "  " + ", ".join(f"0x{b:02X}" for b in packed[i : i + 12])
            for i in range(0, len(packed), 12)
        )
        data = f"static const unsigned char g_program_b12[] = {{\n{body}\n}};\n".encode()
    _write_atomic(args.output, data)
    print(f"wrote {args.output}: {len(words)} words, {len(data)} bytes", file=sys.stderr)
    return 0


def _write_atomic(path: str, data: bytes) -> None:
    """Write to a temporary file and rename, so a failure never leaves half a file."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EmuError(f"cannot write {path}: {exc.strerror or exc}") from None


def cmd_screenshot(args: argparse.Namespace) -> int:
    from pygotchi.emu.machine import TICKS_PER_SECOND
    from pygotchi.emu.render import screenshot_png

    seconds = _fraction(args.seconds, "--seconds")
    events = _script(args.script)
    machine = _machine(args.rom, args.load_state)
    start = machine.tick
    for e in events:
        machine.set_pin(e.pin, 0 if e.down else 1, at_tick=start + e.tick)
    machine.run_until(start + int(seconds * TICKS_PER_SECOND))
    _write_atomic(args.output, screenshot_png(machine.screen().frame, args.scale))
    print(f"wrote {args.output} at t={machine.seconds:.3f} s", file=sys.stderr)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from pygotchi.emu import core_info, core_warning
    from pygotchi.emu.rom import MODELS, load_rom_file

    print(f"emulator core: {core_info()}")
    warning = core_warning()
    if warning:
        print(warning, file=sys.stderr)
    if args.rom:
        rom = load_rom_file(args.rom)
        print(
            f"{args.rom}: {rom.model.name} ({rom.model.id}, {rom.chip}), {len(rom.words)} words, "
            f"format {rom.source_format}, sha256 {rom.sha256}"
        )
    else:
        print("known ROMs: " + ", ".join(f"{m.name} [{m.chip}]" for m in MODELS))
    return 0
