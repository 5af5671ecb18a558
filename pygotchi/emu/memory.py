"""The data memory map past plain RAM: display RAM and the I/O registers.

Data memory is one nibble per byte of ``Chip.mem`` (4,096 bytes). RAM
(0x000-0x2FF) is read and written directly by the instruction handlers; this
module is the slow path for everything with a side effect.

Sizes follow TamaLIB's build, which defines both chips and so maps 768 RAM
nibbles and 102 display nibbles per area (0xE00-0xE65, 0xE80-0xEE5) even for the
E0C6S46 (the real E0C6S46 has 640 and 80); the golden traces depend on that.
Addresses outside every area read 0 and ignore writes: ``mem`` keeps 0 there
because nothing ever stores to them.

I/O registers (0xF00-0xF7F) behave as TamaLIB makes them behave on the
E0C6S46, the chip of its reference traces, quirks included (noted where they
differ from Epson's manual). On the E0C6S48, which TamaLIB does not really
cover, the registers it ignores or breaks behave like the chip instead: the
K10-K13 port, the interrupt masks of F13/F14, and the R/P ports and port
controls that read back what was written.

The functions use literal addresses rather than module constants because the
compiled build runs them without the GIL.
"""

from __future__ import annotations

from pygotchi.emu import timers

# Interrupt slots in priority order (highest first), as TamaLIB numbers them:
# 0 programmable timer, 1 serial, 2 K10-K13, 3 K00-K03, 4 stopwatch, 5 clock timer.

# Buzzer frequencies for F74 bits 0-2, in deci-hertz (32768 / N Hz, TamaLIB's rounding).
BUZZER_DHZ = (40960, 32768, 27307, 23406, 20480, 16384, 13653, 11703)


def reg_slot(reg: int) -> int:
    """Interrupt slot of factor register F0r / mask register F1r (r = 0..5)."""
    if reg == 0:
        return 5  # clock timer
    if reg == 1:
        return 4  # stopwatch
    if reg == 2:
        return 0  # programmable timer
    if reg == 3:
        return 1  # serial
    if reg == 4:
        return 3  # K00-K03
    return 2  # K10-K13


def s48_plain(reg: int) -> bool:
    """E0C6S48 registers that TamaLIB ignores and the chip reads back as written:
    R ports F50-F53, P ports F60-F63, LCD contrast F72, port controls F7B/F7D/F7E."""
    return (0x50 <= reg <= 0x53 or 0x60 <= reg <= 0x63 or reg == 0x72 or reg == 0x7B
            or reg == 0x7D or reg == 0x7E)


def read_io(c, addr: int) -> int:
    """Read data memory at ``addr`` >= 0xF00 (I/O or unmapped)."""
    if addr >= 0xF80:
        return 0
    reg = addr - 0xF00
    if reg < 0x06:
        slot = reg_slot(reg)
        value = c.factor[slot]
        c.factor[slot] = 0  # reading acknowledges the factor flags
        return value
    if 0x10 <= reg < 0x16:
        value = c.mask[reg_slot(reg - 0x10)]
        if reg == 0x11:
            return value & 3
        if reg == 0x12 or reg == 0x13:
            return value & 1
        return value
    if reg == 0x20 or reg == 0x21 or reg == 0x41 or reg == 0x54 or reg == 0x70:
        return c.mem[addr]
    if reg == 0x71 or reg == 0x74:
        return c.mem[addr]
    if reg == 0x24:
        return c.prog_data & 15
    if reg == 0x25:
        return c.prog_data >> 4
    if reg == 0x26:
        return c.prog_reload & 15
    if reg == 0x27:
        return c.prog_reload >> 4
    if reg == 0x40:
        return c.k0
    if reg == 0x42:
        # TamaLIB's K10-K13 port reads an input it never sets (0); the
        # E0C6S48's reads the pins (1 = released, pulled up).
        return c.k1 if c.s48 else 0
    if reg == 0x73:
        return c.mem[addr] & 7  # supply voltage detector: battery always fine
    if reg == 0x75:
        return c.mem[addr] & 3  # buzzer envelope/one-shot: always ready
    if reg == 0x78:
        return c.prog_enabled
    if c.s48 and s48_plain(reg):
        return c.mem[addr]
    # Stopwatch (F22/F23), serial (F30/F31), R/P ports on the E0C6S46, watchdog,
    # clock selects: not implemented by TamaLIB; they read 0.
    return 0


def write_mem(c, addr: int, value: int) -> None:
    """Write data memory at ``addr`` >= 0x300 (display RAM, I/O or nothing)."""
    if addr < 0xE00:
        return
    if addr < 0xF00:
        if addr < 0xE66 or 0xE80 <= addr < 0xEE6:
            if c.mem[addr] != value:
                c.mem[addr] = value
                c.lcd_version += 1
        return
    if addr >= 0xF80:
        return
    reg = addr - 0xF00
    if reg == 0x20 or reg == 0x21:
        # Clock-timer data is read-only on the chip. TamaLIB stores the write and
        # toggles from it, shifting the timer phase; no real ROM depends on that.
        return
    c.mem[addr] = value
    if 0x10 <= reg < 0x16:
        slot = reg_slot(reg - 0x10)
        if not c.s48:
            # TamaLIB's mask registers for serial (F13) and K00-K03 (F14) land in
            # the K10-K13 and serial slots: K0 button interrupts never fire on
            # its E0C6S46, the P1 polls F40 instead. The golden traces follow it.
            if reg == 0x13:
                slot = 2
            elif reg == 0x14:
                slot = 1
        c.mask[slot] = value
    elif reg == 0x26:
        c.prog_reload = (c.prog_reload & 0xF0) | value
    elif reg == 0x27:
        c.prog_reload = (c.prog_reload & 0x0F) | (value << 4)
    elif reg == 0x54:
        set_buzzer(c, c.buzzer_freq, 0 if value & 8 else 1)
    elif reg == 0x74:
        set_buzzer(c, value & 7, c.buzzer_on)
    elif reg == 0x70:
        osc3 = (value >> 3) & 1
        if osc3 != c.osc3:
            # The CPU clock moves between OSC1 (32,768 Hz) and OSC3 (1 MHz); the
            # timers keep counting OSC1 ticks. TamaLIB looks at bit 3 only.
            c.osc3 = osc3
            c.acc = 0
            c.attn = 0
    elif reg == 0x78:
        if value & 2:
            c.prog_data = c.prog_reload
        if value & 1 and not c.prog_enabled:
            c.prog_stamp = c.tick
        c.prog_enabled = value & 1
        c.update_timer_event()


def read_io_loop(c, addr: int, before: int) -> int:
    """``read_io`` from the compiled loop, whose timers may be in lazy mode (timers.py).

    ``before`` is the tick at which the previous step ended (-1 in the loop's
    first step, when nothing is pending): the step-by-step model had run the
    timers up to there, so F20 (128/64 Hz bits) and F24/F25 (the programmable
    timer's count) are brought there before they are read.
    """
    # The registers ROMs poll all the time first, as read_io reads them.
    if addr == 0xF40:
        return c.k0
    if addr == 0xF54:
        return c.mem[0xF54]
    if addr < 0xF06:  # factor flags: reading acknowledges them
        slot = reg_slot(addr - 0xF00)
        value = c.factor[slot]
        c.factor[slot] = 0
        return value
    if c.lazy and (addr == 0xF20 or addr == 0xF24 or addr == 0xF25):
        timers.settle(c, before)
    return read_io(c, addr)


def write_mem_loop(c, addr: int, value: int, before: int) -> None:
    """``write_mem`` from the compiled loop: F78 (reload, start, stop) needs settled timers."""
    if c.lazy and addr == 0xF78:
        timers.settle(c, before)
    write_mem(c, addr, value)


def set_buzzer(c, freq: int, on: int) -> None:
    """Record a buzzer change with its tick, for clients that play every beep.

    A new frequency while the buzzer is silent is kept but not reported: the
    next "on" event carries it, and listeners only care about what sounds.
    """
    audible = on != c.buzzer_on or (on and freq != c.buzzer_freq)
    c.buzzer_freq = freq
    c.buzzer_on = on
    if audible:
        c.record_buzzer()


def peek(c, addr: int) -> int:
    """What the CPU would read at ``addr``, without the read's side effects.

    For debuggers and RAM viewers: reading the factor flags (F00-F05) clears
    them on the chip, a peek must not.
    """
    if addr < 0xF00:
        return c.mem[addr]
    saved = bytes(c.factor)
    value = read_io(c, addr)
    for i in range(6):
        c.factor[i] = saved[i]
    return value
