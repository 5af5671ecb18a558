"""State files: pygotchi's own, TamaTool's TLST and the original pygotchi's cpu.bin.

The layouts tested here are the documented ones: pygotchi's in the docstring of
pygotchi/emu/state.py (header, body, CRC-32), TLST v3 and cpu.bin in
../shared/notes/E0C6S46.md §10. Every refused file must leave the machine exactly
as it was, so each failure case compares the whole machine state before and after.
"""

from __future__ import annotations

import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pygotchi.emu import Machine, StateError, load_rom
from tests.conftest import GOLDEN
from tests.emu.helpers import (
    VECTOR_TABLE,
    build,
    full_state,
    io_write,
    ram,
    run_state,
    step_until_pc,
)

SP_40 = "        LD   A,0x4\n        LD   SPH,A\n        LD   A,0x0\n        LD   SPL,A\n"


def busy_source(osc3: bool) -> str:
    """A program that keeps every part of the machine moving: timers, interrupts,
    HALT, display writes, the buzzer and (optionally) the OSC3 clock."""
    setup = (io_write(0xF10, 0x3) + io_write(0xF12, 0x1) + io_write(0xF26, 0x5)
             + io_write(0xF78, 0x3) + io_write(0xF74, 0x2) + io_write(0xF54, 0x0)
             + io_write(0xF15, 0x1) + (io_write(0xF70, 0x8) if osc3 else ""))
    return (VECTOR_TABLE + "start:\n" + SP_40 + setup + """
        LD   B,0xE
        LD   XP,B
        LD   X,0x00
        EI
loop:   LDPX MX,0xA
        HALT
        INC  M0
        JP   NZ,loop
""" + io_write(0xF54, 0x8) + """
        JP   loop
isr_clock:
        INC  M1
        EI
        RET
isr_prog:
        INC  M2
        EI
        RET
isr_k10:
        INC  M3
        EI
        RET
isr_stopwatch:
isr_k00:
isr_serial:
        EI
        RET
""")


def busy_machine(*, s48: bool = True, osc3: bool = True, until: int = 20_000) -> Machine:
    m = build(busy_source(osc3), s48=s48)
    m.run_until(until)
    if s48:
        m.set_pin(4, 0)
    for _ in range(7):  # stop between two fast-forwards, not at a round tick
        m.step()
    return m


# --- pygotchi state --------------------------------------------------------------


@pytest.mark.parametrize(("s48", "osc3"), [(False, False), (True, True)], ids=["s46", "s48"])
def test_save_load_continue_equals_continue(s48: bool, osc3: bool) -> None:
    m = busy_machine(s48=s48, osc3=osc3)
    m.buzzer_events()
    data = m.save_state()
    other = build(busy_source(osc3), s48=s48)
    version_before = other.screen_version
    other.load_state(data)
    assert run_state(other) == run_state(m)
    assert other.screen().frame == m.screen().frame
    assert other.screen_version > version_before
    for target in (m.tick + 1000, m.tick + 70_000):
        m.run_until(target)
        other.run_until(target)
        assert run_state(other) == run_state(m)
    assert other.buzzer_events() == m.buzzer_events()
    assert m.read_memory(0x001) > 0 and m.read_memory(0x002) > 0


def test_loading_goes_back_in_time() -> None:
    m = busy_machine()
    data = m.save_state()
    saved = run_state(m)
    m.run_until(m.tick + 30_000)
    assert run_state(m) != saved
    m.load_state(data)
    assert run_state(m) == saved


def test_a_state_from_another_rom_is_refused() -> None:
    m = busy_machine()
    data = m.save_state()
    other = build(busy_source(osc3=True).replace("INC  M0", "INC  M4"), s48=True)
    other.run_until(3000)
    before = full_state(other)
    with pytest.raises(StateError, match="another ROM"):
        other.load_state(data)
    assert full_state(other) == before


def test_a_state_from_the_same_program_on_the_other_chip_is_refused() -> None:
    s46 = busy_machine(s48=False, osc3=False)
    s48 = build(busy_source(osc3=False), s48=True)
    before = full_state(s48)
    with pytest.raises(StateError):
        s48.load_state(s46.save_state())
    assert full_state(s48) == before


@pytest.fixture(scope="module")
def saved() -> bytes:
    return busy_machine().save_state()


@pytest.fixture
def victim() -> Machine:
    """A machine of the same ROM, in a different state from the saved one."""
    m = build(busy_source(osc3=True), s48=True)
    m.run_until(5000)
    return m


def test_every_truncation_is_refused(saved: bytes, victim: Machine) -> None:
    before = full_state(victim)
    for n in range(len(saved)):
        with pytest.raises(StateError):
            victim.load_state(saved[:n])
    assert full_state(victim) == before


def test_every_single_bit_flip_is_refused(saved: bytes, victim: Machine) -> None:
    """The CRC-32 catches every one-bit error; nothing is applied before the check."""
    before = full_state(victim)
    data = bytearray(saved)
    for i in range(len(data)):
        for bit in range(8):
            data[i] ^= 1 << bit
            with pytest.raises(StateError):
                victim.load_state(bytes(data))
            data[i] ^= 1 << bit
        if i % 256 == 0:
            assert full_state(victim) == before
    assert full_state(victim) == before


def test_padding_is_refused(saved: bytes, victim: Machine) -> None:
    before = full_state(victim)
    for extra in (b"\0", b"\0" * 4, saved[-4:]):
        with pytest.raises(StateError):
            victim.load_state(saved + extra)
    assert full_state(victim) == before


def _with_crc(data: bytes) -> bytes:
    """Replace the trailing CRC-32 so that only the content check can refuse ``data``."""
    body = data[:-4]
    return body + struct.pack("<I", zlib.crc32(body))


HEADER_SIZE = 4 + 1 + 1 + 16 + 32 + 4  # magic, version, chip, model, ROM sha256, body length


@pytest.mark.parametrize("corruption", [
    "version", "body_length", "pc", "register_a", "memory_nibble", "display_nibble", "magic"])
def test_corrupt_content_with_a_valid_crc_is_refused(saved: bytes, victim: Machine,
                                                     corruption: str) -> None:
    data = bytearray(saved)
    if corruption == "version":
        data[4] = 2
    elif corruption == "body_length":
        struct.pack_into("<I", data, HEADER_SIZE - 4, len(data) - HEADER_SIZE - 4 + 1)
    elif corruption == "pc":
        struct.pack_into("<H", data, HEADER_SIZE, 0xFFFF)
    elif corruption == "register_a":
        data[HEADER_SIZE + 3] = 0x10  # after pc (u16) and np (u8)
    elif corruption == "memory_nibble":
        data[-5] = 0x10  # the last I/O nibble (0xF7F), just before the CRC
    elif corruption == "display_nibble":
        data[-4 - 128 - 1] = 0xFF  # the last display nibble (0xEE5)
    else:
        data[0:4] = b"PGSX"
    before = full_state(victim)
    with pytest.raises(StateError):
        victim.load_state(_with_crc(bytes(data)))
    assert full_state(victim) == before


# The documented body layout (pygotchi/emu/state.py), by name, for crafting files.
BODY = struct.Struct("<HBBBHHBBQBIBB8qqBBB6s6s6sBBbBQQQIQ")
BODY_NAMES = ("pc np a b x y sp f tick pending acc osc3 halted " + "stamp " * 8
              + "prog_stamp prog_enabled prog_data prog_reload factor mask triggered "
              "k0 k1 buzzer_freq buzzer_on steps halted_steps interrupts call_depth "
              "lcd_version").split()


def _crafted(saved: bytes, **changes: int) -> bytes:
    values = list(BODY.unpack_from(saved, HEADER_SIZE))
    for name, value in changes.items():
        if name == "shift":  # move the tick and every stamp, keeping their distances
            for i, field in enumerate(BODY_NAMES):
                if field in ("tick", "stamp", "prog_stamp"):
                    values[i] += value
            continue
        values[BODY_NAMES.index(name)] = value
    data = bytearray(saved)
    BODY.pack_into(data, HEADER_SIZE, *values)
    return _with_crc(bytes(data))


TOO_BIG = [
    {"tick": 2**63}, {"tick": 2**64 - 1}, {"steps": 2**63, "halted_steps": 0},
    {"halted_steps": 2**64 - 1, "steps": 2**64 - 1}, {"interrupts": 2**63},
    {"lcd_version": 2**64 - 1}, {"interrupts": 2**64 - 1, "lcd_version": 2**63},
]


@pytest.mark.parametrize("changes", TOO_BIG, ids=lambda c: ",".join(f"{k}={v:#x}"
                                                                  for k, v in c.items()))
def test_64_bit_fields_out_of_range_are_refused_before_anything_changes(
        saved: bytes, victim: Machine, changes: dict) -> None:
    """They used to fail half-way (memory and registers already replaced) with an
    OverflowError in the compiled core; the pure core took them and broke later."""
    before = full_state(victim)
    with pytest.raises(StateError, match="out of range|beyond"):
        victim.load_state(_crafted(saved, **changes))
    assert full_state(victim) == before
    victim.run_until(victim.tick + 1000)  # and it still runs


@pytest.mark.parametrize("shift", [2**63 - 40_000 - 2**20, 2**62, 2**53])
def test_a_tick_count_the_emulator_cannot_run_on_is_refused(
        saved: bytes, victim: Machine, shift: int) -> None:
    """A tick near 2**63 (stamps consistent with it) loaded, then broke the pet."""
    before = full_state(victim)
    with pytest.raises(StateError, match="tick count"):
        victim.load_state(_crafted(saved, shift=shift))
    assert full_state(victim) == before


def test_the_largest_accepted_tick_runs_and_round_trips(saved: bytes) -> None:
    tick = BODY.unpack_from(saved, HEADER_SIZE)[BODY_NAMES.index("tick")]
    m = busy_machine()
    m.load_state(_crafted(saved, shift=2**53 - 1 - 32768 * 60 - tick))
    m.run_for(60)  # a minute later it is still short of the limit, and fine
    other = busy_machine()
    other.load_state(m.save_state())
    assert run_state(other) == run_state(m)


def test_a_failed_apply_puts_everything_back(saved: bytes, victim: Machine) -> None:
    """Belt and braces: even a value that slipped past the checks never half-loads."""
    from pygotchi.emu import state

    snapshot = state.parse_state(victim, saved)
    fields = dict(snapshot.fields)
    del fields["clock_stamps"]
    snapshot.fields = {**fields, "clock_stamps": "xx"}  # applied last, after everything
    before = full_state(victim)
    with pytest.raises(TypeError):
        snapshot.apply(victim.cpu)
    assert full_state(victim) == before


def test_the_file_says_which_rom_it_belongs_to(saved: bytes) -> None:
    m = busy_machine()
    assert saved[:4] == b"PGST"
    assert saved[4] == 1
    assert saved[5] == 1  # E0C6S48
    assert saved[22:54] == bytes.fromhex(m.rom.sha256)
    (crc,) = struct.unpack("<I", saved[-4:])
    assert crc == zlib.crc32(saved[:-4])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_refused_cleanly(data: bytes) -> None:
    m = build(busy_source(osc3=False))
    m.run_until(500)
    before = full_state(m)
    try:
        m.load_state(data)
    except StateError:
        assert full_state(m) == before


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([b"PGST", b"TLST"]), st.binary(max_size=1400))
def test_arbitrary_bytes_behind_a_magic_are_refused_cleanly(magic: bytes, tail: bytes) -> None:
    m = build(busy_source(osc3=False))
    before = full_state(m)
    try:
        m.load_state(magic + tail)
    except StateError:
        assert full_state(m) == before


# --- TamaTool TLST v3 ------------------------------------------------------------

TLST_FIXED = struct.Struct("<4sBHHHBBBBB10IBBBI")  # through call_depth (notes §10)
SLOTS = ("prog", "serial", "k10", "k00", "stopwatch", "clock")


def parse_tlst(data: bytes) -> dict:
    (magic, version, pc, x, y, a, b, np_, sp, f, tick, *rest) = TLST_FIXED.unpack_from(data)
    stamps, prog_stamp = rest[:8], rest[8]
    prog_enabled, prog_data, prog_reload, call_depth = rest[9:]
    off = TLST_FIXED.size
    ints = {name: tuple(data[off + 3 * i : off + 3 * i + 3]) for i, name in enumerate(SLOTS)}
    off += 18
    ram_size = len(data) - off - 128
    return {"magic": magic, "version": version, "pc": pc, "x": x, "y": y, "a": a, "b": b,
            "np": np_, "sp": sp, "f": f, "tick": tick, "stamps": stamps,
            "prog_stamp": prog_stamp, "prog": (prog_enabled, prog_data, prog_reload),
            "call_depth": call_depth, "ints": ints,
            "ram": data[off : off + ram_size], "io": data[off + ram_size :]}


def test_tlst_export_has_the_documented_layout() -> None:
    m = busy_machine(osc3=False, until=40_000)
    data = m.export_tlst()
    assert len(data) == 977
    t = parse_tlst(data)
    regs = m.registers()
    assert (t["magic"], t["version"]) == (b"TLST", 3)
    assert (t["pc"], t["x"], t["y"], t["a"], t["b"], t["np"], t["sp"], t["f"]) == (
        regs["PC"], regs["X"], regs["Y"], regs["A"], regs["B"], regs["NP"], regs["SP"],
        regs["F"])
    assert t["tick"] == m.tick
    assert t["prog"][0] == 1 and t["prog"][2] == 5  # running, reload 5
    # Masks in slot order: F12 = 1 is the programmable timer, F10 = 3 the clock timer.
    assert t["ints"]["prog"][1] == 1
    assert t["ints"]["clock"][1] == 3
    assert t["ints"]["k10"][1] == 1
    assert list(t["ram"]) == ram(m, 0, 0x300)
    assert len(t["io"]) == 128
    assert (t["io"][0x12], t["io"][0x26], t["io"][0x74]) == (1, 5, 2)


def test_tlst_import_restores_registers_ram_and_io_and_what_it_lacks() -> None:
    m = busy_machine(osc3=True, until=40_000)
    data = m.export_tlst()
    other = build(busy_source(osc3=True), s48=True)
    other.run_until(100)
    other.load_state(data)
    assert other.registers() == m.registers()
    assert other.tick == m.tick
    assert ram(other, 0, 0x300) == ram(m, 0, 0x300)
    # Not in the file: display RAM (blank until redrawn), HALT, OSC3, pending cycles.
    assert ram(other, 0xE00, 0x66) == [0] * 0x66
    assert other.cpu.halted == 0 and other.cpu.osc3 == 0 and other.cpu.pending == 0
    assert other.pressed() == ()
    # TamaTool re-pushes the buzzer from F54/F74 after a load (tamalib_refresh_hw)
    assert other.buzzer == m.buzzer
    assert (other.cpu.k0, other.cpu.k1) == (0xF, 0xF)  # all buttons released, K10 too
    assert other.export_tlst() == data


def test_tlst_from_an_e0c6s46_only_build_has_640_ram_nibbles() -> None:
    m = busy_machine(s48=False, osc3=False, until=30_000)
    full = m.export_tlst()
    off = TLST_FIXED.size + 18
    short = full[: off + 640] + full[off + 768 :]
    assert len(short) == 849
    other = build(busy_source(osc3=False))
    other.load_state(short)
    assert ram(other, 0, 640) == ram(m, 0, 640)
    assert ram(other, 640, 128) == [0] * 128
    assert other.registers() == m.registers()


@pytest.mark.parametrize("change", ["version", "short", "long", "empty_body"])
def test_bad_tlst_files_are_refused(change: str) -> None:
    good = busy_machine(osc3=False).export_tlst()
    bad = {"version": good[:4] + b"\x02" + good[5:], "short": good[:-1],
           "long": good + b"\0", "empty_body": b"TLST"}[change]
    m = build(busy_source(osc3=False), s48=True)
    m.run_until(1000)
    before = full_state(m)
    with pytest.raises(StateError, match="977|version"):
        m.load_state(bad)
    assert full_state(m) == before


def test_golden_tamatool_file_round_trips_byte_for_byte(p1_rom) -> None:
    path = GOLDEN / "p1_t60000.tlst"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    data = path.read_bytes()
    m = Machine(load_rom(p1_rom.read_bytes()))
    m.load_state(data)
    t = parse_tlst(data)
    assert m.tick == t["tick"]
    assert m.registers()["PC"] == t["pc"]
    assert m.export_tlst() == data


def _wrapped_tlst() -> bytes:
    """A TamaTool save made just after its 32-bit tick counter wrapped (every ~36 h).

    TamaLIB compares time stamps by unsigned 32-bit difference: stamps a little
    below 2**32 are 110 ticks in the past; the disabled programmable timer keeps an
    old stamp from before the wrap.
    """
    m = busy_machine(s48=False, osc3=False)
    data = bytearray(m.export_tlst())
    fixed = list(TLST_FIXED.unpack_from(data))
    tick_at = 10
    fixed[tick_at] = 10                                 # tick_counter
    fixed[tick_at + 1 : tick_at + 9] = [2**32 - 100] * 8  # clock stamps
    fixed[tick_at + 9] = 0xFFFF0000                     # prog timer stamp
    fixed[tick_at + 10] = 0                             # prog timer stopped
    TLST_FIXED.pack_into(data, 0, *fixed)
    return bytes(data)


def test_a_tlst_saved_just_after_the_tick_counter_wrapped_loads_and_saves() -> None:
    m = build(busy_source(osc3=False))
    m.load_state(_wrapped_tlst())
    assert m.tick == 10
    data = m.save_state()  # must not fail because a time stamp lies before tick 0
    other = build(busy_source(osc3=False))
    other.load_state(data)
    assert run_state(other) == run_state(m)
    m.run_until(50_000)
    assert m.save_state()


# --- original pygotchi cpu.bin ---------------------------------------------------

VECTORS = (0x0C, 0x0A, 0x08, 0x06, 0x04, 0x02)


def make_cpu_bin(*, pc: int = 0x100, x: int = 0, y: int = 0, a: int = 0, b: int = 0,
                 np_: int = 0x01, sp: int = 0, f: int = 0, tick: int = 0, clk_stamp: int = 0,
                 prog_stamp: int = 0, prog: tuple[int, int, int] = (0, 0, 0),
                 call_depth: int = 0, ints: dict[str, tuple[int, int, int]] | None = None,
                 vectors: tuple[int, ...] = VECTORS, ram_nibbles: list[int] | None = None
                 ) -> bytes:
    """The 512-byte file, built from the layout in notes §10 (not from state.py)."""
    raw = bytearray(64)
    struct.pack_into("<HHHBBBBB", raw, 0, pc, x, y, a, b, np_, sp, f)
    struct.pack_into("<III", raw, 12, tick, clk_stamp, prog_stamp)
    raw[24], raw[25], raw[26] = prog
    struct.pack_into("<I", raw, 28, call_depth)
    raw[32:40] = b"\xde\xad\xbe\xef\xde\xad\xbe\xef"  # a host pointer: garbage
    ints = ints or {}
    for i, name in enumerate(SLOTS):
        factor, mask, triggered = ints.get(name, (0, 0, 0))
        raw[40 + 4 * i : 44 + 4 * i] = bytes((factor, mask, triggered, vectors[i]))
    nibbles = ram_nibbles or [0] * 640
    raw += bytes((nibbles[2 * i] << 4) | nibbles[2 * i + 1] for i in range(320))
    assert len(raw) == 384
    digits = raw.hex()
    out = bytearray()
    for i in range(0, len(digits), 3):
        out += int(digits[i : i + 3], 16).to_bytes(2, "big")
    assert len(out) == 512
    return bytes(out)


CPU_BIN_PROGRAM = VECTOR_TABLE + """
start:  JP   start
isr_stopwatch:
isr_k00:
isr_k10:
isr_serial:
isr_prog:
        EI
        RET
isr_clock:
        INC  M0
        EI
        RET
        ORG 0x150
resume: LD   B,0xF
        LD   YP,B
        LD   Y,0x10
        LD   A,MY         ; F10: clock mask
        LD   Y,0x12
        LD   B,MY         ; F12: programmable timer mask
        LD   Y,0x54
        LD   MX,MY        ; X -> F54 copied to RAM
idle:   JP   idle
"""


def test_cpu_bin_registers_and_ram_land_in_place() -> None:
    nibbles = [(i * 7 + 3) & 0xF for i in range(640)]
    data = make_cpu_bin(pc=0x150, x=0x2A0, y=0x123, a=0x5, b=0x6, np_=0x01, sp=0xC0, f=0x2,
                        tick=123_456, clk_stamp=120_000, prog=(1, 0x07, 0x07),
                        ints={"prog": (0, 1, 0), "clock": (0, 8, 0)}, ram_nibbles=nibbles)
    m = build(CPU_BIN_PROGRAM)
    m.load_state(data)
    assert m.registers() == {"PC": 0x150, "NP": 0x01, "A": 5, "B": 6, "X": 0x2A0, "Y": 0x123,
                             "SP": 0xC0, "F": 0x2}
    assert m.tick == 123_456
    assert ram(m, 0, 640) == nibbles  # even address from the high nibble
    step_until_pc(m, 0x158)
    # masks were restored into their slots; I/O takes TamaLIB's reset values
    assert (m.registers()["A"], m.registers()["B"]) == (8, 1)
    assert m.read_memory(0x2A0) == 0xF


def test_blank_cpu_bin_is_a_reset_machine() -> None:
    m = build(CPU_BIN_PROGRAM)
    m.load_state(make_cpu_bin())
    assert m.registers() == {"PC": 0x100, "NP": 0x01, "A": 0, "B": 0, "X": 0, "Y": 0,
                             "SP": 0, "F": 0}
    assert m.tick == 0
    assert ram(m, 0, 0x300) == [0] * 0x300


def test_cpu_bin_clock_interrupt_keeps_its_one_hertz_phase() -> None:
    """The old core fired the 1 Hz interrupt 32,768 ticks after its time stamp."""
    data = make_cpu_bin(pc=0x10E, sp=0x40, f=0x8, tick=100_000, clk_stamp=99_000,
                        ints={"clock": (0, 8, 0)})
    m = build(CPU_BIN_PROGRAM)
    m.load_state(data)
    count = m.cpu.interrupts
    while m.cpu.interrupts == count:
        before = m.tick
        m.step()
        assert m.tick < 140_000
    assert m.registers()["PC"] == 0x102
    assert before < 99_000 + 32_768 <= m.tick - 12


@pytest.mark.parametrize("problem", ["word_over_12_bits", "vectors", "register", "size"])
def test_bad_cpu_bin_is_refused(problem: str) -> None:
    if problem == "word_over_12_bits":
        data = bytearray(make_cpu_bin())
        data[10] = 0x10
    elif problem == "vectors":
        data = bytearray(make_cpu_bin(vectors=(1, 2, 3, 4, 5, 6)))
    elif problem == "register":
        data = bytearray(make_cpu_bin(a=0x1F))
    else:
        data = bytearray(make_cpu_bin())[:-2]
    m = build(CPU_BIN_PROGRAM)
    m.run_until(3000)
    before = full_state(m)
    with pytest.raises(StateError):
        m.load_state(bytes(data))
    assert full_state(m) == before


def test_cpu_bin_with_zeroed_vectors_is_accepted() -> None:
    """Dumps whose vector bytes are zero are known to exist (notes §10)."""
    m = build(CPU_BIN_PROGRAM)
    m.load_state(make_cpu_bin(vectors=(0,) * 6, pc=0x150))
    assert m.registers()["PC"] == 0x150
