"""The E0C6200 core: executing steps on a ``Chip``.

Time is TamaLIB's ``tick_counter``: 32,768 ticks per emulated second. One
*step* is TamaLIB's ``cpu_step()``, the unit of the golden traces:

1. add the cycles of the *previous* instruction to the tick count (TamaLIB
   charges an instruction at the start of the next step, so the count lags by
   one instruction; a halted step charges 5 cycles and forgets the last one);
2. execute the instruction at PC (unless halted); NP follows PC's page except
   right after PSET;
3. run the timers that are due;
4. if I=1 and the instruction was not PSET, enter the highest-priority latched
   interrupt: push PC, clear I, jump to page 1 of the bank, charge 12 cycles at
   once, leave HALT.

Cycles become ticks one to one on OSC1; on OSC3 (1 MHz) through a remainder
accumulator, exactly as TamaLIB converts them.

``run(limit)`` executes whole steps while the tick count is below ``limit``.
The loop keeps PC, tick and pending cycles in locals and leaves its fast path
only at a timer event, a latched interrupt or a mode change (``attn``). The
pure-Python build calls handlers through a 4,096-entry table; the compiled
build (Cython, ``cpu.pxd``) runs the same steps through a C switch with the GIL
released, so threads can run different machines on different cores.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # pure Python without Cython installed
    from types import SimpleNamespace

    cython = SimpleNamespace(compiled=False)

from array import array

from pygotchi.emu import ops, timers
from pygotchi.emu.chip import Chip
from pygotchi.emu.isa import CYCLES

if not cython.compiled:
    from pygotchi.emu.ops import HANDLERS

INTERRUPT_CYCLES = 12
HALT_CYCLES = 5
PROGRAM_WORDS = 8192  # the 13-bit PC addresses 8K words; shorter ROMs are padded
PAD_WORD = 0xFFB  # NOP5 past the end of a short ROM


def make_program(words) -> tuple:
    """``(words, code, fused)``: the padded program and its decoded forms, shared by machines.

    The pure-Python loop indexes ``words`` (a list is fastest in CPython). The
    compiled loop reads ``code``: per address the number of the handler that
    runs its word (which also fixes its cycle count), decided once per ROM;
    its OSC1 copy reads ``fused``, the same with runs of instructions that have
    one case together (``fuse``).
    """
    if len(words) > PROGRAM_WORDS:
        raise ValueError("program larger than the 8K words the PC can address")
    padded = [w & 0xFFF for w in words] + [PAD_WORD] * (PROGRAM_WORDS - len(words))
    kind = ops.KIND
    code = array("H", [kind[w] for w in padded])
    return (array("H", padded) if cython.compiled else padded), code, fuse(code)


def fuse(code) -> array:
    """``code`` where the longest run of ``ops.FUSED`` that starts at an address gets its case.

    A run covers the words at consecutive addresses, so it applies wherever
    those words sit, whichever way the CPU got there.
    """
    by_first: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for j, run in enumerate(ops.FUSED):
        by_first.setdefault(run[0], []).append((run, ops.FIRST_FUSED + j))
    for runs in by_first.values():
        runs.sort(key=lambda r: -len(r[0]))
    fused = array("H", code)
    n = len(code)
    for pc in range(n):
        for run, case in by_first.get(code[pc], ()):
            # Not across the end of the program (where the PC wraps to 0): the
            # compiled case reads the words at pc + i without wrapping.
            if pc + len(run) <= n and all(code[pc + i] == run[i] for i in range(1, len(run))):
                fused[pc] = case
                break
    return fused


class Cpu(Chip):
    """A chip that executes its program."""

    if not cython.compiled:
        __slots__ = ()

    def step(self) -> None:
        """Execute exactly one step (slow; for tracing and debugging)."""
        if self.halted:
            self.halted_run(1)
            return
        self.charge(self.pending)
        pc = self.pc
        op = self.rom[pc]
        if cython.compiled:
            self.pc = ops.dispatch(self, self.code[pc], op, pc)
            self.pending = CYCLES[op]
        else:
            self.pc = HANDLERS[op](self, op, pc)
            self.pending = CYCLES[op]
        pset = (op & 0xFE0) == 0xE40
        if not pset:
            self.np = self.pc >> 8
        self.steps += 1
        self.attend(pset)

    def run(self, limit: int) -> None:
        """Execute whole steps while the tick count is below ``limit``."""
        if cython.compiled:
            with cython.nogil:
                run_until(self, limit)
        else:
            run_until(self, limit)

    def attend(self, after_pset: bool) -> None:
        """End of a step: timers that are due, then at most one interrupt."""
        if self.tick >= self.timer_event:
            timers.run_timers(self, self.tick)
        if self.f & 8 and not after_pset:
            for slot in range(6):
                if self.triggered[slot]:
                    self.enter_interrupt(slot)
                    break
        self.update_attn()

    def enter_interrupt(self, slot: int) -> None:
        pc = self.pc
        sp = self.sp
        self.mem[(sp - 1) & 0xFF] = (pc >> 8) & 0xF
        self.mem[(sp - 2) & 0xFF] = (pc >> 4) & 0xF
        self.mem[(sp - 3) & 0xFF] = pc & 0xF
        self.sp = (sp - 3) & 0xFF
        self.f &= 0x7
        self.np = (self.np & 0x10) | 1
        # Vectors in page 1: programmable timer 0x0C, serial 0x0A, K10 0x08,
        # K00 0x06, stopwatch 0x04, clock timer 0x02 (slot order = priority).
        self.pc = (pc & 0x1000) | 0x100 | (0x0C - 2 * slot)
        self.call_depth += 1
        self.halted = 0
        self.interrupts += 1
        self.triggered[slot] = 0
        self.charge(INTERRUPT_CYCLES)

    def halted_run(self, count: int) -> None:
        """``count`` halted steps; timer events before the last are applied in bulk.

        The caller makes sure none of those earlier events can wake the CPU.
        """
        if count > 1:
            self.steps += count - 1
            self.halted_steps += count - 1
            self.charge_halted(count - 1)
            timers.skip_halted(self, self.tick)
        self.charge(HALT_CYCLES)
        self.pending = 0
        self.steps += 1
        self.halted_steps += 1
        self.attend(False)

    def charge_halted(self, count: int) -> None:
        """The ticks of ``count`` halted steps at once (5 cycles each)."""
        self.pending = 0
        if self.osc3:
            acc = self.acc + count * (HALT_CYCLES * 32768)
            ticks = acc // 1_000_000
            self.acc = acc - ticks * 1_000_000
            self.tick += ticks
        else:
            self.tick += count * HALT_CYCLES

    def halted_steps_until(self, target: int) -> int:
        """How many halted steps it takes to bring the tick count to ``target``."""
        need = target - self.tick
        if need <= 0:
            return 1
        if self.osc3:
            per_step = HALT_CYCLES * 32768
            steps = (need * 1_000_000 - self.acc + per_step - 1) // per_step
            return steps if steps > 1 else 1
        return (need + HALT_CYCLES - 1) // HALT_CYCLES

    def set_input(self, pin: int, level: int) -> None:
        """Drive input pin K00-K03 (0-3) or K10-K13 (4-7) high (1) or low (0).

        K0x pins raise their interrupt when the new level differs from the F41
        bit; K1x pins on falling edges (TamaLIB's rules). On the E0C6S46, K1x
        input is ignored, as TamaLIB cannot drive it.
        """
        bit = 1 << (pin & 3)
        level = 1 if level else 0
        if pin < 4:
            old = 1 if self.k0 & bit else 0
            if level != old:
                if level != (1 if self.mem[0xF41] & bit else 0):
                    self.raise_interrupt(3, pin & 3)  # K00-K03 slot
                self.k0 = (self.k0 & ~bit) | (bit if level else 0)
        elif self.s48:
            old = 1 if self.k1 & bit else 0
            if level != old:
                if not level:
                    self.raise_interrupt(2, pin & 3)  # K10-K13 slot
                self.k1 = (self.k1 & ~bit) | (bit if level else 0)


def run_batch(cpus: list, limits) -> None:
    """Run ``cpus[i]`` until tick ``limits[i]`` for every i, releasing the GIL once.

    A server advancing thousands of pets per scheduler tick would otherwise pay
    a Python call and a GIL hand-over per pet. ``limits`` is an ``array("q")``;
    the list keeps the machines alive while their addresses are used.
    """
    n = len(cpus)
    if n != len(limits):
        raise ValueError("one limit per machine")
    if cython.compiled:
        addrs = array("Q", [id(c) for c in cpus])
        with cython.nogil:
            for i in range(n):
                run_until(cython.cast(Cpu, cython.cast(cython.p_void, addrs[i])), limits[i])
    else:
        for i in range(n):
            run_until(cpus[i], limits[i])


def run_until(c: Cpu, limit: int) -> None:
    """Steps while the tick count is below ``limit``; halted time in jumps."""
    while c.tick < limit:
        if c.halted:
            # Asleep until a timer event latches an interrupt while I=1 (or one
            # already is). The events in between are applied in bulk.
            if c.attn == 0:
                count = 1
            elif timers.timers_current(c):
                wake = timers.next_wake(c)
                count = c.halted_steps_until(limit if wake < 0 or limit < wake else wake)
            else:
                count = c.halted_steps_until(limit if limit < c.timer_event else c.timer_event)
            c.halted_run(count)
        elif cython.compiled:
            ops.run_awake_native(c, limit)  # both loops are generated next to the handlers
        else:
            ops.run_awake_py(c, limit)
