"""How long 1,000 P1 pets take to come back after 24 hours of downtime.

    python bench/catch_up.py [ROM] [--pets 8] [--hours 1] [--threads 1,2]

After downtime the server fast-forwards every pet in chunks of
``catch_up_chunk`` emulated seconds (30 s by default) on its catch-up threads.
This runs that work for real, shorter: ``--pets`` machines, each from a P1 state
taken after boot, brought ``--hours`` of emulated time forward in 30 s chunks,
with 1 and 2 threads (the compiled core runs them in parallel), and measures
the wall time. The last line extrapolates linearly to 1,000 pets and 24 hours:
``catch_up_1000_pets_24h_s=<seconds>`` for the best thread count. (A pet that
nobody set the clock of stays an egg; its work per emulated hour is steady, so
the extrapolation is linear.)
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import _repo  # noqa: F401  (this checkout first on sys.path, before pygotchi)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROM = Path(os.environ.get("PYGOTCHI_TEST_ROMS", REPO.parent / "shared" / "roms")) / "p1.bin"
TICKS = 32768
CHUNK_S = 30


def run(machines: list, threads: int, seconds: float) -> float:
    """Wall time to bring every machine ``seconds`` forward, ``threads`` at a time."""
    start = [m.tick for m in machines]
    queue = list(range(len(machines)))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                i = queue.pop()
            m = machines[i]
            end = start[i] + int(seconds * TICKS)
            while m.tick < end:  # the scheduler's catch-up chunks
                m.run_until(min(end, m.tick + CHUNK_S * TICKS))

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rom", nargs="?", default=str(DEFAULT_ROM))
    parser.add_argument("--pets", type=int, default=8)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--threads", default="1,2")
    args = parser.parse_args()
    if not Path(args.rom).is_file():
        print(f"ROM not found: {args.rom} (pass a path or set PYGOTCHI_TEST_ROMS)", file=sys.stderr)
        return 2
    from pygotchi.emu import Machine, core_info, load_rom_file

    rom = load_rom_file(args.rom)
    boot = Machine(rom)
    boot.run_until(120 * TICKS)
    state = boot.save_state()
    seconds = args.hours * 3600
    print(f"core: {core_info()}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    best = None
    for threads in (int(x) for x in args.threads.split(",")):
        machines = []
        for _ in range(args.pets):
            m = Machine(rom)
            m.load_state(state)
            machines.append(m)
        wall = run(machines, threads, seconds)
        scaled = wall * (1000 / args.pets) * (86400 / seconds)
        print(f"threads={threads}: {args.pets} pets x {args.hours:g} h in {wall:.2f} s; "
              f"1,000 pets x 24 h: {scaled:,.0f} s ({scaled / 60:.1f} min)")
        best = scaled if best is None else min(best, scaled)
    print(f"catch_up_1000_pets_24h_s={best:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
