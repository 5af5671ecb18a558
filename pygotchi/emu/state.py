"""Machine state files: pygotchi's own, TamaTool's TLST, the original pygotchi's cpu.bin.

pygotchi state (``PGST``, version 1), all integers little-endian::

    magic "PGST" | version u8 | chip u8 (0 = E0C6S46, 1 = E0C6S48) | model id 16s
    ROM sha256 32s | body length u32 | body | CRC-32 of everything before it u32

The body is the values of ``FIELDS`` below, in order, followed by data memory one
nibble per byte: RAM 0x000-0x2FF, display RAM 0xE00-0xE65 and 0xE80-0xEE5, I/O
0xF00-0xF7F. Loading parses and checks the whole state (every field in its range,
whichever format it came in) before touching the machine, so a truncated, corrupt,
foreign or out-of-range file leaves it exactly as it was.

TLST v3 (TamaTool ``src/state.c``): registers, the tick counter, nine timer
time stamps, the programmable timer, TamaLIB's call depth, the six interrupt
slots, RAM (768 nibbles as TamaTool ships; 640 from an E0C6S46-only build) and
I/O. It has no display RAM, no HALT flag, no CPU clock and not the cycles of the
last instruction: after a load TamaTool shows a blank LCD until the ROM redraws,
runs on OSC1, not halted, with no pending cycles and all buttons released, and
so do we.
"""

from __future__ import annotations

import functools
import struct
import zlib
from array import array
from dataclasses import dataclass

from pygotchi.emu.errors import StateError

MAGIC = b"PGST"
_HEADER = struct.Struct("<4sBB16s32sI")
_MEM_SPANS = ((0x000, 0x300), (0xE00, 0xE66), (0xE80, 0xEE6), (0xF00, 0xF80))
_MEM_BYTES = sum(end - start for start, end in _MEM_SPANS)
_U32 = 1 << 32

# Counters only grow, one per tick at most, and the compiled core keeps them in signed
# 64-bit integers: 2**53 ticks is 8,700 years of emulated time and leaves room for every
# sum the run loop and the server compute (tick + a timer period, seconds as a float).
MAX_TICK = 1 << 53
MAX_COUNT = 1 << 53


@dataclass(frozen=True)
class Field:
    """One value of a state: its Cpu attribute, struct code and allowed range.

    Arrays (``8q``, ``6s``) are checked item by item. Stamps are checked against the
    tick count (``relative``), not against fixed bounds.
    """

    name: str
    code: str
    lo: int = 0
    hi: int = 0  # exclusive
    relative: bool = False


# The one list of what a state holds, in file order (version 1). Saving, loading,
# checking and applying all read it; a new field means a new version and a reader
# for the old one (fields an older version lacks start as after a fresh load).
FIELDS = (
    Field("pc", "H", 0, 0x2000),
    Field("np", "B", 0, 0x20),
    Field("a", "B", 0, 16),
    Field("b", "B", 0, 16),
    Field("x", "H", 0, 0x1000),
    Field("y", "H", 0, 0x1000),
    Field("sp", "B", 0, 0x100),
    Field("f", "B", 0, 16),
    Field("tick", "Q", 0, MAX_TICK),
    Field("pending", "B", 0, 13),
    Field("acc", "I", 0, 1_000_000),
    Field("osc3", "B", 0, 2),
    Field("halted", "B", 0, 2),
    Field("clock_stamps", "8q", relative=True),  # may precede tick 0 (see _stamps_ok)
    Field("prog_stamp", "q", relative=True),
    Field("prog_enabled", "B", 0, 2),
    Field("prog_data", "B", 0, 0x100),
    Field("prog_reload", "B", 0, 0x100),
    Field("factor", "6s", 0, 16),  # interrupt factor flags, masks, latches
    Field("mask", "6s", 0, 16),
    Field("triggered", "6s", 0, 2),
    Field("k0", "B", 0, 16),
    Field("k1", "B", 0, 16),
    Field("buzzer_freq", "b", -1, 8),
    Field("buzzer_on", "B", 0, 2),
    Field("steps", "Q", 0, MAX_COUNT),
    Field("halted_steps", "Q", 0, MAX_COUNT),
    Field("interrupts", "Q", 0, MAX_COUNT),
    Field("call_depth", "I", 0, _U32),
    Field("lcd_version", "Q", 0, MAX_COUNT),
)
_BY_NAME = {f.name: f for f in FIELDS}
# Versions this reader understands, with the fields each one holds, in file order.
LAYOUTS = {1: FIELDS}
VERSION = max(LAYOUTS)
_BODIES = {v: struct.Struct("<" + "".join(f.code for f in fs)) for v, fs in LAYOUTS.items()}


def _count(f: Field) -> int:
    """How many struct values a field takes (``8q`` is eight, ``6s`` one)."""
    return int(f.code[:-1]) if f.code[-1] != "s" and f.code[:-1] else 1


def _plain(f: Field, value):
    return list(value) if _count(f) > 1 else bytes(value) if f.code.endswith("s") else value


# How save_state reads each field: 0 one int, 1 several ints, 2 bytes. Decided once:
# the server saves every running pet every few seconds.
_SAVE_PLAN = tuple((f.name, 2 if f.code.endswith("s") else 1 if _count(f) > 1 else 0)
                   for f in FIELDS)


@functools.lru_cache(maxsize=64)
def _head(model_id: str, s48: bool, sha256: str) -> bytes:
    body = _BODIES[VERSION].size + _MEM_BYTES
    return _HEADER.pack(MAGIC, VERSION, 1 if s48 else 0, model_id.encode("ascii")[:16],
                        bytes.fromhex(sha256), body)


def save_state(machine) -> bytes:
    c = machine.cpu
    values: list = []
    for name, kind in _SAVE_PLAN:
        value = getattr(c, name)
        if kind == 0:
            values.append(value)
        elif kind == 1:
            values.extend(value)
        else:
            values.append(bytes(value))
    mem = c.mem
    data = b"".join((_head(machine.model.id, machine.model.s48, machine.rom.sha256),
                     _BODIES[VERSION].pack(*values),
                     *(bytes(mem[start:end]) for start, end in _MEM_SPANS)))
    return data + struct.pack("<I", zlib.crc32(data))


class _Snapshot:
    """Every field of a Cpu, checked as a whole, ready to be applied in one go."""

    def __init__(self, **fields) -> None:
        _validate(fields)
        self.fields = fields

    def apply(self, c) -> None:
        # The screen counter only grows, so a viewer never mistakes the loaded
        # screen for one it has already drawn.
        fields = dict(self.fields)
        fields["lcd_version"] = max(c.lcd_version, fields.get("lcd_version", 0)) + 1
        old = {name: getattr(c, name) for name in fields}
        try:
            for name, value in fields.items():
                setattr(c, name, value)
            c.resync()
        except BaseException:
            for name, value in old.items():  # never a half-loaded machine
                setattr(c, name, value)
            c.resync()
            raise


def _check(cond: bool, what: str) -> None:
    if not cond:
        raise StateError(f"corrupt state file: {what}")


def _stamps_ok(tick: int, stamps, prog_stamp: int) -> bool:
    """Stamps trail the tick count by less than TamaLIB's 32-bit wrap; they can be
    negative after a TLST saved just past the wrap."""
    return (all(tick - _U32 <= s <= tick + 16384 for s in stamps)
            and tick - _U32 <= prog_stamp <= tick + 128)


def _validate(fields: dict) -> None:
    """Refuse a state any of whose values the emulator could not run on forever,
    whichever file it came from, before any of it reaches the machine."""
    for name, value in fields.items():
        f = _BY_NAME.get(name)
        if f is None or f.relative:
            continue
        items = value if isinstance(value, bytes | bytearray) else [value]
        if not all(isinstance(v, int) and f.lo <= v < f.hi for v in items):
            shown = value if len(items) == 1 else list(items)
            if name == "tick":
                raise StateError(
                    f"this state's tick count ({shown}) is beyond what pygotchi runs "
                    f"(under {MAX_TICK:,} ticks, about 8,700 years)")
            raise StateError(f"corrupt state file: {name} = {shown} is out of range "
                             f"({f.lo} to {f.hi - 1})")
    _check(_stamps_ok(fields["tick"], fields["clock_stamps"], fields["prog_stamp"]),
           "timer stamps")
    _check(fields.get("halted_steps", 0) <= fields.get("steps", 0), "step counters")
    mem = fields["mem"]
    _check(len(mem) == 4096 and all(v < 16 for v in mem), "memory holds more than nibbles")


def parse_state(machine, data: bytes) -> _Snapshot:
    if len(data) < _HEADER.size + 4:
        raise StateError("truncated pygotchi state file")
    magic, version, chip, model, rom_sha, body_len = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise StateError("not a pygotchi state file")
    if version not in LAYOUTS:
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
    body = _BODIES[version]
    if body_len != body.size + _MEM_BYTES:
        raise StateError("corrupt pygotchi state file (body size)")
    values = iter(body.unpack_from(data, _HEADER.size))
    fields: dict = {}
    for f in LAYOUTS[version]:
        n = _count(f)
        fields[f.name] = [next(values) for _ in range(n)] if n > 1 else next(values)
    mem = bytearray(4096)
    offset = _HEADER.size + body.size
    for start, end in _MEM_SPANS:
        chunk = data[offset : offset + end - start]
        _check(all(v < 16 for v in chunk), f"memory at {start:#05x} holds more than a nibble")
        mem[start:end] = chunk
        offset += end - start
    for name in ("factor", "mask", "triggered"):
        fields[name] = bytearray(fields[name])
    fields["clock_stamps"] = array("q", fields["clock_stamps"])
    return _Snapshot(mem=mem, bz_head=0, bz_count=0, **fields)


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
