"""Host instructions per emulated instruction, counted by valgrind's callgrind.

Wall-clock speed on a shared machine moves by 2x from one run to the next;
callgrind's instruction count does not. This runs the P1 ROM from reset for
``--seconds`` emulated seconds (default 600: 3,481,066 emulated instructions)
under ``valgrind --tool=callgrind``, runs the same process once more stopping
right after start-up (imports, ROM decode, machine construction), and divides
the difference by the number of emulated instructions.

    python bench/host_instructions.py [ROM] [--seconds 600] [--pure-seconds 60]
                                      [--annotate]

The pure-Python build is measured too, over ``--pure-seconds`` (callgrind makes
the interpreter ~50x slower; the figure is a per-instruction ratio, so a shorter
run gives the same ratio up to the ROM's boot/idle mix: say which you quote).
``--annotate`` prints ``callgrind_annotate``'s top functions of the compiled run.
The last line is ``host_instructions_per_instruction=<n>`` for the compiled core.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import _repo  # noqa: F401  (this checkout first on sys.path, before pygotchi)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROM = Path(os.environ.get("PYGOTCHI_TEST_ROMS", REPO.parent / "shared" / "roms")) / "p1.bin"

CHILD = """
import sys
from pygotchi.emu import Machine, core_info, load_rom_file
m = Machine(load_rom_file(sys.argv[1]))
m.run_until(int(sys.argv[2]) * 32768)
print(m.cpu.instructions, core_info())
"""


def callgrind(rom: str, seconds: int, pure: bool, out: Path) -> tuple[int, int, str]:
    """(host instructions, emulated instructions, core) of one run under callgrind."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(REPO)}
    env.pop("PYGOTCHI_PURE_PYTHON", None)
    if pure:
        env["PYGOTCHI_PURE_PYTHON"] = "1"
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
         sys.executable, "-c", CHILD, rom, str(seconds)],
        env=env, capture_output=True, text=True, check=True, cwd=REPO)
    match = re.search(r"Collected : (\d+)", proc.stderr)
    if not match:
        raise SystemExit(f"no callgrind total in:\n{proc.stderr}")
    emulated, core = proc.stdout.strip().split(" ", 1)
    return int(match.group(1)), int(emulated), core


def per_instruction(rom: str, seconds: int, pure: bool, tmp: Path) -> tuple[float, int, str, Path]:
    full = tmp / f"full-{int(pure)}.out"
    host, emulated, core = callgrind(rom, seconds, pure, full)
    base, _, _ = callgrind(rom, 0, pure, tmp / f"start-{int(pure)}.out")
    return (host - base) / emulated, emulated, core, full


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rom", nargs="?", default=str(DEFAULT_ROM))
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--pure-seconds", type=int, default=60,
                        help="emulated seconds for the pure-Python build (0: skip it)")
    parser.add_argument("--annotate", action="store_true")
    args = parser.parse_args()
    if not Path(args.rom).is_file():
        print(f"ROM not found: {args.rom} (pass a path or set PYGOTCHI_TEST_ROMS)", file=sys.stderr)
        return 2
    if not shutil.which("valgrind"):
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="pygotchi-callgrind-") as tmp:
        tmpdir = Path(tmp)
        if args.pure_seconds:
            ratio, emulated, core, _ = per_instruction(args.rom, args.pure_seconds, True, tmpdir)
            print(f"pure    [{core}]: {args.pure_seconds} s from reset, {emulated:,} emulated "
                  f"instructions, {ratio:,.1f} host instructions each")
        ratio, emulated, core, full = per_instruction(args.rom, args.seconds, False, tmpdir)
        print(f"default [{core}]: {args.seconds} s from reset, {emulated:,} emulated "
              f"instructions, {ratio:,.2f} host instructions each")
        if args.annotate:
            ann = subprocess.run(["callgrind_annotate", "--inclusive=no", str(full)],
                                 capture_output=True, text=True, check=True).stdout
            print("\n".join(ann.splitlines()[:40]))
    print(f"host_instructions_per_instruction={ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
