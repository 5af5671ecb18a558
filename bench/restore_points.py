"""What automatic restore points cost: per run, per point, per pet on disk.

    python bench/restore_points.py [ROM] [--runs 1000000] [--trials 5]

Automatic points ride on the scheduler's runs (``AutoPoints`` is a run
listener): every run of every pet calls it once, so its cost per call, next to
the cost of the run itself, is what it adds to the server. Printed (thread
CPU time, median of ``--trials``; figures are printed, never asserted):

* the listener's call on a run that crosses no hour mark (almost every run),
  and the idle advance it follows (0.5 s of a P1's life, the scheduler's
  ``idle_interval``, through ``LivePet.advance``), and their ratio;
* taking a point when a mark is crossed (state + LCD frame, in the worker);
* writing a point with the thinning (the writer thread, SQLite in a temporary
  directory), over 10 days of hourly points of one pet;
* bytes per point and per pet at the default schedule (48 hourly + 30 daily +
  20 named + 10 undo points).

The ROM is the P1 from ``PYGOTCHI_TEST_ROMS`` when there, else the demo ROM.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _repo  # noqa: F401  (this checkout first on sys.path, before pygotchi)

REPO = Path(__file__).resolve().parent.parent
P1 = Path(os.environ.get("PYGOTCHI_TEST_ROMS", REPO.parent / "shared" / "roms")) / "p1.bin"
TICKS = 32768
IDLE = 0.5


def median_cpu(fn, trials: int) -> float:
    times = []
    for _ in range(trials):
        began = time.thread_time()
        fn()
        times.append(time.thread_time() - began)
    return statistics.median(times)


def main() -> int:
    from pygotchi.emu import COMPILED, Machine, load_rom
    from pygotchi.server.livepet import LivePet, Output
    from pygotchi.server.restorepoints import HOUR, AutoPoints, RestorePoints, Taken
    from pygotchi.server.romlib import find_demo
    from pygotchi.server.scheduler import Scheduler
    from pygotchi.server.settings import Settings
    from pygotchi.store import Database, RomFiles
    from pygotchi.store import pets as pet_store
    from pygotchi.store import roms as rom_store
    from pygotchi.store import users as user_store
    from pygotchi.store.models import RestorePoint

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rom", nargs="?", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    path = args.rom or (P1 if P1.exists() else None)
    rom = load_rom(path.read_bytes() if path else find_demo()[1])
    core = "compiled" if COMPILED else "pure Python"
    print(f"core: {core}; ROM {path.name if path else 'demo'}")

    machine = Machine(rom)
    machine.run_until(600 * TICKS)
    pet = LivePet(pet_id="p", owner_id=1, machine=machine, paused=False, policy="catch_up",
                  anchor_wall=1_000_000.0)
    taken: list = []
    listener = AutoPoints(HOUR, taken.append)
    listener.start(pet)
    out = Output()

    def calls() -> None:
        for _ in range(args.runs):
            listener.after_run(pet, out)

    per_call = median_cpu(calls, args.trials) / args.runs
    advances = 2000
    clock = [pet.anchor_wall]

    def advance() -> None:
        for _ in range(advances):
            clock[0] += IDLE
            pet.advance(clock[0])

    per_advance = median_cpu(advance, args.trials) / advances
    print(f"listener per run (no hour mark): {per_call * 1e9:.0f} ns; an idle advance "
          f"(0.5 s of life): {per_advance * 1e6:.1f} us; the listener adds "
          f"{per_call / per_advance * 100:.3f} %")

    n = 2000

    def take() -> None:
        for _ in range(n):
            machine.save_state()
            machine.screen().frame  # noqa: B018

    print(f"taking a point (state + LCD, worker thread, once an hour of life): "
          f"{median_cpu(take, args.trials) / n * 1e6:.1f} us")

    data = Path(tempfile.mkdtemp())
    settings = Settings(data_dir=data, worker_threads=1)
    db = Database.for_data_dir(data)
    db.migrate()
    with db.session() as s:
        user = user_store.create_user(s, "bench", "x", "player")
        rom_store.add_rom(s, sha256=rom.sha256, name="rom", model=rom.model.id,
                          chip="E0C6S46", words=6144)
        pet_store.create_pet(s, pet_id="p", owner_id=user.id, rom_sha256=rom.sha256,
                             name="p", catch_up="catch_up", state=machine.save_state(),
                             tick=0, at=0.0)
        s.commit()
    service = RestorePoints(settings, db, Scheduler(settings, db, RomFiles(settings.rom_dir)))
    state, frame = machine.save_state(), machine.screen().frame
    hours = 240
    began = time.thread_time()
    for h in range(1, hours + 1):
        service._write(Taken("p", state, h * HOUR + 5, float(h * 3600), frame))
    per_write = (time.thread_time() - began) / hours
    with db.session() as s:
        kept = s.query(RestorePoint).count()
    print(f"writing a point with its thinning (SQLite): {per_write * 1e3:.2f} ms; after "
          f"{hours} hourly points {kept} are kept (48 hourly + one a day)")
    db.close()
    size = len(state) + len(frame)
    most = 48 + 30 + 20 + 10
    print(f"bytes: {size} per point; default schedule at most {most} points = "
          f"{most * size / 1024:.0f} KiB per pet (bound PYGOTCHI_RESTORE_BYTES_MAX, 512 KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
