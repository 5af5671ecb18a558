"""What the server costs beyond emulation: N unwatched P1 pets, then the same N machines alone.

    python bench/server_overhead.py [--pets 1000,3000] [--seconds 20] [--rom p1.bin]

For each N, in one run:

1. a real server (``python -m pygotchi``, temporary data directory, default
   settings) keeps N running P1 pets nobody watches; after a warm-up its CPU
   time (user + system, from /proc) is read over ``--seconds`` of wall time;
2. a separate process runs N machines of the same ROM, each at the emulated age of
   one of the server's pets (young P1 pets change what they do from one minute to
   the next: the same mix of ages, not N copies of one), through ``run_many``
   alone, paced to the wall clock in 50 ms slices (the way a bare scheduler
   would) for the same wall time; its CPU time is read the same way.

It prints both CPU figures (percent of one core) and their ratio, the server's
overhead over emulation alone. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _repo  # noqa: F401  (this checkout first on sys.path, before pygotchi)
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server_load import Server, prepare  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROM = Path(os.environ.get("PYGOTCHI_TEST_ROMS", REPO.parent / "shared" / "roms")) / "p1.bin"
TICKS = 32768


def reference(rom: str, ages: list[float], seconds: float, slice_ms: float) -> float:
    """In this process: CPU seconds ``run_many`` alone needs to keep machines of these
    emulated ages (seconds) current."""
    from pygotchi.emu import Machine, load_rom_file, run_many

    rom_ = load_rom_file(rom)
    boot = Machine(rom_)
    machines = []
    for age in sorted(ages):  # one boot, a copy taken at each age
        boot.run_until(int(age * TICKS))
        m = Machine(rom_)
        m.load_state(boot.save_state())
        machines.append(m)
    starts = [m.tick for m in machines]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = usage.ru_utime + usage.ru_stime
    began = time.monotonic()
    slice_s = slice_ms / 1000
    k = 0
    while True:
        k += 1
        wake = began + k * slice_s
        delay = wake - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        elapsed = time.monotonic() - began
        if elapsed >= seconds:
            break
        run_many(machines, [tick + int(elapsed * TICKS) for tick in starts])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime - cpu0


def server_cpu(rom: str, pets: int, seconds: float, warmup: float
               ) -> tuple[float, list[float], float]:
    """(CPU fraction of one core, emulated ages of the pets, worst lag) of a server."""
    with tempfile.TemporaryDirectory(prefix="pygotchi-overhead-") as tmp:
        server = Server(Path(tmp), {})
        try:
            token, _ = prepare(server, pets, rom)
            c = httpx.Client(base_url=server.url, timeout=120,
                             headers={"Authorization": f"Bearer {token}"})
            deadline = time.monotonic() + 600
            while c.get("/healthz").json()["pets_catching_up"] and time.monotonic() < deadline:
                time.sleep(1)
            time.sleep(warmup)
            cpu0, wall0 = server.cpu_seconds(), time.monotonic()
            time.sleep(seconds)
            cpu1, wall1 = server.cpu_seconds(), time.monotonic()
            lag = c.get("/healthz").json()["max_lag_s"]
            ages = [p["emulated_seconds"] for p in c.get("/api/pets").json()]
            c.close()
            return (cpu1 - cpu0) / (wall1 - wall0), ages, lag
        finally:
            server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pets", default="1000,3000")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--slice-ms", type=float, default=50)
    parser.add_argument("--rom", default=str(DEFAULT_ROM))
    parser.add_argument("--reference", nargs=2, metavar=("AGES_JSON", "SECONDS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference:
        ages = json.loads(Path(args.reference[0]).read_text())
        print(reference(args.rom, ages, float(args.reference[1]), args.slice_ms))
        return 0
    if not Path(args.rom).is_file():
        print(f"ROM not found: {args.rom} (pass --rom or set PYGOTCHI_TEST_ROMS)", file=sys.stderr)
        return 2
    from pygotchi.emu import core_info

    print(f"pygotchi server overhead; emulator core: {core_info()}; {os.cpu_count()} CPUs; "
          f"load average before: {os.getloadavg()[0]:.1f}")
    for n in (int(x) for x in args.pets.split(",")):
        share, ages, lag = server_cpu(args.rom, n, args.seconds, args.warmup)
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump(ages, f)
            f.flush()
            out = subprocess.run(
                [sys.executable, __file__, "--rom", args.rom, "--slice-ms", str(args.slice_ms),
                 "--reference", f.name, str(args.seconds)],
                env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                check=True)
        alone = float(out.stdout.strip()) / args.seconds
        print(f"N={n}: pets {min(ages):.0f}-{max(ages):.0f} emulated s old "
              f"(median {statistics.median(ages):.0f}); "
              f"server {100 * share:.1f}% of one core (worst lag {lag:.2f} s); "
              f"run_many alone in {args.slice_ms:g} ms slices {100 * alone:.1f}%; "
              f"ratio {share / alone:.2f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
