"""The data memory map past plain RAM: display RAM and the I/O registers.

Data memory is one nibble per byte of ``Cpu.mem`` (4,096 bytes). RAM
(0x000-0x2FF) is read and written directly by the instruction handlers; this
module is the slow path for everything with a side effect.

Sizes follow TamaLIB's build, which defines both chips and so maps 768 RAM
nibbles and 102 display nibbles per area even for the E0C6S46 (the real
E0C6S46 has 640 and 80); the golden traces depend on that. Addresses outside
every area read 0 and ignore writes: ``mem`` keeps 0 there because nothing
ever stores to them.

I/O registers (0xF00-0xF7F) behave as TamaLIB makes them behave on the
E0C6S46, the chip of its reference traces, quirks included (noted where they
differ from Epson's manual). On the E0C6S48, which TamaLIB does not really
cover, the registers it ignores or breaks behave like the chip instead: the
K10-K13 port, the interrupt masks of F13/F14, and the R/P ports and port
controls that read back what was written.
"""

from __future__ import annotations

RAM_END = 0x300
DISPLAY1 = 0xE00
DISPLAY2 = 0xE80
DISPLAY_SIZE = 0x66
IO_BASE = 0xF00
IO_END = 0xF80

# Interrupt slots in priority order (highest first), as TamaLIB numbers them.
SLOT_PROG, SLOT_SERIAL, SLOT_K10, SLOT_K00, SLOT_STOPWATCH, SLOT_CLOCK = range(6)
VECTORS = (0x0C, 0x0A, 0x08, 0x06, 0x04, 0x02)

# Factor flag registers F00-F05 and mask registers F10-F15, in register order.
_REG_TO_SLOT = (SLOT_CLOCK, SLOT_STOPWATCH, SLOT_PROG, SLOT_SERIAL, SLOT_K00, SLOT_K10)
# Bits a mask register reads back (TamaLIB masks F11-F13).
_MASK_READ = (0xF, 0x3, 0x1, 0x1, 0xF, 0xF)

# Registers the E0C6S48 keeps and reads back but TamaLIB ignores (R/P ports,
# LCD contrast, port direction and pull-up controls).
_S48_PLAIN = frozenset([0xF50, 0xF51, 0xF52, 0xF53, 0xF60, 0xF61, 0xF62, 0xF63,
                        0xF72, 0xF7B, 0xF7D, 0xF7E])

# Buzzer frequencies for F74 bits 0-2, in deci-hertz (32768 / N Hz, TamaLIB's rounding).
BUZZER_DHZ = (40960, 32768, 27307, 23406, 20480, 16384, 13653, 11703)


def raise_interrupt(c, slot: int, bit: int) -> None:
    """Set a factor flag; latch the interrupt if its mask bit is set right now.

    TamaLIB's model (the golden traces depend on it): the latch is set only at
    the event, so enabling a mask later does not fire for a flag already set,
    and reading the factor register does not clear the latch; servicing does.
    """
    c.factor[slot] |= 1 << bit
    if c.mask[slot] & (1 << bit):
        c.triggered[slot] = 1
        c.attn = 0


def read_io(c, addr: int) -> int:
    """Read data memory at ``addr`` >= 0xF00 (I/O or unmapped)."""
    if addr >= IO_END:
        return 0
    reg = addr - IO_BASE
    mem = c.mem
    if reg < 0x06:
        slot = _REG_TO_SLOT[reg]
        value = c.factor[slot]
        c.factor[slot] = 0
        return value
    if 0x10 <= reg < 0x16:
        return c.mask[_REG_TO_SLOT[reg - 0x10]] & _MASK_READ[reg - 0x10]
    if reg == 0x20 or reg == 0x21 or reg == 0x41 or reg == 0x54 or reg == 0x70:
        return mem[addr]
    if reg == 0x71 or reg == 0x74:
        return mem[addr]
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
        return mem[addr] & 7  # supply voltage detector: battery always fine
    if reg == 0x75:
        return mem[addr] & 3  # buzzer envelope/one-shot: always ready
    if reg == 0x78:
        return c.prog_enabled
    if c.s48 and addr in _S48_PLAIN:
        return mem[addr]
    # Stopwatch (F22/F23), serial (F30/F31), R/P ports on the E0C6S46, watchdog,
    # clock selects: not implemented by TamaLIB; they read 0.
    return 0


def write_mem(c, addr: int, value: int) -> None:
    """Write data memory at ``addr`` >= 0x300 (display RAM, I/O or nothing)."""
    mem = c.mem
    if addr < DISPLAY1:
        return
    if addr < IO_BASE:
        if DISPLAY1 <= addr < DISPLAY1 + DISPLAY_SIZE or DISPLAY2 <= addr < DISPLAY2 + DISPLAY_SIZE:
            if mem[addr] != value:
                mem[addr] = value
                c.lcd_version += 1
        return
    if addr >= IO_END:
        return
    reg = addr - IO_BASE
    if reg == 0x20 or reg == 0x21:
        # Clock-timer data is read-only on the chip. TamaLIB stores the write and
        # toggles from it, shifting the timer phase; no real ROM depends on that.
        return
    mem[addr] = value
    if 0x10 <= reg < 0x16:
        slot = _REG_TO_SLOT[reg - 0x10]
        if not c.s48:
            # TamaLIB's mask registers for serial (F13) and K00-K03 (F14) land in
            # the K10-K13 and serial slots: K0 button interrupts never fire on
            # its E0C6S46, the P1 polls F40 instead. The golden traces follow it.
            if reg == 0x13:
                slot = SLOT_K10
            elif reg == 0x14:
                slot = SLOT_SERIAL
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


def set_buzzer(c, freq: int, on: int) -> None:
    """Record a buzzer change with its tick, for clients that play every beep."""
    if freq == c.buzzer_freq and on == c.buzzer_on:
        return
    c.buzzer_freq = freq
    c.buzzer_on = on
    c.record_buzzer()
