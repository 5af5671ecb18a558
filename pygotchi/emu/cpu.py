"""The E0C6200 core with the E0C6S46/E0C6S48 on-chip peripherals it drives.

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
Its loop keeps PC, tick and pending cycles in locals and leaves the loop only
at a timer event, a latched interrupt or a mode change (``attn``), so the
common step is a table lookup and one handler call.
"""

from __future__ import annotations

from array import array

from pygotchi.emu import memory, timers
from pygotchi.emu.isa import CYCLES
from pygotchi.emu.memory import VECTORS
from pygotchi.emu.ops import HANDLERS

OSC3_HZ = 1_000_000
TICK_HZ = 32_768
INTERRUPT_CYCLES = 12
HALT_CYCLES = 5
PROGRAM_WORDS = 8192  # the 13-bit PC addresses 8K words; shorter ROMs are padded
PAD_WORD = 0xFFB  # NOP5 past the end of a short ROM
BUZZER_RING = 1024


class Cpu:
    """Registers, memory, timers and interrupt latches of one machine."""

    __slots__ = (
        "rom", "s48", "mem", "pc", "np", "a", "b", "x", "y", "sp", "f",
        "tick", "pending", "acc", "osc3", "halted", "attn", "timer_event",
        "clock_stamps", "prog_stamp", "prog_enabled", "prog_data", "prog_reload",
        "factor", "mask", "triggered", "k0", "k1",
        "buzzer_freq", "buzzer_on", "bz_ticks", "bz_vals", "bz_head", "bz_count",
        "bz_dropped", "lcd_version", "steps", "halted_steps", "interrupts", "call_depth",
    )

    def __init__(self, program: list[int], s48: bool) -> None:
        if len(program) > PROGRAM_WORDS:
            raise ValueError("program larger than the 8K words the PC can address")
        self.rom = list(program) + [PAD_WORD] * (PROGRAM_WORDS - len(program))
        self.s48 = bool(s48)
        self.bz_ticks = array("q", bytes(8 * BUZZER_RING))
        self.bz_vals = array("h", bytes(2 * BUZZER_RING))
        self.reset()

    def reset(self) -> None:
        """Power-on state, as TamaLIB's ``cpu_reset`` plus ``hw_init`` leave it."""
        self.mem = bytearray(4096)
        self.pc = 0x100
        self.np = 0x01
        self.a = self.b = self.x = self.y = self.sp = self.f = 0
        self.tick = 0
        self.pending = 0
        self.acc = 0
        self.osc3 = 0
        self.halted = 0
        self.clock_stamps = [0] * 8
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
        self.mem[0xF54] = 0xF  # R43 high: buzzer off
        self.mem[0xF71] = 0x8  # LCD control
        self.mem[0xF41] = 0xF  # K00-K03 interrupt on falling input
        self.update_timer_event()

    # --- bookkeeping shared with memory.py and timers.py -------------------

    def update_timer_event(self) -> None:
        self.timer_event = timers.next_timer_event(self)
        self.update_attn()

    def update_attn(self) -> None:
        """Tick at which the run loop must stop to look at timers or interrupts."""
        t = self.triggered
        if t[0] or t[1] or t[2] or t[3] or t[4] or t[5]:
            self.attn = 0
        else:
            self.attn = self.timer_event

    def record_buzzer(self) -> None:
        i = (self.bz_head + self.bz_count) % BUZZER_RING
        if self.bz_count == BUZZER_RING:
            self.bz_head = (self.bz_head + 1) % BUZZER_RING
            self.bz_dropped += 1
        else:
            self.bz_count += 1
        self.bz_ticks[i] = self.tick
        self.bz_vals[i] = (self.buzzer_on << 4) | (self.buzzer_freq & 0xF)

    def _charge(self, cycles: int) -> None:
        if self.osc3:
            acc = self.acc + cycles * TICK_HZ
            ticks = acc // OSC3_HZ
            self.acc = acc - ticks * OSC3_HZ
            self.tick += ticks
        else:
            self.tick += cycles

    # --- steps ---------------------------------------------------------------

    def _attend(self, after_pset: bool) -> None:
        """End of a step: timers that are due, then at most one interrupt."""
        if self.tick >= self.timer_event:
            timers.run_timers(self, self.tick)
        if self.f & 8 and not after_pset:
            t = self.triggered
            for slot in range(6):
                if t[slot]:
                    self._enter_interrupt(slot)
                    break
        self.update_attn()

    def _enter_interrupt(self, slot: int) -> None:
        pc = self.pc
        sp = self.sp
        mem = self.mem
        mem[(sp - 1) & 0xFF] = (pc >> 8) & 0xF
        mem[(sp - 2) & 0xFF] = (pc >> 4) & 0xF
        mem[(sp - 3) & 0xFF] = pc & 0xF
        self.sp = (sp - 3) & 0xFF
        self.f &= 0x7
        self.np = (self.np & 0x10) | 1
        self.pc = (pc & 0x1000) | 0x100 | VECTORS[slot]
        self.call_depth += 1
        self.halted = 0
        self.interrupts += 1
        self.triggered[slot] = 0
        self._charge(INTERRUPT_CYCLES)

    def step(self) -> None:
        """Execute exactly one step (slow; for tracing and debugging)."""
        if self.halted:
            self._halted_steps(1)
            return
        self._charge(self.pending)
        pc = self.pc
        op = self.rom[pc]
        self.pc = HANDLERS[op](self, op, pc)
        self.pending = CYCLES[op]
        pset = (op & 0xFE0) == 0xE40
        if not pset:
            self.np = self.pc >> 8
        self.steps += 1
        self._attend(pset)

    def _halted_steps(self, count: int) -> None:
        """``count`` halted steps; only the last may meet a timer event."""
        if count > 1:
            self.steps += count - 1
            self.halted_steps += count - 1
            self.pending = 0
            if self.osc3:
                acc = self.acc + (count - 1) * HALT_CYCLES * TICK_HZ
                ticks = acc // OSC3_HZ
                self.acc = acc - ticks * OSC3_HZ
                self.tick += ticks
            else:
                self.tick += (count - 1) * HALT_CYCLES
        self._charge(HALT_CYCLES)
        self.pending = 0
        self.steps += 1
        self.halted_steps += 1
        self._attend(False)

    def _halted_steps_until(self, target: int) -> int:
        """How many halted steps it takes to bring the tick count to ``target``."""
        need = target - self.tick
        if need <= 0:
            return 1
        if self.osc3:
            per_step = HALT_CYCLES * TICK_HZ
            return max(1, -(-(need * OSC3_HZ - self.acc) // per_step))
        return -(-need // HALT_CYCLES)

    def run(self, limit: int) -> None:
        """Execute whole steps while the tick count is below ``limit``."""
        while self.tick < limit:
            if self.halted:
                # Nothing happens until a timer event or an enabled interrupt.
                if self.attn == 0 and self.f & 8:
                    count = 1
                else:
                    count = self._halted_steps_until(min(limit, self.timer_event))
                self._halted_steps(count)
            else:
                self._run_awake(limit)

    def _run_awake(self, limit: int) -> None:
        rom = self.rom
        handlers = HANDLERS
        cycles = CYCLES
        tick = self.tick
        pending = self.pending
        pc = self.pc
        osc3 = self.osc3
        steps = 0
        while tick < limit:
            if osc3:
                acc = self.acc + pending * TICK_HZ
                ticks = acc // OSC3_HZ
                self.acc = acc - ticks * OSC3_HZ
                tick += ticks
            else:
                tick += pending
            self.tick = tick
            op = rom[pc]
            pc = handlers[op](self, op, pc)
            pending = cycles[op]
            steps += 1
            if (op & 0xFE0) != 0xE40:
                self.np = pc >> 8
            if tick >= self.attn:
                self.pc = pc
                self.pending = pending
                self._attend((op & 0xFE0) == 0xE40)
                pc = self.pc
                tick = self.tick
                osc3 = self.osc3
                if self.halted:
                    break
        self.pc = pc
        self.tick = tick
        self.pending = pending
        self.steps += steps

    # --- inputs ----------------------------------------------------------------

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
                    memory.raise_interrupt(self, memory.SLOT_K00, pin & 3)
                self.k0 = (self.k0 & ~bit) | (bit if level else 0)
        elif self.s48:
            old = 1 if self.k1 & bit else 0
            if level != old:
                if not level:
                    memory.raise_interrupt(self, memory.SLOT_K10, pin & 3)
                self.k1 = (self.k1 & ~bit) | (bit if level else 0)

    # --- derived views ---------------------------------------------------------

    @property
    def instructions(self) -> int:
        return self.steps - self.halted_steps
