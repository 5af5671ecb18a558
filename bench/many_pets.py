"""How many pets one core keeps in real time, the way the server's scheduler runs them.

N machines share one ROM (the program array is shared, read-only) and start
from the same state, taken after the P1 has booted. A scheduler tick advances
every machine by one slice of emulated time (``--slice-ms``, default 50 ms);
with T threads each thread owns 1/T of the machines (the compiled core runs
with the GIL released). Wall time for ``--seconds`` of emulated time gives:

* speed: emulated seconds per wall second for all N at once (>= 1: real time);
* capacity: pets kept in real time = N x speed; per core = capacity / T.

It also prints the memory each machine costs beyond the shared ROM, measured
with tracemalloc over N machines (Python-level allocations; the compiled core
allocates nothing else). Last line: ``pets_per_core=<number>`` for N=10,000 and
the best thread count.

    python bench/many_pets.py [ROM] [--counts 100,1000,10000] [--threads 1,2] [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import _repo  # noqa: F401  (this checkout first on sys.path, before pygotchi)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROM = Path(os.environ.get("PYGOTCHI_TEST_ROMS", REPO.parent / "shared" / "roms")) / "p1.bin"
TICKS = 32768


def make_pets(rom, state: bytes, n: int) -> list:
    from pygotchi.emu import Machine

    pets = []
    for _ in range(n):
        m = Machine(rom)
        m.load_state(state)
        pets.append(m)
    return pets


def memory_per_machine(rom, state: bytes, n: int = 2000) -> float:
    make_pets(rom, state, 10)  # warm caches (glass, program) first
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    pets = make_pets(rom, state, n)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del pets
    return (after - before) / n


def run(pets: list, threads: int, seconds: float, slice_ms: float) -> float:
    """Advance every pet by ``seconds`` in slices; return wall time."""
    slice_ticks = int(slice_ms * TICKS / 1000)
    steps = max(1, int(seconds * 1000 / slice_ms))
    start_tick = pets[0].tick
    groups = [pets[i::threads] for i in range(threads)]

    from pygotchi.emu import run_many

    def worker(group: list, barrier: threading.Barrier) -> None:
        for k in range(1, steps + 1):
            target = start_tick + k * slice_ticks
            run_many(group, [target] * len(group))
            barrier.wait()  # one scheduler tick: every pet has reached "now"

    barrier = threading.Barrier(threads)
    workers = [threading.Thread(target=worker, args=(g, barrier)) for g in groups]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rom", nargs="?", default=str(DEFAULT_ROM))
    parser.add_argument("--counts", default="100,1000,10000")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--seconds", type=float, default=5.0, help="emulated seconds per run")
    parser.add_argument("--slice-ms", type=float, default=50.0)
    args = parser.parse_args()
    if not Path(args.rom).is_file():
        print(f"ROM not found: {args.rom} (pass a path or set PYGOTCHI_TEST_ROMS)", file=sys.stderr)
        return 2
    from pygotchi.emu import Machine, core_info, load_rom_file

    rom = load_rom_file(args.rom)
    boot = Machine(rom)
    boot.run_until(120 * TICKS)  # past the boot animation, into the steady state
    state = boot.save_state()
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}")
    print(f"core: {core_info()}")
    print(f"slices of {args.slice_ms:g} ms emulated, {args.seconds:g} emulated s per run")
    per_machine = memory_per_machine(rom, state)
    print(f"memory per machine beyond the shared ROM: {per_machine / 1024:.1f} KB")
    best = 0.0
    for n in (int(x) for x in args.counts.split(",")):
        pets = make_pets(rom, state, n)
        for threads in (int(x) for x in args.threads.split(",")):
            for m in pets:
                m.load_state(state)
            wall = run(pets, threads, args.seconds, args.slice_ms)
            speed = args.seconds / wall
            capacity = n * speed
            per_core = capacity / threads
            verdict = "real time" if speed >= 1 else "BEHIND"
            print(f"N={n:>6} threads={threads}: {speed:8.2f}x real time ({verdict}), "
                  f"capacity {capacity:>10,.0f} pets, {per_core:>10,.0f} pets per core")
            if n == 10000:
                best = max(best, per_core)
        del pets
    print(f"pets_per_core={best:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
