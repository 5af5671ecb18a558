"""The state of one E0C6S46/E0C6S48 chip: registers, memory, timers, latches.

``Chip`` holds data and the few operations that only touch that data; the
instruction handlers (ops.py), the memory map (memory.py), the timers
(timers.py) and the execution loop (cpu.py, ``Cpu(Chip)``) work on it. Keeping
it free of imports lets every other part of the compiled build ``cimport`` it
(``chip.pxd`` types each field) without circles.

Arrays are buffers (bytearray, ``array``) so that the compiled build sees them
as C arrays and the pure-Python build as ordinary sequences.
"""

from __future__ import annotations

from array import array

try:
    import cython
except ImportError:  # pure Python without Cython installed
    from types import SimpleNamespace

    cython = SimpleNamespace(compiled=False)

COMPILED = bool(cython.compiled)  # True in the Cython build of this module
OSC3_HZ = 1_000_000
TICK_HZ = 32_768
BUZZER_RING = 256  # buzzer changes kept between two reads
PROG_PERIOD = 128  # programmable timer: 256 Hz, in ticks
# The methods below write these as literals: the compiled build runs them without the GIL.


class Chip:
    """Registers, memory, timers and interrupt latches of one machine."""

    if not cython.compiled:  # the compiled build types these fields in chip.pxd
        __slots__ = (
            "rom", "code", "fused", "s48", "mem", "pc", "np", "a", "b", "x", "y", "sp", "f", "tick",
            "pending", "acc", "osc3", "halted", "attn", "timer_event", "clock_stamps",
            "clock_aligned", "prog_stamp", "prog_enabled", "prog_data", "prog_reload", "factor",
            "mask", "triggered", "k0", "k1", "buzzer_freq", "buzzer_on", "bz_ticks", "bz_vals",
            "bz_head", "bz_count", "bz_dropped", "lcd_version", "steps", "halted_steps",
            "interrupts", "call_depth", "lazy",
        )

    def __init__(self, program, s48: bool) -> None:
        """``program`` is ``(words, code, fused)`` from ``cpu.make_program``, shared by machines."""
        self.rom = program[0]
        self.code = program[1]
        self.fused = program[2]
        self.s48 = bool(s48)
        self.bz_ticks = array("q", bytes(8 * BUZZER_RING))
        self.bz_vals = array("h", bytes(2 * BUZZER_RING))
        self.reset()

    def reset(self) -> None:
        """Power-on state, as TamaLIB's ``cpu_reset`` plus ``hw_init`` leave it."""
        self.mem = bytearray(4096)
        self.pc = 0x100
        self.np = 0x01
        self.a = 0
        self.b = 0
        self.x = 0
        self.y = 0
        self.sp = 0
        self.f = 0
        self.tick = 0
        self.pending = 0
        self.acc = 0
        self.osc3 = 0
        self.halted = 0
        self.clock_stamps = array("q", bytes(8 * 8))
        self.prog_stamp = 0
        self.prog_enabled = 0
        self.prog_data = 0
        self.prog_reload = 0
        self.factor = bytearray(6)
        self.mask = bytearray(6)
        self.triggered = bytearray(6)
        self.k0 = 0xF  # buttons released (active low)
        self.k1 = 0xF if self.s48 else 0
        self.buzzer_freq = -1  # no frequency set yet
        self.buzzer_on = 0
        self.bz_head = 0
        self.bz_count = 0
        self.bz_dropped = 0
        self.lcd_version = 0
        self.steps = 0
        self.halted_steps = 0
        self.interrupts = 0
        self.call_depth = 0
        self.lazy = 0  # timers.py: set only inside the compiled loop
        self.mem[0xF54] = 0xF  # R43 high: buzzer off
        self.mem[0xF71] = 0x8  # LCD control
        self.mem[0xF41] = 0xF  # K00-K03 interrupt on falling input
        self.update_timer_event()

    def resync(self) -> None:
        """Recompute derived bookkeeping after fields were set from outside (state loads)."""
        self.update_timer_event()

    def update_timer_event(self) -> None:
        """Recompute the earliest tick at which some timer has something to do.

        Clock-timer channel i toggles every 16384 >> i ticks (1 Hz .. 128 Hz
        bits of F21/F20); the programmable timer counts every 128 ticks.
        """
        event = self.clock_stamps[0] + 16384
        for i in range(1, 8):
            t = self.clock_stamps[i] + (16384 >> i)
            if t < event:
                event = t
        # In phase (timers.run_timers can stop its scan early): the 128 Hz stamp is
        # a multiple of 128 and every other stamp is it rounded down to its period.
        s7 = self.clock_stamps[7]
        aligned = (s7 & 127) == 0
        for i in range(7):
            if self.clock_stamps[i] != (s7 & -(16384 >> i)):
                aligned = False
        self.clock_aligned = aligned
        if self.prog_enabled:
            t = self.prog_stamp + 128  # PROG_PERIOD
            if t < event:
                event = t
        self.timer_event = event
        self.update_attn()

    def update_attn(self) -> None:
        """Tick at which the run loop must stop to look at timers or interrupts.

        A latched interrupt needs the loop's attention only while I=1; with I=0
        it waits, and the instructions that can set I (SET F, POP F) call this
        again. Looking at it after every instruction would cost half the run time.
        """
        # (No local alias of the array: in the compiled build that would cost
        # atomic reference counting on every call.)
        if self.f & 8 and (self.triggered[0] or self.triggered[1] or self.triggered[2]
                           or self.triggered[3] or self.triggered[4] or self.triggered[5]):
            self.attn = 0
        else:
            self.attn = self.timer_event

    def raise_interrupt(self, slot: int, bit: int) -> None:
        """Set a factor flag; latch the interrupt if its mask bit is set right now.

        TamaLIB's model (the golden traces depend on it): the latch is set only at
        the event, so enabling a mask later does not fire for a flag already set,
        and reading the factor register does not clear the latch; servicing does.
        """
        self.factor[slot] |= 1 << bit
        if self.mask[slot] & (1 << bit):
            self.triggered[slot] = 1
            if self.f & 8:
                self.attn = 0

    def charge(self, cycles: int) -> None:
        """Advance the tick count by ``cycles`` CPU cycles at the current clock."""
        if self.osc3:  # 32,768 ticks per second, 1,000,000 cycles per second
            acc = self.acc + cycles * 32768
            ticks = acc // 1_000_000
            self.acc = acc - ticks * 1_000_000
            self.tick += ticks
        else:
            self.tick += cycles

    def record_buzzer(self) -> None:
        """Queue the buzzer's new state with its tick; the oldest goes when full."""
        i = (self.bz_head + self.bz_count) % 256  # BUZZER_RING
        if self.bz_count == 256:
            self.bz_head = (self.bz_head + 1) % 256
            self.bz_dropped += 1
        else:
            self.bz_count += 1
        self.bz_ticks[i] = self.tick
        self.bz_vals[i] = (self.buzzer_on << 4) | (self.buzzer_freq & 0xF)

    def attend(self, after_pset: bool) -> None:
        """End-of-step work (timers, interrupts); the CPU (cpu.Cpu) supplies it."""

    @property
    def instructions(self) -> int:
        return self.steps - self.halted_steps
