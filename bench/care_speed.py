"""Autopilot cost: emulated days per wall second with and without the carer at the buttons.

From the same living pet (raised by the carer from reset for --warmup days),
runs --days emulated days three ways, interleaved over --rounds rounds, and
prints the median of each:

* ``core``: the machine alone, one run_until for the whole stretch;
* ``core-30s``: the machine alone, in 30 s steps with a look at the screen
  after each (what the carer costs at the least: its glances);
* ``carer``: the carer caring (glances, status pages, meals, games ...).

Then ``slowdown=<carer time / core time>``; the goal is at most 2.

    python bench/care_speed.py [ROM] [--days 1] [--warmup 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import _repo  # noqa: F401  (this checkout first on sys.path, before pygotchi)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROM = Path(os.environ.get("PYGOTCHI_TEST_ROMS", REPO.parent / "shared" / "roms")) / "p1.bin"
DAY = 86_400


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rom", nargs="?", default=str(DEFAULT_ROM))
    parser.add_argument("--days", type=float, default=1.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not Path(args.rom).is_file():
        print(f"no ROM at {args.rom} (give its path)", file=sys.stderr)
        return 2

    from pygotchi.care import Carer, drive
    from pygotchi.care.look import look
    from pygotchi.emu import TICKS_PER_SECOND, Machine, core_info, load_rom_file

    rom = load_rom_file(args.rom)
    seed = Machine(rom)
    drive(seed, Carer(), int(args.warmup * DAY * TICKS_PER_SECOND))
    state = seed.save_state()
    span = int(args.days * DAY * TICKS_PER_SECOND)

    def fresh() -> Machine:
        m = Machine(rom)
        m.load_state(state)
        return m

    def core(m: Machine) -> None:
        m.run_until(m.tick + span)

    def core_30s(m: Machine) -> None:
        end = m.tick + span
        while m.tick < end:
            m.run_until(min(end, m.tick + 30 * TICKS_PER_SECOND))
            look(m.screen().frame)

    def carer(m: Machine) -> None:
        c = Carer()
        drive(m, c, m.tick + span)
        carer.actions = len(c.actions)

    ways = {"core": core, "core-30s": core_30s, "carer": carer}
    times: dict[str, list[float]] = {name: [] for name in ways}
    cpu: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.rounds):
        for name, run in ways.items():
            m = fresh()
            t0, c0 = time.perf_counter(), time.process_time()
            run(m)
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    print(f"core: {core_info()}")
    print(f"{args.days:g} emulated day(s) from a pet raised {args.warmup:g} day(s), "
          f"median of {args.rounds} rounds")
    # CPU seconds too: on a shared machine the wall clock also measures the neighbours.
    for name, runs in times.items():
        wall, used = statistics.median(runs), statistics.median(cpu[name])
        print(f"{name:9s} {wall:7.2f} s wall  {args.days / wall:6.3f} days/s   "
              f"{used:7.2f} s CPU  {args.days / used:6.3f} days/CPU-s")
    print(f"carer actions per day: {carer.actions / args.days:.0f}")
    cpu_ratio = statistics.median(cpu["carer"]) / statistics.median(cpu["core"])
    wall_ratio = statistics.median(times["carer"]) / statistics.median(times["core"])
    print(f"slowdown={cpu_ratio:.2f} (CPU time; wall {wall_ratio:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
