"""A debugging session on one machine: breakpoints, watchpoints, steps forward and back.

The machine is deterministic, so going back is going forward again: the session
keeps snapshots of the whole chip every ``snapshot_every`` steps and a log of
everything from outside that changed the machine (button levels, register and
memory edits), each at the step count (*position*) where it happened. Stepping
back K steps restores the nearest snapshot at or before position N-K and replays
the log up to it, so the machine ends up identical, byte for byte, to one run
forward N-K steps from the session's start. A new edit or button press at a
position where the log has a future (after stepping back) cuts that future off.

Positions count CPU steps (``Cpu.steps``), as the golden traces do: a halted
step counts, an instruction at a breakpoint has not run yet, a watchpoint stops
after the instruction that touched the nibble.

Snapshots are bounded (``max_snapshots``): when there are too many, the one
whose loss leaves the smallest gap for its age goes, so recent history stays
dense (cheap single steps back) and old history thins out. Pure: no clock, no
threads, no I/O; the caller decides how fast to run (a step budget and a tick
limit on every call).
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass, field

from pygotchi.emu import debugops
from pygotchi.emu.debugops import (
    BRK_TEMP,
    BRK_USER,
    STOP_BREAK,
    STOP_WATCH,
    WATCH_READ,
    WATCH_WRITE,
    Probe,
)
from pygotchi.emu.disasm import branch_target, mnemonic
from pygotchi.emu.errors import EmuError
from pygotchi.emu.isa import NAMES
from pygotchi.emu.machine import Machine
from pygotchi.emu.memory import peek
from pygotchi.emu.state import FIELDS

# Registers a user can edit, with their widths (upper bound, exclusive).
REGISTERS = {"PC": 0x2000, "NP": 0x20, "A": 16, "B": 16, "X": 0x1000, "Y": 0x1000,
             "SP": 0x100, "F": 16}
FLAGS = {"C": 1, "Z": 2, "D": 4, "I": 8}
# Data memory that exists: RAM, the two display areas, I/O (everything else reads 0).
MAPPED = ((0x000, 0x300), (0xE00, 0xE66), (0xE80, 0xEE6), (0xF00, 0xF80))
ACCESS = {1: "read", 2: "write", 3: "read+write"}
FOREVER = 1 << 62
_CHIP_FIELDS = tuple(f.name for f in FIELDS)  # state.py's list of what a machine's state is


@dataclass(frozen=True)
class Stop:
    """Why and where the machine stopped.

    ``reason``: ``step`` (the steps asked for ran), ``breakpoint``, ``watchpoint``,
    ``limit`` (the step budget or tick limit of the call ran out), ``start`` (back
    at the session's first position), ``edit``, ``pause`` (a caller's run ended).
    """

    reason: str
    position: int
    pc: int
    address: int | None = None  # the watched nibble, for a watchpoint
    access: str | None = None  # "read", "write" or "read+write"


@dataclass
class _Snapshot:
    chip: tuple
    mem: bytes
    pending: tuple


@dataclass(order=True)
class _Event:
    position: int
    seq: int
    kind: str = field(compare=False)  # "pin", "reg", "mem"
    a: int | str = field(compare=False)
    b: int = field(compare=False)


def parse_number(text: str, what: str = "address") -> int:
    """``0x1A0``, ``1a0h``, ``$1A0`` or decimal ``416`` (hex needs a marker)."""
    t = text.strip().lower()
    try:
        if t.startswith("0x"):
            return int(t[2:], 16)
        if t.startswith("$"):
            return int(t[1:], 16)
        if t.endswith("h") and len(t) > 1:
            return int(t[:-1], 16)
        return int(t, 10)
    except ValueError:
        raise EmuError(f"{what} {text.strip()!r} is not a number (write 0x1A0 for hex)") from None


class Debugger:
    """A session that owns ``machine`` until it ends; nothing else may run it meanwhile."""

    def __init__(self, machine: Machine, *, snapshot_every: int = 20_000,
                 max_snapshots: int = 256) -> None:
        if snapshot_every < 1 or max_snapshots < 2:
            raise ValueError("snapshot_every >= 1 and max_snapshots >= 2")
        self.machine = machine
        self.cpu = machine.cpu
        self.snapshot_every = snapshot_every
        self.max_snapshots = max_snapshots
        self.probe = Probe()
        self._quiet = Probe()  # replays run through it: nothing stops them
        self.breakpoints: set[int] = set()
        self.watchpoints: dict[int, int] = {}  # address -> WATCH_READ | WATCH_WRITE
        self.start = self.cpu.steps
        # Input the machine had queued becomes the session's own, applied at its tick.
        self._pending: list[tuple[int, int, int, int]] = [
            (tick, seq, pin, level) for tick, seq, pin, level in machine._inputs]
        self._seq = max((i[1] for i in self._pending), default=0)
        machine._inputs.clear()
        self._events: list[_Event] = []
        self._snaps: dict[int, _Snapshot] = {}
        self._snap_at: list[int] = []  # sorted positions of _snaps
        self._snapshot()
        self.last_stop = Stop("start", self.position, self.cpu.pc)
        self._view_now = self.memory_view()
        self._view_prev = self._view_now

    # --- where we are -------------------------------------------------------------

    @property
    def position(self) -> int:
        return self.cpu.steps

    def registers(self) -> dict[str, int]:
        c = self.cpu
        regs = {"PC": c.pc, "NP": c.np, "A": c.a, "B": c.b, "X": c.x, "Y": c.y, "SP": c.sp,
                "F": c.f}
        regs.update({name: 1 if c.f & bit else 0 for name, bit in FLAGS.items()})
        return regs

    def memory_view(self) -> bytes:
        """Every data nibble as the CPU would read it (no read side effects), 4,096 bytes."""
        c = self.cpu
        view = bytearray(4096)
        for start, end in MAPPED:
            if start < 0xF00:
                view[start:end] = bytes(c.mem[start:end])
            else:
                for addr in range(start, end):
                    view[addr] = peek(c, addr)
        return bytes(view)

    def changed(self) -> list[int]:
        """Data addresses whose nibble differs from what it was at the stop before the last."""
        now, prev = self._view_now, self._view_prev
        return [a for a in range(4096) if now[a] != prev[a]]

    def disassembly(self, start: int, count: int,
                    labels: dict[int, str] | None = None) -> list[dict]:
        """``count`` program words from ``start`` as text, with labels for addresses
        and branch targets; the PSET in force is the word just before, as the CPU sees it."""
        labels = labels or {}
        words = self.machine.rom.words
        size = len(words)
        start = max(0, min(start, size - 1))
        out = []
        pset = None
        if start > 0 and NAMES[words[start - 1]].kind == "pset":
            pset = words[start - 1] & 0x1F
        for addr in range(start, min(size, start + max(0, count))):
            word = words[addr]
            text = mnemonic(word)
            target = branch_target(addr, word, pset)
            if target is not None:
                text = f"{text:<16} ; -> {labels.get(target, f'0x{target:04X}')}"
            pset = word & 0x1F if NAMES[word].kind == "pset" else None
            out.append({"address": addr, "word": word, "text": text,
                        "label": labels.get(addr), "breakpoint": addr in self.breakpoints})
        return out

    # --- breakpoints and watchpoints ------------------------------------------------

    def set_breakpoint(self, addr: int, on: bool = True) -> None:
        if not 0 <= addr < 0x2000:
            raise EmuError(f"program address {addr:#x} is outside 0x0000-0x1FFF")
        if on:
            self.breakpoints.add(addr)
            self.probe.brk[addr] |= BRK_USER
        else:
            self.breakpoints.discard(addr)
            self.probe.brk[addr] &= ~BRK_USER & 0xFF

    def set_watchpoint(self, addr: int, read: bool = True, write: bool = True) -> None:
        """Stop after an instruction that reads and/or writes data nibble ``addr``;
        neither removes the watchpoint."""
        if not 0 <= addr < 0x1000:
            raise EmuError(f"data address {addr:#x} is outside 0x000-0xFFF")
        bits = (WATCH_READ if read else 0) | (WATCH_WRITE if write else 0)
        if bits:
            self.watchpoints[addr] = bits
        else:
            self.watchpoints.pop(addr, None)
        self.probe.watch[addr] = bits

    # --- running forward ----------------------------------------------------------------

    def step(self, count: int = 1) -> Stop:
        """``count`` steps; stops early at a breakpoint or watchpoint (after the first)."""
        if count < 1:
            raise EmuError("step count must be at least 1")
        return self._stop(self._run(self.position + count, FOREVER, self.probe, True), "step")

    def cont(self, max_steps: int = FOREVER, until_tick: int = FOREVER,
             settle: bool = True) -> Stop:
        """Run to the next breakpoint or watchpoint, at most ``max_steps`` steps and
        below tick ``until_tick`` (the caller's pace: 1x, 10x ... as fast as possible).

        With ``settle=False`` a run that merely used up its budget is not a stop
        (the "changed since the last stop" view stays as it was): for callers that
        run in slices and call ``settle`` when they pause.
        """
        target = self.position + max_steps if max_steps < FOREVER else None
        reason = self._run(target, until_tick, self.probe, True)
        if not settle and reason == debugops.STOP_LIMIT:
            return Stop("limit", self.position, self.cpu.pc)
        return self._stop(reason, "limit")

    def settle(self, reason: str = "pause") -> Stop:
        """Record the present position as a stop (after runs with ``settle=False``)."""
        return self._record_stop(Stop(reason, self.position, self.cpu.pc))

    def run_to(self, addr: int, max_steps: int = FOREVER, until_tick: int = FOREVER) -> Stop:
        """Run until PC reaches ``addr`` (or a breakpoint or watchpoint comes first)."""
        if not 0 <= addr < 0x2000:
            raise EmuError(f"program address {addr:#x} is outside 0x0000-0x1FFF")
        self.probe.brk[addr] |= BRK_TEMP
        try:
            target = self.position + max_steps if max_steps < FOREVER else None
            reason = self._run(target, until_tick, self.probe, True)
        finally:
            self.probe.brk[addr] &= ~BRK_TEMP & 0xFF
        temp = self.cpu.pc == addr and addr not in self.breakpoints
        return self._stop(reason, "limit", temp=temp)

    def step_over(self, max_steps: int = FOREVER, until_tick: int = FOREVER) -> Stop:
        """One step, or a whole CALL/CALZ: run until it returns to the next word with
        the stack where it was (recursion and interrupts inside are stepped over)."""
        c = self.cpu
        if c.halted or NAMES[c.rom[c.pc]].kind not in ("call", "calz"):
            return self.step()
        ret = (c.pc + 1) & 0x1FFF
        sp = c.sp
        end = self.position + max_steps if max_steps < FOREVER else None
        self.probe.brk[ret] |= BRK_TEMP
        try:
            while True:
                reason = self._run(end, until_tick, self.probe, True)
                if reason != STOP_BREAK or c.pc != ret:
                    return self._stop(reason, "limit")
                if c.sp == sp or ret in self.breakpoints:
                    return self._stop(reason, "step", temp=ret not in self.breakpoints)
        finally:
            self.probe.brk[ret] &= ~BRK_TEMP & 0xFF

    # --- going back ---------------------------------------------------------------------

    def back(self, count: int = 1) -> Stop:
        """Go back ``count`` steps (not before the session's start)."""
        if count < 1:
            raise EmuError("step count must be at least 1")
        target = max(self.start, self.position - count)
        self._seek(target)
        reason = "start" if target == self.start and self.position - count < self.start else "step"
        return self._record_stop(Stop(reason, self.position, self.cpu.pc))

    def back_to_break(self, max_steps: int = FOREVER) -> Stop:
        """Run backwards to the last position before this one where running forward
        would have stopped at a breakpoint or watchpoint; else to the session's start,
        or ``max_steps`` back (reason ``limit``) if that comes first."""
        end = self.position
        floor = max(self.start, end - max_steps) if max_steps < FOREVER else self.start
        while end > floor:
            i = bisect.bisect_left(self._snap_at, end) - 1
            first = self._snap_at[i]
            hit = self._last_hit(first, end)
            if hit is not None and hit.position >= floor:
                self._seek(hit.position)
                return self._record_stop(hit)
            end = first
        self._seek(floor)
        reason = "start" if floor == self.start else "limit"
        return self._record_stop(Stop(reason, self.position, self.cpu.pc))

    def _last_hit(self, first: int, end: int) -> Stop | None:
        """The last stop a forward run from snapshot ``first`` makes before position ``end``.

        The run goes on to ``end`` itself: a watchpoint hit by the step into a
        position is reported at that position, so the step into ``first`` belongs
        to the segment before (which ends there).
        """
        self._restore(first)
        last = None
        skip = False
        while True:
            reason = self._run(end, FOREVER, self.probe, skip)
            if reason == debugops.STOP_LIMIT:
                return last
            if self.position < end:
                last = self._stop_info(reason)
            skip = True

    # --- changing the machine -----------------------------------------------------------

    def set_register(self, name: str, value: int) -> Stop:
        """Set a register (PC, NP, A, B, X, Y, SP, F) or a flag (C, Z, D, I)."""
        key = name.strip().upper()
        if key in FLAGS:
            if value not in (0, 1):
                raise EmuError(f"flag {key} is 0 or 1, not {value}")
            bit = FLAGS[key]
            return self._edit("reg", "F", (self.cpu.f | bit) if value else (self.cpu.f & ~bit))
        if key not in REGISTERS:
            known = ", ".join([*REGISTERS, *FLAGS])
            raise EmuError(f"no register {name!r}; registers: {known}")
        if not 0 <= value < REGISTERS[key]:
            raise EmuError(f"{key} holds 0 to {REGISTERS[key] - 1:#x}, not {value:#x}")
        return self._edit("reg", key, value)

    def write_memory(self, addr: int, value: int) -> Stop:
        """Write a data nibble as the CPU would (I/O registers take effect)."""
        if not 0 <= addr < 0x1000:
            raise EmuError(f"data address {addr:#x} is outside 0x000-0xFFF")
        if not 0 <= value < 16:
            raise EmuError(f"a memory nibble holds 0 to 15, not {value}")
        if not any(start <= addr < end for start, end in MAPPED):
            raise EmuError(f"nothing is mapped at data address {addr:#05x}: it always reads 0")
        return self._edit("mem", addr, value)

    def set_button(self, button: str, pressed: bool) -> Stop:
        pin = self.machine.pin_of(button)
        return self._edit("pin", pin, 0 if pressed else 1)

    @property
    def snapshot_count(self) -> int:
        return len(self._snap_at)

    @property
    def snapshot_bytes(self) -> int:
        return sum(len(s.mem) + 8 * len(s.chip) + 16 for s in self._snaps.values())

    # --- internals ------------------------------------------------------------------------

    def _edit(self, kind: str, a, b: int) -> Stop:
        p = self.position
        self._apply_due()  # input due here goes first, as a replay will do it
        # A change at p gives the session a new future: what was logged after p is gone.
        self._events = [e for e in self._events if e.position <= p]
        for pos in [s for s in self._snap_at if s > p]:
            del self._snaps[pos]
        self._snap_at = [s for s in self._snap_at if s <= p]
        self._seq += 1
        event = _Event(p, self._seq, kind, a, b)
        self._events.append(event)
        self._apply(event)
        self._view_now = self.memory_view()
        self.last_stop = Stop("edit", p, self.cpu.pc)
        return self.last_stop

    def _apply(self, e: _Event) -> None:
        c = self.cpu
        if e.kind == "pin":
            c.set_input(e.a, e.b)
        elif e.kind == "mem":
            debugops.poke(c, e.a, e.b)
        else:
            name = e.a.lower()
            setattr(c, name, e.b)
            if name == "pc":
                c.np = e.b >> 8  # the loops assume NP follows PC except right after PSET
            c.resync()  # I may have been set with an interrupt latched
        self.machine._screen_cache = None

    def _apply_due(self) -> None:
        """Queued button changes whose tick has come. Applied lazily, just before the
        next step (as ``Machine.step`` does) or before an edit at this position, so the
        machine after N steps is the machine any other driver has after N steps."""
        pending = self._pending
        while pending and pending[0][0] <= self.cpu.tick:
            _, _, pin, level = pending.pop(0)
            self.cpu.set_input(pin, level)

    def _boundary(self) -> None:
        """At a new position: maybe a snapshot, then the edits logged here."""
        p = self.position
        i = bisect.bisect_right(self._snap_at, p) - 1
        if i < 0 or p - self._snap_at[i] >= self.snapshot_every:
            self._snapshot()
        self._replay_edits(p)

    def _replay_edits(self, p: int) -> None:
        """The edits logged at ``p``, after the input due there (the order ``_edit`` keeps)."""
        i = bisect.bisect_left(self._events, _Event(p, -1, "", 0, 0))
        if i < len(self._events) and self._events[i].position == p:
            self._apply_due()
        while i < len(self._events) and self._events[i].position == p:
            self._apply(self._events[i])
            i += 1

    def _run(self, target: int | None, until_tick: int, probe: Probe, skip_first: bool) -> int:
        """Forward to position ``target`` (None: no end) or tick ``until_tick``;
        returns the debugops STOP_ reason."""
        c = self.cpu
        while True:
            p = c.steps
            if target is not None and p >= target or c.tick >= until_tick:
                return debugops.STOP_LIMIT
            self._apply_due()
            budget = self.snapshot_every if target is None else min(target - p,
                                                                     self.snapshot_every)
            i = bisect.bisect_right(self._events, _Event(p, 1 << 62, "", 0, 0))
            if i < len(self._events):
                budget = min(budget, self._events[i].position - p)
            limit = until_tick
            if self._pending and self._pending[0][0] < limit:
                limit = self._pending[0][0]
            reason = debugops.run(c, probe, limit, budget, skip_first)
            skip_first = False
            if c.steps != p:
                self._boundary()
            if reason != debugops.STOP_LIMIT:
                return reason

    def _stop_info(self, reason: int, default: str = "limit", temp: bool = False) -> Stop:
        c = self.cpu
        if reason == STOP_BREAK:
            return Stop("step" if temp else "breakpoint", self.position, c.pc)
        if reason == STOP_WATCH:
            return Stop("watchpoint", self.position, c.pc, self.probe.hit_addr,
                        ACCESS[self.probe.hit_kind])
        return Stop(default, self.position, c.pc)

    def _stop(self, reason: int, default: str, temp: bool = False) -> Stop:
        return self._record_stop(self._stop_info(reason, default, temp))

    def _record_stop(self, stop: Stop) -> Stop:
        self.machine._screen_cache = None
        self._view_prev = self._view_now
        self._view_now = self.memory_view()
        self.last_stop = stop
        return stop

    def _snapshot(self) -> None:
        c = self.cpu
        chip = []
        for name in _CHIP_FIELDS:
            value = getattr(c, name)
            if not isinstance(value, int):
                value = array("q", value) if name == "clock_stamps" else bytes(value)
            chip.append(value)
        p = self.position
        if p not in self._snaps:
            bisect.insort(self._snap_at, p)
        self._snaps[p] = _Snapshot(tuple(chip), bytes(c.mem), tuple(self._pending))
        if len(self._snap_at) > self.max_snapshots:
            self._thin()

    def _thin(self) -> None:
        """Drop the snapshot whose loss costs least for its age (never the first or last)."""
        at = self._snap_at
        now = at[-1]
        best, best_score = 1, None
        for i in range(1, len(at) - 1):
            score = (at[i + 1] - at[i - 1]) / (now - at[i] + 1)
            if best_score is None or score < best_score:
                best, best_score = i, score
        del self._snaps[at[best]]
        del at[best]

    def _restore(self, position: int) -> None:
        """Back to snapshot ``position`` with the edits logged there applied."""
        snap = self._snaps[position]
        c = self.cpu
        for name, value in zip(_CHIP_FIELDS, snap.chip, strict=True):
            if not isinstance(value, int):
                value = array("q", value) if name == "clock_stamps" else bytearray(value)
            setattr(c, name, value)
        c.mem = bytearray(snap.mem)
        c.bz_head = 0
        c.bz_count = 0
        c.resync()
        self._pending = list(snap.pending)
        self._replay_edits(position)
        self.machine._screen_cache = None

    def _seek(self, target: int) -> None:
        """To position ``target`` (at or after the start) by a snapshot and a quiet replay."""
        i = bisect.bisect_right(self._snap_at, target) - 1
        if i < 0:
            raise EmuError(f"position {target} is before the session's start")
        if not (self._snap_at[i] <= self.position <= target):
            self._restore(self._snap_at[i])
        self._run(target, FOREVER, self._quiet, False)
