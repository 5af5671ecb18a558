"""The code paths only the compiled build takes, run in pure Python against the goldens.

``cpu.run_until`` calls the generated ``ops.run_awake_native`` and ``Cpu.step``
calls ``ops.dispatch`` when compiled. Under pure Python the same functions can
be executed by making ``cpu`` believe it is compiled; they must then reproduce
the golden snapshots exactly, which checks the generated loop even where no C
compiler is available.
"""

from __future__ import annotations

import contextlib
import io
import re
from types import SimpleNamespace

import pytest

from pygotchi.emu import COMPILED, Machine, load_rom_file
from pygotchi.emu.trace import parse_ms, parse_script, run_trace
from tests.conftest import GOLDEN, find_by_sha256

pytestmark = pytest.mark.skipif(COMPILED, reason="runs the compiled paths in pure Python; "
                                "set PYGOTCHI_PURE_PYTHON=1 (CI does)")

BLOCK = re.compile(r"^snapshot t_ms=.*?^end_snapshot$", re.S | re.M)


@pytest.fixture
def compiled_paths(monkeypatch):
    from pygotchi.emu import cpu

    monkeypatch.setattr(cpu, "cython", SimpleNamespace(compiled=True,
                                                      nogil=contextlib.nullcontext()))


@pytest.mark.parametrize("name", ["p1_hatch.golden.txt", "fuzz/fuzz_03.golden.txt"])
@pytest.mark.parametrize("stepping", [False, True], ids=["run", "step"])
def test_generated_loop_matches_golden(compiled_paths, name: str, stepping: bool) -> None:
    golden = GOLDEN / name
    if not golden.exists():
        pytest.skip(f"{golden} missing")
    text = golden.read_text()
    rom = find_by_sha256(re.search(r"^rom_sha256 (\S+)", text, re.M).group(1))
    if rom is None:
        pytest.skip("ROM missing")
    script = golden.parent / re.search(r"^script_file (\S+)", text, re.M).group(1)
    snaps = [parse_ms(t) for t in re.findall(r"^snapshot t_ms=(\S+)", text, re.M)]
    duration = parse_ms(re.search(r"^duration_s (\S+)", text, re.M).group(1))
    if stepping:  # every step through Cpu.step: keep it short
        snaps = [s for s in snaps if s <= 2000]
        duration = min(duration, parse_ms("2"))
    out = io.StringIO()
    machine = Machine(load_rom_file(rom))
    run_trace(machine, parse_script(script.read_text()), snaps, duration, out,
              steptrace=io.StringIO() if stepping else None)
    expected = BLOCK.findall(text)[: len(snaps)]
    assert BLOCK.findall(out.getvalue()) == expected


@pytest.mark.parametrize("seed", range(12))
def test_generated_loop_runs_fused_runs_as_single_steps(compiled_paths, seed: int) -> None:
    """The fused cases of the generated loop, on programs made of them (see test_properties)."""
    from tests.emu.helpers import build_words, run_state
    from tests.emu.test_properties import fused_program

    words = fused_program(seed, seed % 2 == 0)
    fast, slow = build_words(words), build_words(words)
    for target in (7_000, 20_000):
        fast.run_until(target)
        while slow.tick < target:
            slow.step()
        fast.step()
        slow.step()
        assert run_state(fast) == run_state(slow)
