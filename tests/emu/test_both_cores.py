"""The compiled core and the pure-Python core must agree on everything, including junk.

The compiled build indexes its arrays without bounds checks, so a ROM or a state
file that could push an index out of range would read or write stray memory
there while the pure build raised or wrapped. Hypothesis feeds random programs
and random (and mutated) state files to both builds: the pure one runs in a
worker subprocess with ``PYGOTCHI_PURE_PYTHON=1``. Both must produce the same
state, byte for byte, or refuse the same input with the same error.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pygotchi.emu import COMPILED, EmuError, Machine, load_rom
from pygotchi.emu.rom import words_to_rombin
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not COMPILED, reason="the compiled core is not built here "
                                "(or PYGOTCHI_PURE_PYTHON is set): nothing to compare")

WORKER = r"""
import pickle, sys
from pygotchi.emu import COMPILED, EmuError, Machine, load_rom
assert not COMPILED
out = sys.stdout.buffer
for line in iter(sys.stdin.buffer.readline, b""):
    size = int(line)
    job = pickle.loads(sys.stdin.buffer.read(size))
    try:
        m = Machine(load_rom(job["rom"]))
        if job["state"] is not None:
            m.load_state(job["state"])
        for button, tick in job["presses"]:
            m.set_pin(button, 0, at_tick=tick)
            m.set_pin(button, 1, at_tick=tick + 300)
        m.run_until(m.tick + job["ticks"])
        result = ("ok", m.save_state(), [(e.tick, e.on, e.freq_dhz) for e in m.buzzer_events()],
                  m.screen().frame)
    except EmuError as exc:
        result = ("refused", type(exc).__name__, str(exc))
    data = pickle.dumps(result)
    out.write(b"%d\n" % len(data) + data)
    out.flush()
"""


@pytest.fixture(scope="module")
def pure_worker():
    env = dict(os.environ, PYGOTCHI_PURE_PYTHON="1")
    proc = subprocess.Popen([sys.executable, "-c", WORKER], cwd=REPO, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(job: dict):
        data = pickle.dumps(job)
        proc.stdin.write(b"%d\n" % len(data) + data)
        proc.stdin.flush()
        size = int(proc.stdout.readline())
        return pickle.loads(proc.stdout.read(size))

    yield call
    proc.stdin.close()
    proc.wait(timeout=30)


def run_here(job: dict):
    try:
        m = Machine(load_rom(job["rom"]))
        if job["state"] is not None:
            m.load_state(job["state"])
        for button, tick in job["presses"]:
            m.set_pin(button, 0, at_tick=tick)
            m.set_pin(button, 1, at_tick=tick + 300)
        m.run_until(m.tick + job["ticks"])
        return ("ok", m.save_state(), [(e.tick, e.on, e.freq_dhz) for e in m.buzzer_events()],
                m.screen().frame)
    except EmuError as exc:
        return ("refused", type(exc).__name__, str(exc))


# Random words, biased towards the instructions that move data through X/Y,
# touch I/O, switch clocks and halt, so that odd corners come up often.
_INTERESTING = [0xE80, 0xE90, 0xB00, 0x800, 0xEE8, 0xEF8, 0xE60, 0xE70, 0xF28, 0xF38, 0xFF8,
                0xF48, 0xF57, 0xFDF, 0x400, 0xE40, 0xFE8, 0x900, 0xAF0, 0xE8C]
word = st.one_of(
    st.integers(0, 0xFFF),
    st.builds(lambda base, low: base | (low & (0xFF if base < 0xE00 else 0xF)),
              st.sampled_from(_INTERESTING), st.integers(0, 0xFF)),
)


@st.composite
def programs(draw) -> bytes:
    size = draw(st.sampled_from([6144, 8192, 0x101, 3000]))
    body = draw(st.lists(word, min_size=16, max_size=200))
    words = [0xFFB] * size
    # Boot code at the reset vector: random words from 0x100 on, then more
    # random words scattered where jumps may land.
    for i, w in enumerate(body):
        words[(0x100 + i) % size] = w
    for _ in range(draw(st.integers(0, 40))):
        words[draw(st.integers(0, size - 1))] = draw(word)
    return words_to_rombin(words)


presses = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 20000)), max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rom=programs(), ticks=st.integers(0, 40000), presses=presses)
def test_random_programs_agree(pure_worker, rom: bytes, ticks: int, presses) -> None:
    job = {"rom": rom, "state": None, "ticks": ticks, "presses": presses}
    assert run_here(job) == pure_worker(job)


def _valid_state(rom: bytes, ticks: int) -> bytes:
    m = Machine(load_rom(rom))
    m.run_until(ticks)
    return m.save_state()


def _fix_crc(data: bytes) -> bytes:
    if data[:4] != b"PGST" or len(data) < 8:
        return data
    return data[:-4] + struct.pack("<I", zlib.crc32(data[:-4]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rom=programs(), at=st.integers(0, 20000), ticks=st.integers(0, 20000),
       flips=st.lists(st.tuples(st.integers(0, 1200), st.integers(0, 255)), min_size=1,
                      max_size=6),
       fix_crc=st.booleans(), cut=st.one_of(st.none(), st.integers(0, 1200)))
def test_mutated_state_files_agree(pure_worker, rom, at, ticks, flips, fix_crc, cut) -> None:
    """A corrupted state is refused by both, or (CRC fixed up) loads and runs alike."""
    data = bytearray(_valid_state(rom, at))
    for pos, value in flips:
        if pos < len(data):
            data[pos] = value
    if cut is not None:
        data = data[:cut]
    state = _fix_crc(bytes(data)) if fix_crc else bytes(data)
    job = {"rom": rom, "state": state, "ticks": ticks, "presses": []}
    assert run_here(job) == pure_worker(job)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rom=programs(), blob=st.binary(min_size=0, max_size=1100),
       kind=st.sampled_from(["raw", "tlst", "cpubin"]), ticks=st.integers(0, 20000))
def test_random_state_blobs_agree(pure_worker, rom, blob, kind, ticks) -> None:
    """Any bytes at all, dressed as TLST or cpu.bin files, give the same result."""
    if kind == "tlst":
        blob = (b"TLST\x03" + blob + bytes(977))[:977]
    elif kind == "cpubin":
        # 12-bit words in 16-bit big-endian containers, as the original pygotchi writes.
        blob = bytes(b if i % 2 else b & 0x0F for i, b in enumerate((blob + bytes(512))[:512]))
    job = {"rom": rom, "state": blob, "ticks": ticks, "presses": []}
    assert run_here(job) == pure_worker(job)


def test_the_worker_really_is_pure(pure_worker) -> None:
    rom = words_to_rombin([0xFFB] * 6144)
    assert pure_worker({"rom": rom, "state": None, "ticks": 10, "presses": []})[0] == "ok"
    proc = subprocess.run([sys.executable, "-m", "pygotchi", "info"], cwd=REPO, check=True,
                          env=dict(os.environ, PYGOTCHI_PURE_PYTHON="1"),
                          capture_output=True, text=True)
    assert "pure Python" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "pygotchi", "info"], cwd=REPO, check=True,
                          env={k: v for k, v in os.environ.items() if k != "PYGOTCHI_PURE_PYTHON"},
                          capture_output=True, text=True)
    assert "compiled" in proc.stdout


# --- timer registers read while the compiled loop skips counter-only events ---
#
# On OSC1 with the clock channels in phase, the compiled loop lets the 128/64 Hz
# toggles and the programmable timer's counts that do not reach 0 go by and
# applies them only where they could be seen (timers.settle): a read of F20,
# F24 or F25, a write of F78, any stop or exit of the loop. These programs read
# those registers (and the factor flags) in a tight loop into a ring of RAM
# nibbles, restart the timer now and then, take interrupts or not, and are run
# in pieces of random length, so that reads land at every phase of the events.

def _timer_program(reload: int, masks: tuple[int, int], ei: bool, pads: tuple[int, int],
                   restart: int, osc3: bool) -> bytes:
    from tests.emu.helpers import VECTOR_TABLE, io_write, rom_bytes

    def pad(n: int) -> str:
        return "".join("        NOP5\n" if i % 2 else "        NOP7\n" for i in range(n))

    isr = ("        LD   B,0xF\n        LD   YP,B\n        LD   Y,0x00\n        LD   A,MY\n"
           "        LD   Y,0x02\n        LD   A,MY\n        EI\n        RET\n")
    source = (VECTOR_TABLE + "start:\n        LD   A,0x4\n        LD   SPH,A\n"
              + io_write(0xF26, reload & 0xF) + io_write(0xF27, reload >> 4)
              + io_write(0xF10, masks[0]) + io_write(0xF12, masks[1])
              + (io_write(0xF70, 0x8) if osc3 else "")
              + io_write(0xF78, 0x3) + ("        EI\n" if ei else "")
              + "        LD   A,0x1\n        LD   XP,A\n        LD   X,0x00\n"
              + f"        LD   A,{restart:#x}\n        LD   M5,A\n"
              + "loop:   LD   B,0xF\n        LD   YP,B\n"
              + "        LD   Y,0x20\n        LDPX MX,MY\n"
              + pad(pads[0])
              + "        LD   Y,0x24\n        LDPX MX,MY\n        LD   Y,0x25\n        LDPX MX,MY\n"
              + "        LD   Y,0x21\n        LDPX MX,MY\n"
              + "        DEC  M5\n        JP   NZ,keep\n"
              + f"        LD   A,{restart:#x}\n        LD   M5,A\n"
              + "        LD   Y,0x78\n        LDPY MY,0x3\n"
              + "keep:\n" + pad(pads[1]) + "        JP   loop\n"
              + "".join(f"isr_{name}:\n{isr}" for name in
                        ("clock", "stopwatch", "k00", "k10", "serial", "prog")))
    return rom_bytes(source)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reload=st.integers(0, 255), masks=st.tuples(st.integers(0, 15), st.integers(0, 1)),
       ei=st.booleans(), pads=st.tuples(st.integers(0, 9), st.integers(0, 9)),
       restart=st.integers(1, 15), osc3=st.sampled_from([False, False, False, True]),
       pieces=st.lists(st.integers(1, 3000), min_size=1, max_size=12))
def test_timer_registers_agree(pure_worker, reload, masks, ei, pads, restart, osc3,
                               pieces) -> None:
    rom = _timer_program(reload, masks, ei, pads, restart, osc3)
    m = Machine(load_rom(rom))
    total = 0
    for piece in pieces:  # the compiled loop leaves and comes back at each limit
        total += piece
        m.run_until(total)
    here = ("ok", m.save_state(), [(e.tick, e.on, e.freq_dhz) for e in m.buzzer_events()],
            m.screen().frame)
    assert here == pure_worker({"rom": rom, "state": None, "ticks": total, "presses": []})


# --- fused runs: the compiled loop's cases for frequent runs of instructions ----
#
# Programs made of the runs listed in opgen.FUSED (any words that decode to each
# handler), with X and Y pointing anywhere (RAM, display RAM, I/O), so that the
# fused cases meet I/O, display writes, EI, timer stops and interrupts mid-run.

def _words_by_handler() -> dict[int, list[int]]:
    from pygotchi.emu import ops

    by: dict[int, list[int]] = {}
    for w in range(4096):
        by.setdefault(ops.KIND[w], []).append(w)
    return by


@st.composite
def fused_programs(draw) -> bytes:
    from pygotchi.emu import assemble, ops
    from tests.emu.helpers import io_write

    by = _words_by_handler()
    xp, yp = (draw(st.sampled_from([0x0, 0x1, 0x2, 0xE, 0xF])) for _ in range(2))
    # Low bytes: often an I/O register with side effects (factor flags, timers, buzzer).
    low = st.one_of(st.integers(0, 255), st.sampled_from([0x00, 0x02, 0x20, 0x24, 0x25, 0x53,
                                                          0x54, 0x74, 0x77, 0x78, 0x64, 0x65]))
    x, y = draw(low), draw(low)
    source = ("        ORG 0x100\n"
              + io_write(0xF10, draw(st.integers(0, 15)))  # clock-timer interrupt masks
              + io_write(0xF12, draw(st.integers(0, 1)))  # programmable timer
              + io_write(0xF26, draw(st.integers(0, 15))) + io_write(0xF78, 0x3)
              + ("        EI\n" if draw(st.booleans()) else "")
              + f"        LD   A,{xp:#x}\n        LD   XP,A\n        LD   X,{x:#x}\n"
              + f"        LD   A,{yp:#x}\n        LD   YP,A\n        LD   Y,{y:#x}\n"
              + "body:\n")
    program = assemble(source)
    words = program.image(6144)
    pc = program.labels["body"]
    for _ in range(draw(st.integers(1, 40))):
        for handler in draw(st.sampled_from(ops.FUSED)):
            if pc < 6100:
                word = draw(st.sampled_from(by[handler]))
                if word >> 8 in (0xB, 0x8):  # LD X,e / LD Y,e: the interesting lows too
                    word = (word & 0xF00) | draw(low)
                words[pc] = word
                pc += 1
    words[pc] = program.labels["body"] & 0xFF  # JP body (page 1)
    return words_to_rombin(words)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rom=fused_programs(), ticks=st.integers(0, 40000), presses=presses)
def test_fused_runs_agree(pure_worker, rom: bytes, ticks: int, presses) -> None:
    job = {"rom": rom, "state": None, "ticks": ticks, "presses": presses}
    assert run_here(job) == pure_worker(job)


@pytest.mark.parametrize("pad", range(4))
def test_io_inside_fused_runs_agrees(pure_worker, pad: int) -> None:
    """I/O writes and reads from the second part of a fused run, at each phase.

    ``LD X,e`` then ``LBPX`` is a fused run: the buzzer change is recorded with
    the tick of the LBPX step, the programmable timer restarts at it, and F24
    (its count) is read at the step after (``LD X,e`` then ``LD A,MX``).
    """
    from pygotchi.emu import assemble

    source = ("        ORG 0x100\n        LD   A,0xF\n        LD   XP,A\n"
              "loop:   LD   X,0x53\n        LBPX MX,0x00\n" + "        NOP5\n" * pad
              + "        LD   X,0x53\n        LBPX MX,0x80\n"
              "        LD   X,0x77\n        LBPX MX,0x00\n"
              "        LD   X,0x77\n        LBPX MX,0x10\n" + "        NOP7\n" * pad
              + "        LD   X,0x24\n        LD   A,MX\n        LD   M0,A\n"
              "        JP   loop\n")
    rom = words_to_rombin(assemble(source).image(6144))
    job = {"rom": rom, "state": None, "ticks": 20000, "presses": []}
    assert run_here(job) == pure_worker(job)
