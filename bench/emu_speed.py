"""Emulator speed: the P1 ROM for one emulated hour from reset, as fast as the host goes.

Prints emulated seconds per wall second and instructions per second for every
core available (the compiled one when built, and pure Python), then, last,
``speed_factor=<number>`` for the core that is active by default.

    python bench/emu_speed.py [ROM] [--seconds 3600] [--pure-only]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import _repo  # noqa: F401  (this checkout first on sys.path, before pygotchi)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROM = Path(os.environ.get("PYGOTCHI_TEST_ROMS", REPO.parent / "shared" / "roms")) / "p1.bin"


def measure(rom_path: str, seconds: int) -> tuple[float, float, str]:
    """Run in this process: (speed factor, instructions per second, core description)."""
    from pygotchi.emu import Machine, core_info, load_rom_file

    machine = Machine(load_rom_file(rom_path))
    start = time.perf_counter()
    machine.run_until(seconds * 32768)
    wall = time.perf_counter() - start
    return seconds / wall, machine.cpu.instructions / wall, core_info()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rom", nargs="?", default=str(DEFAULT_ROM))
    parser.add_argument("--seconds", type=int, default=3600, help="emulated seconds (default 3600)")
    parser.add_argument("--child", choices=("default", "pure"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not Path(args.rom).is_file():
        print(f"ROM not found: {args.rom} (pass a path or set PYGOTCHI_TEST_ROMS)", file=sys.stderr)
        return 2
    if args.child:
        speed, ips, core = measure(args.rom, args.seconds)
        print(f"{speed:.1f} {ips:.0f} {core}")
        return 0
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}")
    print(f"ROM: {args.rom}, {args.seconds} emulated seconds from reset")
    results = {}
    # Each core in its own process, so one cannot warm or slow the other.
    for mode in ("default", "pure"):
        env = dict(os.environ)
        if mode == "pure":
            env["PYGOTCHI_PURE_PYTHON"] = "1"
        out = subprocess.run([sys.executable, __file__, args.rom, "--seconds", str(args.seconds),
                              "--child", mode], env=env, capture_output=True, text=True, check=True)
        speed, ips, core = out.stdout.split(" ", 2)
        results[mode] = float(speed)
        print(f"{mode:>7} core [{core.strip()}]: {float(speed):,.0f}x real time, "
              f"{float(ips) / 1e6:.2f} M instructions/s, one emulated day in "
              f"{86400 / float(speed):.1f} s")
    print(f"speed_factor={results['default']:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
