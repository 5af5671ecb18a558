"""The debugger: stops where the golden traces say, and steps back exactly.

* Breakpoints and watchpoints stop at the step counts that TamaLIB's step traces
  imply. A breakpoint at X stops at the first traced step (after the start) whose
  PC is X on an awake CPU, before it runs; a watchpoint on M stops right after
  the first step that reads (or writes) M. Which nibbles a step touches is worked
  out here from the traced opcode and registers, from the chip manual's
  description of each instruction, not from the emulator's handlers.
* Going back K steps from N gives, byte for byte, the state of a machine run
  forward N-K steps from the same start (Hypothesis, random ROMs and the P1),
  with button input and edits in the log.
* The debug path runs the same steps as the normal one.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pygotchi.emu import EmuError, Machine, load_rom_file
from pygotchi.emu.debugger import Debugger, parse_number
from pygotchi.emu.isa import DECODE
from pygotchi.emu.trace import parse_script
from tests.conftest import GOLDEN, ROMS
from tests.emu.helpers import build, build_words
from tests.emu.test_properties import pin_events, programs, random_program

# --- what each instruction reads and writes (E0C6200 core manual) -------------------

_ALU = ("add", "adc", "sub", "sbc", "and", "or", "xor")
# r is read by ALU ops, compares, shifts, pushes and the moves of r into index registers
READS_R = {f"{op}_r_{s}" for op in _ALU for s in "iq"} | {
    "cp_r_i", "cp_r_q", "fan_r_i", "fan_r_q", "rlc_r", "rrc_r", "push_r", "ld_xp_r",
    "ld_xh_r", "ld_xl_r", "ld_yp_r", "ld_yh_r", "ld_yl_r", "ld_sph_r", "ld_spl_r",
    "acpx", "acpy", "scpx", "scpy"}
WRITES_R = {f"{op}_r_{s}" for op in _ALU for s in "iq"} | {
    "rlc_r", "rrc_r", "ld_r_i", "ld_r_q", "ldpx_r_q", "ldpy_r_q", "pop_r", "ld_r_xp",
    "ld_r_xh", "ld_r_xl", "ld_r_yp", "ld_r_yh", "ld_r_yl", "ld_r_sph", "ld_r_spl"}
READS_Q = {f"{op}_r_q" for op in _ALU} | {"cp_r_q", "fan_r_q", "ld_r_q", "ldpx_r_q",
                                          "ldpy_r_q"}


def accesses(word: int, x: int, y: int, sp: int) -> tuple[set[int], set[int]]:
    """(addresses read, addresses written) by instruction ``word`` with these registers."""
    ins = DECODE[word]
    kind = ins.kind
    ops = ins.operands(word)
    reads: set[int] = set()
    writes: set[int] = set()
    via = {2: x, 3: y}  # register operands 2 and 3 are M(X) and M(Y)
    if kind in READS_R and ops.get("r") in via:
        reads.add(via[ops["r"]])
    if kind in WRITES_R and ops.get("r") in via:
        writes.add(via[ops["r"]])
    if kind in READS_Q and ops.get("q") in via:
        reads.add(via[ops["q"]])
    n = word & 15
    pair = {x, (x & 0xF00) | ((x + 1) & 0xFF)}  # LBPX/RETD store at X and X+1 (low byte)
    stack3 = {sp, (sp + 1) & 0xFF, (sp + 2) & 0xFF}
    if kind in ("ld_a_mn", "ld_b_mn"):
        reads.add(n)
    elif kind in ("ld_mn_a", "ld_mn_b"):
        writes.add(n)
    elif kind in ("inc_mn", "dec_mn"):
        reads.add(n)
        writes.add(n)
    elif kind == "ldpx_mx_i":
        writes.add(x)
    elif kind == "ldpy_my_i":
        writes.add(y)
    elif kind in ("acpx", "scpx"):
        reads.add(x)
        writes.add(x)
    elif kind in ("acpy", "scpy"):
        reads.add(y)
        writes.add(y)
    elif kind == "lbpx":
        writes |= pair
    elif kind in ("ret", "rets"):
        reads |= stack3
    elif kind == "retd":
        reads |= stack3
        writes |= pair
    elif kind in ("call", "calz"):
        writes |= {(sp - 1) & 0xFF, (sp - 2) & 0xFF, (sp - 3) & 0xFF}
    elif kind.startswith("push"):
        writes.add((sp - 1) & 0xFF)
    elif kind.startswith("pop"):
        reads.add(sp)
    return reads, writes


VECTORS = {0x102, 0x104, 0x106, 0x108, 0x10A, 0x10C}


def trace_lines(path: Path) -> list[tuple[int, ...]]:
    """(step, pc, op, x, y, sp, halted) of every traced step."""
    out = []
    for line in gzip.open(path, "rt"):
        if line.startswith("#"):
            continue
        p = line.split()
        out.append((int(p[0]), int(p[1], 16), int(p[2], 16), int(p[5], 16), int(p[6], 16),
                    int(p[7], 16), int(p[11])))
    return out


def first_stops(lines) -> tuple[dict[int, int], dict[int, int], dict[int, int], set[int]]:
    """Positions where a breakpoint (by PC) and read/write watchpoints (by address) first
    stop, and the addresses first written by an interrupt entry."""
    brk: dict[int, int] = {}
    rd: dict[int, int] = {}
    wr: dict[int, int] = {}
    by_irq: set[int] = set()
    for i, (step, pc, op, x, y, sp, halted) in enumerate(lines[:-1]):
        if not halted and step > 0:
            brk.setdefault(pc, step)
        reads, writes = accesses(op, x, y, sp) if not halted else (set(), set())
        nxt = lines[i + 1]
        if nxt[1] & 0xFFF in VECTORS and nxt[5] != sp:
            # The step ended in an interrupt entry: PC pushed below the stack pointer.
            pushed = {nxt[5], (nxt[5] + 1) & 0xFF, (nxt[5] + 2) & 0xFF}
            by_irq |= {a for a in pushed - writes if a not in wr}
            writes = writes | pushed
        for addr in reads:
            rd.setdefault(addr, step + 1)
        for addr in writes:
            wr.setdefault(addr, step + 1)
    return brk, rd, wr, by_irq


def _sample(d: dict[int, int], n: int) -> list[int]:
    keys = sorted(d)
    if len(keys) <= n:
        return keys
    return [keys[i * (len(keys) - 1) // (n - 1)] for i in range(n)]


def _traces() -> list[tuple[str, Path, Path, Path]]:
    """(name, trace, rom, script) of every step trace whose ROM is here."""
    out = []
    p1 = GOLDEN / "p1_trace_3s.txt.gz"
    if p1.exists():
        out.append(("p1", p1, ROMS / "p1.bin", GOLDEN / "script_hatch.txt"))
    for trace in sorted((GOLDEN / "fuzz").glob("*.trace.txt.gz")):
        stem = trace.name.replace(".trace.txt.gz", "")
        out.append((stem, trace, trace.with_name(stem + ".bin"),
                    trace.with_name(stem + ".script.txt")))
    return out


TRACES = _traces()


def _session(rom: Path, script: Path) -> Debugger:
    if not rom.exists():
        pytest.skip(f"ROM {rom.name} not found in {rom.parent} (set PYGOTCHI_TEST_ROMS)")
    m = Machine(load_rom_file(rom))
    for event in parse_script(script.read_text(), str(script)):
        m.set_pin(event.pin, 0 if event.down else 1, at_tick=event.tick)
    return Debugger(m)


@pytest.mark.skipif(not TRACES, reason=f"no step traces in {GOLDEN}")
@pytest.mark.parametrize("name,trace,rom,script", TRACES, ids=[t[0] for t in TRACES])
def test_breakpoints_and_watchpoints_stop_where_the_trace_says(name, trace, rom, script) -> None:
    lines = trace_lines(trace)
    brk, rd, wr, by_irq = first_stops(lines)
    assert brk and rd and wr
    checked = 0
    for addr in _sample(brk, 12):
        d = _session(rom, script)
        d.set_breakpoint(addr)
        stop = d.cont(max_steps=len(lines))
        assert (stop.reason, stop.position, stop.pc) == ("breakpoint", brk[addr], addr)
        checked += 1
    for table, read, write in ((rd, True, False), (wr, False, True)):
        wanted = _sample(table, 10) + [a for a in table if a >= 0xE00][:4]
        if write:
            wanted += sorted(by_irq)[:3]  # pushes of an interrupt entry are writes too
        for addr in wanted:
            d = _session(rom, script)
            d.set_watchpoint(addr, read=read, write=write)
            stop = d.cont(max_steps=len(lines))
            assert stop.reason == "watchpoint", (hex(addr), stop)
            assert (stop.position, stop.address) == (table[addr], addr), hex(addr)
            assert ("read" in stop.access) if read else ("write" in stop.access)
            checked += 1
    assert checked >= 30


@pytest.mark.skipif(not TRACES, reason=f"no step traces in {GOLDEN}")
def test_continuing_from_a_breakpoint_stops_at_its_next_hit() -> None:
    name, trace, rom, script = TRACES[0]
    lines = trace_lines(trace)
    counts: dict[int, list[int]] = {}
    for step, pc, *_, halted in lines:
        if not halted and step > 0:
            counts.setdefault(pc, []).append(step)
    addr = next(a for a, hits in sorted(counts.items()) if len(hits) >= 3)
    d = _session(rom, script)
    d.set_breakpoint(addr)
    got = [d.cont(max_steps=len(lines)).position for _ in range(3)]
    assert got == counts[addr][:3]
    # ... and backwards, the same hits in reverse, then the start.
    assert [d.back_to_break().position for _ in range(2)] == counts[addr][1::-1]
    assert d.back_to_break().reason == "start"
    assert d.position == 0


# --- the debug path runs the same steps as the normal one ------------------------------


@settings(max_examples=40, deadline=None)
@given(programs, st.integers(1, 6000), pin_events)
def test_debug_steps_equal_cpu_steps(program, n: int, events) -> None:
    words = random_program(*program)
    plain = build_words(words)
    debugged = build_words(words)
    for tick, pin, level in events:
        plain.set_pin(pin, level, at_tick=tick)
        debugged.set_pin(pin, level, at_tick=tick)
    d = Debugger(debugged, snapshot_every=997)
    d.set_watchpoint(0x0FF, read=False, write=False)  # set and removed: nothing left watched
    assert d.step(n).position == n
    for _ in range(n):
        plain.step()
    assert debugged.save_state() == plain.save_state()


# --- back K from N equals forward N-K ------------------------------------------------------


edits = st.lists(st.tuples(st.sampled_from(("reg", "mem", "pin")), st.integers(0, 0xFFF),
                           st.integers(0, 15)), max_size=3)


def _edit(d: Debugger, kind: str, a: int, b: int) -> None:
    if kind == "reg":
        name = ("A", "B", "X", "Y", "F")[a % 5]
        d.set_register(name, b if name in "ABF" else a)
    elif kind == "mem":
        d.write_memory(a % 0x300 if a < 0xE00 else 0xF00 + a % 0x80, b)
    else:
        d.set_button(("A", "B", "C")[a % 3], bool(b & 1))


def _forward(words, script, n1: int, edits_at_n1, n2: int) -> bytes:
    m = build_words(words)
    for tick, pin, level in script:
        m.set_pin(pin, level, at_tick=tick)
    d = Debugger(m, snapshot_every=701)
    d.step(n1) if n1 else None
    for e in edits_at_n1:
        _edit(d, *e)
    if n2:
        d.step(n2)
    return m.save_state()


@settings(max_examples=60, deadline=None)
@given(programs, st.integers(0, 5000), edits, st.integers(1, 5000), st.integers(1, 12000),
       pin_events)
def test_back_k_from_n_equals_forward_n_minus_k(program, n1, changes, n2, k, script) -> None:
    words = random_program(*program)
    m = build_words(words)
    for tick, pin, level in script:
        m.set_pin(pin, level, at_tick=tick)
    d = Debugger(m, snapshot_every=701, max_snapshots=6)
    if n1:
        d.step(n1)
    for e in changes:
        _edit(d, *e)
    d.step(n2)
    n = n1 + n2
    k = min(k, n)
    stop = d.back(k)
    assert stop.position == n - k
    if n - k >= n1:
        expected = _forward(words, script, n1, changes, n - k - n1)
    else:
        expected = _forward(words, script, n - k, [], 0)
    assert m.save_state() == expected
    assert d.snapshot_count <= 6
    # Forward again from there retraces the same history, edits included.
    d.step(k) if k else None
    assert m.save_state() == _forward(words, script, n1, changes, n2)


def _p1() -> Path:
    path = ROMS / "p1.bin"
    if not path.exists():
        pytest.skip(f"ROM p1.bin not found in {ROMS} (set PYGOTCHI_TEST_ROMS)")
    return path


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 60_000), st.integers(1, 60_000), st.integers(0, 40_000))
def test_back_on_the_p1(n: int, k: int, press_at: int) -> None:
    rom = load_rom_file(_p1())

    def session() -> Debugger:
        m = Machine(rom)
        m.set_button("B", True, at_tick=press_at)
        m.set_button("B", False, at_tick=press_at + 3000)
        return Debugger(m, snapshot_every=5000, max_snapshots=8)

    d = session()
    d.step(n)
    k = min(k, n)
    d.back(k)
    other = session()
    if n - k:
        other.step(n - k)
    assert d.machine.save_state() == other.machine.save_state()


# --- the rest of the API --------------------------------------------------------------------

SOURCE = """
        ORG 0x100
        LD   A,0x3
        CALL sub
        LD   B,A
        LD   Y,0x20
        LDPY MY,0x7
        JP   0x06
        ORG 0x120
sub:    ADD  A,0x1
        RET
"""


def test_step_over_run_to_and_edits() -> None:
    m = build(SOURCE)
    d = Debugger(m)
    assert d.step().pc == 0x101
    stop = d.step_over()  # the whole call
    assert (stop.reason, stop.pc, d.registers()["A"]) == ("step", 0x102, 4)
    assert d.back(1).pc == 0x121  # the RET inside it
    d.set_breakpoint(0x105)
    stop = d.run_to(0x104)
    assert (stop.reason, stop.pc) == ("step", 0x104)
    d.set_register("A", 0xC)
    d.set_register("Z", 1)
    assert d.registers()["F"] & 2
    d.write_memory(0x20, 5)
    assert d.memory_view()[0x20] == 5
    stop = d.cont(max_steps=100)
    assert (stop.reason, stop.pc) == ("breakpoint", 0x105)
    assert d.changed() == [0x20]  # LDPY MY,7 wrote 7 over the 5
    assert d.memory_view()[0x20] == 7
    for bad in (lambda: d.set_register("Q", 1), lambda: d.set_register("A", 16),
                lambda: d.write_memory(0x20, 16), lambda: d.write_memory(0x400, 1),
                lambda: d.set_breakpoint(0x2000), lambda: d.step(0)):
        with pytest.raises(EmuError):
            bad()
    lines = d.disassembly(0x101, 2, {0x120: "sub"})
    assert lines[0]["text"].startswith("CALL 0x20") and lines[0]["text"].endswith("-> sub")


def test_parse_number() -> None:
    assert [parse_number(t) for t in ("0x1A0", "1a0h", "$1A0", "416")] == [416] * 4
    with pytest.raises(EmuError, match="not a number"):
        parse_number("zz")


def test_snapshots_stay_bounded_on_a_long_run() -> None:
    d = Debugger(Machine(load_rom_file(_p1())), snapshot_every=1000, max_snapshots=16)
    d.cont(max_steps=200_000)
    assert d.snapshot_count <= 16
    d.back(150_000)
    assert d.position == 50_000
    # Nothing to stop at: back to the start, or as far as allowed.
    stop = d.back_to_break(max_steps=7_000)
    assert (stop.reason, stop.position) == ("limit", 43_000)
    assert (d.back_to_break().reason, d.position) == ("start", 0)
