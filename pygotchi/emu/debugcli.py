"""``python -m pygotchi debug ROM [--load-state F]``: the debugger in a terminal.

A small command loop over ``Debugger`` (one command a line, from a terminal or a
pipe). A command the debugger cannot take prints ``error: ...`` and the loop goes
on; the exit status is then 2, so a script fed through stdin learns that part of
it was refused. Bad command-line arguments end at once with status 2.
"""

from __future__ import annotations

import sys
from typing import TextIO

from pygotchi.emu.debugger import Debugger, Stop, parse_number
from pygotchi.emu.disasm import mnemonic
from pygotchi.emu.errors import EmuError
from pygotchi.emu.machine import TICKS_PER_SECOND, Machine

HELP = """commands (addresses in hex with 0x, $ or h, or decimal):
  s [N]            step N instructions (default 1)
  n                step over a call (one step for anything else)
  c [SECONDS]      continue to a breakpoint or watchpoint (at most SECONDS
                   emulated seconds, default 60)
  u ADDR           run until PC reaches ADDR
  b ADDR           set a breakpoint          bd ADDR   delete it
  w ADDR [r|w|rw]  watch a data nibble (default rw)   wd ADDR   stop watching
  back [N]         step back N steps (default 1)
  bb               run back to the previous breakpoint or watchpoint
  x ADDR LEN       show LEN data nibbles from ADDR
  dis [ADDR [N]]   disassemble N words from ADDR (default: around PC)
  r                registers          set REG VALUE   change a register or flag
  poke ADDR VALUE  write a data nibble
  press BUTTON / release BUTTON       a button of the ROM's model
  info             breakpoints, watchpoints, position
  help             this text           q / quit  leave"""


def register_parser(sub) -> None:
    p = sub.add_parser("debug", help="debug a ROM in a terminal: steps, breakpoints, "
                                     "watchpoints, steps back")
    p.add_argument("rom", help="ROM image (rom.bin, packed 12-bit or C header)")
    p.add_argument("--load-state", metavar="FILE",
                   help="start from a state file (pygotchi, TamaTool TLST or pygotchi cpu.bin)")
    p.set_defaults(func=cmd_debug)


def cmd_debug(args) -> int:
    from pygotchi.emu.cli import _read
    from pygotchi.emu.rom import load_rom_file

    machine = Machine(load_rom_file(args.rom))
    if args.load_state:
        machine.load_state(_read(args.load_state, "state file"))
    return Session(Debugger(machine), sys.stdout).loop(sys.stdin)


class Session:
    def __init__(self, debugger: Debugger, out: TextIO) -> None:
        self.d = debugger
        self.out = out

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def loop(self, lines: TextIO) -> int:
        refused = False
        interactive = lines.isatty()
        self.say(f"{self.d.machine.model.name}: type help for commands")
        self.say(self.where(self.d.last_stop))
        while True:
            if interactive:
                print("(dbg) ", end="", file=self.out, flush=True)
            line = lines.readline()
            if not line:
                return 2 if refused else 0
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            if words[0] in ("q", "quit", "exit"):
                return 2 if refused else 0
            try:
                self.command(words[0], words[1:])
            except EmuError as exc:
                refused = True
                print(f"error: {exc}", file=self.out if interactive else sys.stderr,
                      flush=True)

    def command(self, cmd: str, args: list[str]) -> None:
        d = self.d

        def arg(i: int, what: str, default: int | None = None) -> int:
            if i < len(args):
                return parse_number(args[i], what)
            if default is None:
                raise EmuError(f"{cmd}: {what} missing (help shows the commands)")
            return default

        def arity(n: int) -> None:
            if len(args) > n:
                raise EmuError(f"{cmd}: too many arguments: {' '.join(args[n:])}")

        if cmd == "help":
            self.say(HELP)
        elif cmd == "s":
            arity(1)
            self.say(self.where(d.step(arg(0, "step count", 1))))
        elif cmd == "n":
            arity(0)
            self.say(self.where(d.step_over()))
        elif cmd == "c":
            arity(1)
            seconds = arg(0, "seconds", 60)
            self.say(self.where(d.cont(until_tick=d.cpu.tick + seconds * TICKS_PER_SECOND)))
        elif cmd == "u":
            arity(1)
            self.say(self.where(d.run_to(arg(0, "address"),
                                         until_tick=d.cpu.tick + 60 * TICKS_PER_SECOND)))
        elif cmd == "b":
            arity(1)
            addr = arg(0, "address")
            d.set_breakpoint(addr)
            self.say(f"breakpoint at {addr:04X}")
        elif cmd == "bd":
            arity(1)
            d.set_breakpoint(arg(0, "address"), False)
        elif cmd == "w":
            arity(2)
            addr = arg(0, "address")
            kind = args[1].lower() if len(args) > 1 else "rw"
            if kind not in ("r", "w", "rw"):
                raise EmuError(f"w: watch r (reads), w (writes) or rw (both), not {kind!r}")
            d.set_watchpoint(addr, read="r" in kind, write="w" in kind)
            self.say(f"watching {addr:03X} ({kind})")
        elif cmd == "wd":
            arity(1)
            d.set_watchpoint(arg(0, "address"), False, False)
        elif cmd == "back":
            arity(1)
            self.say(self.where(d.back(arg(0, "step count", 1))))
        elif cmd == "bb":
            arity(0)
            self.say(self.where(d.back_to_break()))
        elif cmd == "x":
            arity(2)
            self.dump(arg(0, "address"), arg(1, "length"))
        elif cmd == "dis":
            arity(2)
            start = arg(0, "address", max(0, d.cpu.pc - 4))
            for line in d.disassembly(start, arg(1, "count", 12)):
                mark = ">" if line["address"] == d.cpu.pc else " "
                brk = "*" if line["breakpoint"] else " "
                self.say(f"{mark}{brk}{line['address']:04X}  {line['word']:03X}  {line['text']}")
        elif cmd == "r":
            arity(0)
            self.say(self.registers())
        elif cmd == "set":
            arity(2)
            if len(args) < 2:
                raise EmuError("set: give a register and a value, e.g. set A 0x5")
            self.say(self.where(d.set_register(args[0], arg(1, "value"))))
        elif cmd == "poke":
            arity(2)
            addr = arg(0, "address")
            d.write_memory(addr, arg(1, "value"))
            self.dump(addr, 1)
        elif cmd in ("press", "release"):
            arity(1)
            if not args:
                raise EmuError(f"{cmd}: which button? ({', '.join(d.machine.buttons)})")
            self.say(self.where(d.set_button(args[0], cmd == "press")))
        elif cmd == "info":
            arity(0)
            self.say(f"position {d.position} (session start {d.start}), "
                     f"{d.snapshot_count} snapshots")
            self.say("breakpoints: " + (" ".join(f"{a:04X}" for a in sorted(d.breakpoints))
                                        or "none"))
            kinds = {1: "r", 2: "w", 3: "rw"}
            self.say("watchpoints: " + (" ".join(f"{a:03X}({kinds[k]})" for a, k
                                                 in sorted(d.watchpoints.items())) or "none"))
        else:
            raise EmuError(f"unknown command {cmd!r} (help shows the commands)")

    def registers(self) -> str:
        r = self.d.registers()
        flags = "".join(name if r[name] else name.lower() for name in "CZDI")
        return (f"PC={r['PC']:04X} NP={r['NP']:02X} A={r['A']:X} B={r['B']:X} X={r['X']:03X} "
                f"Y={r['Y']:03X} SP={r['SP']:02X} F={r['F']:X} [{flags}]"
                + (" halted" if self.d.cpu.halted else ""))

    def where(self, stop: Stop) -> str:
        d = self.d
        why = stop.reason
        if stop.reason == "watchpoint":
            why = f"watchpoint: {stop.access} of {stop.address:03X}"
        word = d.cpu.rom[d.cpu.pc]
        return (f"[{why}] step {stop.position}, {d.cpu.tick / TICKS_PER_SECOND:.4f} s  "
                f"{self.registers()}\n  {d.cpu.pc:04X}  {word:03X}  {mnemonic(word)}")

    def dump(self, addr: int, length: int) -> None:
        if not 0 <= addr < 0x1000 or length < 1 or addr + length > 0x1000:
            raise EmuError("x: ADDR and LEN must stay inside data memory 0x000-0xFFF")
        view = self.d.memory_view()
        changed = set(self.d.changed())
        for row in range(addr, addr + length, 16):
            cells = []
            for a in range(row, min(row + 16, addr + length)):
                cells.append(f"{view[a]:X}" + ("*" if a in changed else " "))
            self.say(f"{row:03X}: {''.join(cells)}")
