"""Machine state files: pygotchi's own, TamaTool's TLST, the original pygotchi's cpu.bin.

pygotchi state (``PGST``, version 1), all integers little-endian::

    magic "PGST" | version u8 | chip u8 (0 = E0C6S46, 1 = E0C6S48) | model id 16s
    ROM sha256 32s | body length u32 | body | CRC-32 of everything before it u32

The body is ``_BODY`` below followed by data memory one nibble per byte: RAM
0x000-0x2FF, display RAM 0xE00-0xE65 and 0xE80-0xEE5, I/O 0xF00-0xF7F. Loading
parses and checks the whole file before touching the machine, so a truncated,
corrupt or foreign file leaves it exactly as it was.

TLST v3 (TamaTool ``src/state.c``): registers, the tick counter, nine timer
time stamps, the programmable timer, TamaLIB's call depth, the six interrupt
slots, RAM (768 nibbles as TamaTool ships; 640 from an E0C6S46-only build) and
I/O. It has no display RAM, no HALT flag, no CPU clock and not the cycles of the
last instruction: after a load TamaTool shows a blank LCD until the ROM redraws,
runs on OSC1, not halted, with no pending cycles and all buttons released, and
so do we.
"""

from __future__ import annotations

import struct
import zlib
from array import array

from pygotchi.emu.errors import StateError

MAGIC = b"PGST"
VERSION = 1
_HEADER = struct.Struct("<4sBB16s32sI")
_BODY = struct.Struct(
    "<HBBBHHBB"  # pc np a b x y sp f
    "QBIBB"  # tick pending acc osc3 halted
    "8qqBBB"  # clock stamps, prog stamp/enabled/data/reload (stamps may precede tick 0)
    "6s6s6s"  # interrupt factor flags, masks, latches
    "BBbB"  # k0 k1 buzzer_freq buzzer_on
    "QQQIQ"  # steps halted_steps interrupts call_depth lcd_version
)
_MEM_SPANS = ((0x000, 0x300), (0xE00, 0xE66), (0xE80, 0xEE6), (0xF00, 0xF80))
_MEM_BYTES = sum(end - start for start, end in _MEM_SPANS)
_U32 = 1 << 32


def _cpu_fields(c) -> tuple:
    return (
        c.pc,
        c.np,
        c.a,
        c.b,
        c.x,
        c.y,
        c.sp,
        c.f,
        c.tick,
        c.pending,
        c.acc,
        c.osc3,
        c.halted,
        *c.clock_stamps,
        c.prog_stamp,
        c.prog_enabled,
        c.prog_data,
        c.prog_reload,
        bytes(c.factor),
        bytes(c.mask),
        bytes(c.triggered),
        c.k0,
        c.k1,
        c.buzzer_freq,
        c.buzzer_on,
        c.steps,
        c.halted_steps,
        c.interrupts,
        c.call_depth,
        c.lcd_version,
    )


def save_state(machine) -> bytes:
    c = machine.cpu
    mem = b"".join(bytes(c.mem[start:end]) for start, end in _MEM_SPANS)
    body = _BODY.pack(*_cpu_fields(c)) + mem
    model = machine.model.id.encode("ascii")[:16]
    head = _HEADER.pack(
        MAGIC,
        VERSION,
        1 if machine.model.s48 else 0,
        model,
        bytes.fromhex(machine.rom.sha256),
        len(body),
    )
    data = head + body
    return data + struct.pack("<I", zlib.crc32(data))


class _Snapshot:
    """Every field of a Cpu, checked, ready to be applied in one go."""

    def __init__(self, **fields) -> None:
        self.fields = fields

    def apply(self, c) -> None:
        # The screen counter only grows, so a viewer never mistakes the loaded
        # screen for one it has already drawn.
        version = max(c.lcd_version, self.fields.pop("lcd_version", 0)) + 1
        for name, value in self.fields.items():
            setattr(c, name, value)
        c.lcd_version = version
        c.resync()


def _check(cond: bool, what: str) -> None:
    if not cond:
        raise StateError(f"corrupt state file: {what}")


def parse_state(machine, data: bytes) -> _Snapshot:
    if len(data) < _HEADER.size + 4:
        raise StateError("truncated pygotchi state file")
    magic, version, chip, model, rom_sha, body_len = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise StateError("not a pygotchi state file")
    if version != VERSION:
        raise StateError(
            f"pygotchi state version {version} is not supported (this is version {VERSION})"
        )
    if len(data) != _HEADER.size + body_len + 4:
        raise StateError(
            "truncated or padded pygotchi state file (length does not match its header)"
        )
    (crc,) = struct.unpack_from("<I", data, len(data) - 4)
    if zlib.crc32(data[:-4]) != crc:
        raise StateError("corrupt pygotchi state file (checksum mismatch)")
    if rom_sha.hex() != machine.rom.sha256:
        name = model.rstrip(b"\0").decode("ascii", "replace")
        raise StateError(
            f"this state was saved from another ROM ({name}, sha256 {rom_sha.hex()[:12]}...); "
            f"this pet runs {machine.model.name} (sha256 {machine.rom.sha256[:12]}...)"
        )
    if body_len != _BODY.size + _MEM_BYTES:
        raise StateError("corrupt pygotchi state file (body size)")
    values = _BODY.unpack_from(data, _HEADER.size)
    (pc, np_, a, b, x, y, sp, f, tick, pending, acc, osc3, halted, *rest) = values
    stamps, rest = list(rest[:8]), rest[8:]
    (
        prog_stamp,
        prog_enabled,
        prog_data,
        prog_reload,
        factor,
        mask,
        triggered,
        k0,
        k1,
        bz_freq,
        bz_on,
        steps,
        halted_steps,
        interrupts,
        call_depth,
        lcd_version,
    ) = rest
    _check(pc < 0x2000 and np_ < 0x20 and a < 16 and b < 16 and f < 16, "register out of range")
    _check(x < 0x1000 and y < 0x1000, "index register out of range")
    _check(pending <= 12 and acc < 1_000_000 and osc3 < 2 and halted < 2, "clock state")
    # Stamps trail the tick count by less than TamaLIB's 32-bit wrap; they can be
    # negative after a TLST saved just past the wrap.
    _check(
        all(tick - _U32 <= s <= tick + 16384 for s in stamps)
        and tick - _U32 <= prog_stamp <= tick + 128,
        "timer stamps",
    )
    _check(prog_enabled < 2, "programmable timer state")
    _check(all(v < 16 for v in factor + mask) and all(v < 2 for v in triggered), "interrupts")
    _check(k0 < 16 and k1 < 16 and -1 <= bz_freq < 8 and bz_on < 2, "inputs or buzzer")
    _check(halted_steps <= steps, "step counters")
    mem = bytearray(4096)
    offset = _HEADER.size + _BODY.size
    for start, end in _MEM_SPANS:
        chunk = data[offset : offset + end - start]
        _check(all(v < 16 for v in chunk), f"memory at {start:#05x} holds more than a nibble")
        mem[start:end] = chunk
        offset += end - start
    return _Snapshot(
        mem=mem,
        pc=pc,
        np=np_,
        a=a,
        b=b,
        x=x,
        y=y,
        sp=sp,
        f=f,
        tick=tick,
        pending=pending,
        acc=acc,
        osc3=osc3,
        halted=halted,
        clock_stamps=array("q", stamps),
        prog_stamp=prog_stamp,
        prog_enabled=prog_enabled,
        prog_data=prog_data,
        prog_reload=prog_reload,
        factor=bytearray(factor),
        mask=bytearray(mask),
        triggered=bytearray(triggered),
        k0=k0,
        k1=k1,
        buzzer_freq=bz_freq,
        buzzer_on=bz_on,
        steps=steps,
        halted_steps=halted_steps,
        interrupts=interrupts,
        call_depth=call_depth,
        lcd_version=lcd_version,
        bz_head=0,
        bz_count=0,
    )


def _imported(c, **fields) -> _Snapshot:
    """A state from another emulator's file: what the file cannot carry starts as
    after a fresh load (no pending cycles, OSC1, awake, buttons released, counters
    from zero), as TamaTool's own load leaves TamaLIB."""
    return _Snapshot(**{
        "pending": 0, "acc": 0, "osc3": 0, "halted": 0, "k0": 0xF, "k1": 0xF if c.s48 else 0,
        "steps": 0, "halted_steps": 0, "interrupts": 0, "bz_head": 0, "bz_count": 0,
        **fields,
    })


# --- TamaTool TLST ----------------------------------------------------------

TLST_MAGIC = b"TLST"
_TLST_HEAD = struct.Struct("<4sBHHHBBBBB")  # magic version pc x y a b np sp f
_TLST_TIMERS = struct.Struct(
    "<10IBBBI"
)  # tick, 8 clock stamps, prog stamp, prog en/data/rld, depth
TLST_SIZES = {_TLST_HEAD.size + _TLST_TIMERS.size + 18 + n + 128: n for n in (768, 640)}


def _stamp_from_u32(tick: int, stamp: int) -> int:
    """TamaLIB compares 32-bit stamps by wrapping difference; keep that distance."""
    return tick - ((tick - stamp) % _U32)


def parse_tlst(machine, data: bytes) -> _Snapshot:
    if data[:4] != TLST_MAGIC:
        raise StateError("not a TamaTool state file (no TLST magic)")
    if len(data) < 5 or data[4] != 3:
        version = data[4] if len(data) > 4 else "?"
        raise StateError(f"TamaTool state version {version} is not supported (expected version 3)")
    ram_size = TLST_SIZES.get(len(data))
    if ram_size is None:
        raise StateError(
            "a TamaTool v3 state file is 977 bytes (849 from an E0C6S46-only build), "
            f"not {len(data)}"
        )
    _, _, pc, x, y, a, b, np_, sp, f = _TLST_HEAD.unpack_from(data)
    off = _TLST_HEAD.size
    tick, *stamps = _TLST_TIMERS.unpack_from(data, off)[:10]
    prog_stamp_u32 = stamps.pop()
    prog_enabled, prog_data, prog_reload, depth = _TLST_TIMERS.unpack_from(data, off)[10:]
    off += _TLST_TIMERS.size
    ints = data[off : off + 18]
    off += 18
    ram = data[off : off + ram_size]
    io = data[off + ram_size : off + ram_size + 128]
    # TamaTool masks each field as it loads; do the same, it never refuses values.
    c = machine.cpu
    mem = bytearray(4096)
    mem[: len(ram)] = bytes(v & 15 for v in ram)
    mem[0xF00:0xF80] = bytes(v & 15 for v in io)
    return _imported(
        c,
        mem=mem,
        pc=pc & 0x1FFF,
        np=np_ & 0x1F,
        a=a & 15,
        b=b & 15,
        x=x & 0xFFF,
        y=y & 0xFFF,
        sp=sp,
        f=f & 15,
        tick=tick,
        clock_stamps=array("q", [_stamp_from_u32(tick, s) for s in stamps]),
        prog_stamp=_stamp_from_u32(tick, prog_stamp_u32),
        prog_enabled=prog_enabled & 1,
        prog_data=prog_data,
        prog_reload=prog_reload,
        factor=bytearray(ints[i] & 15 for i in range(0, 18, 3)),
        mask=bytearray(ints[i] & 15 for i in range(1, 18, 3)),
        triggered=bytearray(ints[i] & 1 for i in range(2, 18, 3)),
        # tamalib_refresh_hw(): the buzzer is told F74's frequency and F54's on bit again.
        buzzer_freq=mem[0xF74] & 7,
        buzzer_on=0 if mem[0xF54] & 8 else 1,
        call_depth=depth,
    )


def export_tlst(machine) -> bytes:
    """A TLST v3 file as TamaTool writes it (977 bytes), loadable in TamaTool."""
    c = machine.cpu
    out = bytearray(_TLST_HEAD.pack(TLST_MAGIC, 3, c.pc, c.x, c.y, c.a, c.b, c.np, c.sp, c.f))
    stamps = [s % _U32 for s in c.clock_stamps]
    out += _TLST_TIMERS.pack(
        c.tick % _U32,
        *stamps,
        c.prog_stamp % _U32,
        c.prog_enabled,
        c.prog_data,
        c.prog_reload,
        c.call_depth % _U32,
    )
    for slot in range(6):
        out += bytes((c.factor[slot], c.mask[slot], c.triggered[slot]))
    out += bytes(c.mem[0x000:0x300])
    out += bytes(c.mem[0xF00:0xF80])
    return bytes(out)


# --- original pygotchi cpu.bin ------------------------------------------------

CPU_BIN_SIZE = 512
_CPU_STRUCT = struct.Struct("<HHHBBBBBxIIIBBBxI8x")  # through offset 40
_VECTORS = (0x0C, 0x0A, 0x08, 0x06, 0x04, 0x02)


def _unpack_cpu_bin(data: bytes) -> bytes:
    """512 bytes of 12-in-16-bit words back to the 384-byte stream they carry."""
    digits = []
    for i in range(0, CPU_BIN_SIZE, 2):
        word = (data[i] << 8) | data[i + 1]
        if word > 0xFFF:
            raise StateError("not an original pygotchi cpu.bin (a 16-bit word exceeds 12 bits)")
        digits.append(f"{word:03x}")
    return bytes.fromhex("".join(digits))


def parse_cpu_bin(machine, data: bytes) -> _Snapshot:
    if len(data) != CPU_BIN_SIZE:
        raise StateError(f"an original pygotchi cpu.bin is {CPU_BIN_SIZE} bytes, not {len(data)}")
    raw = _unpack_cpu_bin(data)
    (
        pc,
        x,
        y,
        a,
        b,
        np_,
        sp,
        f,
        tick,
        clk_stamp,
        prog_stamp,
        prog_enabled,
        prog_data,
        prog_reload,
        depth,
    ) = _CPU_STRUCT.unpack_from(raw)
    ints = raw[40:64]
    vectors = tuple(ints[i] for i in range(3, 24, 4))
    if vectors not in (_VECTORS, (0,) * 6):
        raise StateError("not an original pygotchi cpu.bin (interrupt vectors do not match)")
    if pc > 0x1FFF or x > 0xFFF or y > 0xFFF or a > 15 or b > 15 or np_ > 0x1F or f > 15:
        raise StateError("corrupt pygotchi cpu.bin: a register is out of range")
    ram = raw[64:384]
    c = machine.cpu
    mem = bytearray(4096)
    for i, byte in enumerate(ram):
        mem[2 * i] = byte >> 4  # even address in the high nibble
        mem[2 * i + 1] = byte & 15
    mem[0xF54] = 0xF
    mem[0xF71] = 0x8
    mem[0xF41] = 0xF
    # Its TamaLIB kept only the 1 Hz clock interrupt, stamped at its last firing.
    # Rebuild our eight square waves in phase with it, each low at that moment.
    base = _stamp_from_u32(tick, clk_stamp)
    stamps = []
    levels = {0xF20: 0, 0xF21: 0}
    for channel in range(8):
        period = 16384 >> channel
        n = (tick - base) // period
        stamps.append(base + n * period)
        levels[0xF21 if channel < 4 else 0xF20] |= (n & 1) << (3 - (channel & 3))
    mem[0xF20] = levels[0xF20]
    mem[0xF21] = levels[0xF21]
    return _imported(
        c,
        mem=mem,
        pc=pc,
        np=np_,
        a=a,
        b=b,
        x=x,
        y=y,
        sp=sp,
        f=f,
        tick=tick,
        clock_stamps=array("q", stamps),
        prog_stamp=_stamp_from_u32(tick, prog_stamp),
        prog_enabled=1 if prog_enabled else 0,
        prog_data=prog_data,
        prog_reload=prog_reload,
        factor=bytearray(ints[i] & 15 for i in range(0, 24, 4)),
        mask=bytearray(ints[i] & 15 for i in range(1, 24, 4)),
        triggered=bytearray(1 if ints[i] else 0 for i in range(2, 24, 4)),
        buzzer_freq=-1,
        buzzer_on=0,
        call_depth=depth,
    )


def detect_format(data: bytes) -> str:
    if data[:4] == MAGIC:
        return "pygotchi"
    if data[:4] == TLST_MAGIC:
        return "tlst"
    if len(data) == CPU_BIN_SIZE:
        return "cpu.bin"
    raise StateError(
        "not a state file pygotchi knows: expected a pygotchi state (PGST), a TamaTool "
        f"save (TLST, 977 bytes) or an original pygotchi cpu.bin (512 bytes); got {len(data)} bytes"
    )


_PARSERS = {"pygotchi": parse_state, "tlst": parse_tlst, "cpu.bin": parse_cpu_bin}


def load_any_state(machine, data: bytes) -> str:
    """Load ``data`` into ``machine`` atomically; return the format's name."""
    data = bytes(data)
    fmt = detect_format(data)
    snapshot = _PARSERS[fmt](machine, data)
    snapshot.apply(machine.cpu)
    return fmt
