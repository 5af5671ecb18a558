"""Acceptance: reproduce TamaLIB's reference traces exactly (../shared/golden).

Every ``*.golden.txt`` found is run through ``python -m pygotchi trace`` with
its own script, duration and snapshot times; the snapshot blocks must be
identical line for line. Step traces (``*.trace.txt.gz``) must match step for
step. The ROM of each file is found by the sha256 in its header.
"""

from __future__ import annotations

import gzip
import io
import re
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from pygotchi.cli import main as cli_main
from tests.conftest import GOLDEN, REPO, find_by_sha256

BLOCK = re.compile(r"^snapshot t_ms=.*?^end_snapshot$", re.S | re.M)


def _golden_files() -> list[Path]:
    if not GOLDEN.is_dir():
        return []
    return sorted(GOLDEN.glob("*.golden.txt")) + sorted(GOLDEN.glob("fuzz/*.golden.txt"))


def _header(path: Path) -> dict[str, str]:
    head: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("snapshot"):
            break
        parts = line.split(" ", 1)
        if len(parts) == 2 and not line.startswith("#"):
            head.setdefault(parts[0], parts[1])
    return head


def trace_args(golden: Path) -> list[str]:
    head = _header(golden)
    rom = find_by_sha256(head["rom_sha256"].strip())
    if rom is None:
        pytest.skip(f"no ROM with sha256 {head['rom_sha256'][:12]}... for {golden.name}")
    text = golden.read_text()
    snaps = re.findall(r"^snapshot t_ms=(\S+)", text, re.M)
    args = [
        "trace",
        str(rom),
        "--script",
        str(golden.parent / head["script_file"].strip()),
        "--duration-s",
        head["duration_s"].strip(),
        "--snapshots",
        ",".join(snaps),
    ]
    if "load_tlst" in head:
        args += ["--load-state", str(golden.parent / head["load_tlst"].split()[0])]
    return args


def run_cli(args: list[str]) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli_main(args) == 0
    return out.getvalue()


GOLDEN_FILES = _golden_files()


@pytest.mark.skipif(not GOLDEN_FILES, reason=f"no golden files in {GOLDEN}")
@pytest.mark.parametrize("golden", GOLDEN_FILES, ids=lambda p: p.name)
def test_snapshots_match_golden(golden: Path) -> None:
    ours = BLOCK.findall(run_cli(trace_args(golden)))
    expected = BLOCK.findall(golden.read_text())
    assert len(ours) == len(expected)
    for mine, theirs in zip(ours, expected, strict=True):
        assert mine.splitlines() == theirs.splitlines()


def _trace_files() -> list[Path]:
    if not GOLDEN.is_dir():
        return []
    return (
        sorted(GOLDEN.glob("*.trace.txt.gz"))
        + sorted(GOLDEN.glob("fuzz/*.trace.txt.gz"))
        + sorted(GOLDEN.glob("p1_trace_*.txt.gz"))
    )


@pytest.mark.skipif(not _trace_files(), reason=f"no step traces in {GOLDEN}")
@pytest.mark.parametrize("trace", sorted(set(_trace_files())), ids=lambda p: p.name)
def test_step_trace_matches(trace: Path, tmp_path: Path) -> None:
    expected = [ln for ln in gzip.open(trace, "rt").read().splitlines() if not ln.startswith("#")]
    if trace.name.startswith("p1_trace"):
        golden = GOLDEN / "p1_hatch.golden.txt"
    else:
        golden = trace.with_name(trace.name.replace(".trace.txt.gz", ".golden.txt"))
    args = trace_args(golden)
    # Run just long enough to cover the reference steps (they are the first ones).
    args[args.index("--duration-s") + 1] = "3" if trace.name.startswith("p1_trace") else "1"
    args[args.index("--snapshots") + 1] = ""
    steps = tmp_path / "steps.txt"
    run_cli([*args, "--steptrace", str(steps)])
    ours = [ln for ln in steps.read_text().splitlines() if not ln.startswith("#")]
    assert len(ours) >= len(expected)
    for i, (mine, theirs) in enumerate(zip(ours, expected, strict=False)):
        assert mine == theirs, f"step {i} differs"


@pytest.mark.skipif(not GOLDEN_FILES, reason=f"no golden files in {GOLDEN}")
def test_trace_command_in_a_subprocess() -> None:
    """The real command line, as users and acceptance scripts run it."""
    golden = GOLDEN / "p1_boot_idle.golden.txt"
    if not golden.exists():
        pytest.skip("p1_boot_idle.golden.txt missing")
    args = trace_args(golden)
    args[args.index("--duration-s") + 1] = "6"
    args[args.index("--snapshots") + 1] = "1000,5000"
    proc = subprocess.run(
        [sys.executable, "-m", "pygotchi", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    ours = BLOCK.findall(proc.stdout)
    expected = BLOCK.findall(golden.read_text())[:2]
    assert ours == expected
