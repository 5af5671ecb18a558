"""The clock timer and the programmable timer, driven by the tick count.

TamaLIB updates every timer after every instruction. Here each timer knows the
tick of its next event and the CPU loop calls ``run_timers`` only when the tick
count reaches the earliest one (``Cpu.timer_event``); the events, and so the
traces, are the same.

Clock timer (TamaLIB's model): eight square waves of 1-128 Hz whose levels are
the bits of F21 (1, 2, 4, 8 Hz in bits 3..0) and F20 (16, 32, 64, 128 Hz in bits
3..0). Each bit toggles every half period, counted from its own time stamp, and
the falling edges of 1, 2, 8 and 32 Hz raise clock interrupts (F00 bits 3..0).
Programmable timer: an 8-bit down counter clocked at 256 Hz whatever F79 says
(TamaLIB ignores the clock select); reaching 0 reloads it and raises F02 bit 0.
"""

from __future__ import annotations

from pygotchi.emu.memory import SLOT_CLOCK, SLOT_PROG, raise_interrupt

PROG_PERIOD = 128  # ticks: 256 Hz

# One row per clock-timer channel, in TamaLIB's update order:
# (half period in ticks, register, bit, interrupt bit on falling edge or -1)
CLOCK_CHANNELS = (
    (16384, 0xF21, 3, 3),   # 1 Hz
    (8192, 0xF21, 2, 2),    # 2 Hz
    (4096, 0xF21, 1, -1),   # 4 Hz
    (2048, 0xF21, 0, 1),    # 8 Hz
    (1024, 0xF20, 3, -1),   # 16 Hz
    (512, 0xF20, 2, 0),     # 32 Hz
    (256, 0xF20, 1, -1),    # 64 Hz
    (128, 0xF20, 0, -1),    # 128 Hz
)


def run_timers(c, tick: int) -> None:
    """Apply every timer event due at ``tick``.

    A channel that is several periods late (after loading an old TLST file)
    catches its stamp up but toggles once, as TamaLIB does.
    """
    stamps = c.clock_stamps
    mem = c.mem
    for i in range(8):
        period, reg, bit, irq = CLOCK_CHANNELS[i]
        late = tick - stamps[i]
        if late >= period:
            stamps[i] += (late // period) * period
            level = mem[reg] ^ (1 << bit)
            mem[reg] = level
            if irq >= 0 and not level & (1 << bit):
                raise_interrupt(c, SLOT_CLOCK, irq)
    if c.prog_enabled:
        late = tick - c.prog_stamp
        if late >= PROG_PERIOD:
            for _ in range(late // PROG_PERIOD):
                c.prog_stamp += PROG_PERIOD
                data = (c.prog_data - 1) & 0xFF
                if data == 0:
                    data = c.prog_reload
                    raise_interrupt(c, SLOT_PROG, 0)
                c.prog_data = data
    c.update_timer_event()


def next_timer_event(c) -> int:
    """The earliest tick at which some timer has something to do."""
    stamps = c.clock_stamps
    event = stamps[0] + 16384
    for i in range(1, 8):
        t = stamps[i] + CLOCK_CHANNELS[i][0]
        if t < event:
            event = t
    if c.prog_enabled:
        t = c.prog_stamp + PROG_PERIOD
        if t < event:
            event = t
    return event
