"""What hearing every pet's calls costs the scheduler: the call detector at 1,000 P1 pets.

    python bench/call_detection.py [ROM] [--pets 1000] [--minutes 5] [--trials 3]

N P1 pets (default 1,000), each from its own moment of one P1's life after
hatching (so that they eat, sleep, beep and call at different times), are
advanced the way the server's scheduler advances pets nobody watches: every
``idle_interval`` (0.5 s) of wall time, in batches of 64, through
``Scheduler._advance_batch`` (one ``run_many`` per batch, then each pet's
output collected). A fake clock stands in for the wall clock, so ``--minutes``
of pet life take only the CPU they need.

Each trial runs the same stretch of life three ways, from the same states:

* ``run_many`` alone: the emulation, nothing else (the least a scheduler can cost);
* the scheduler's advance without the detector;
* the same with the detector (each pet's ``CallDetector``), its events going to
  a real ``EventLog`` (SQLite in a temporary directory) whose writer thread's
  CPU is read (``pthread_getcpuclockid``).

One detector's cost is within the run-to-run noise of the whole, so the last
run gives each pet ``--copies`` detectors (default 10; the extra ones do the
same work and drop their events): one detector = (with - without) / copies.
Detection = one detector + the writer thread, printed as a share of the
scheduler's CPU (without detector, plus detection) and of ``run_many`` alone.
CPU is thread CPU time (``time.thread_time``); the median over trials is kept.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import _repo  # noqa: F401  (this checkout first on sys.path, before pygotchi)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROM = Path(os.environ.get("PYGOTCHI_TEST_ROMS", REPO.parent / "shared" / "roms")) / "p1.bin"
TICKS = 32768
HATCH = [(2000, "B", True), (2200, "B", False), (4000, "A", True), (4200, "A", False),
         (5000, "B", True), (5200, "B", False), (6000, "C", True), (6200, "C", False)]
IDLE = 0.5  # the server's default idle_interval_ms, in seconds
BATCH = 64  # scheduler.IDLE_BATCH


def life_states(rom, n: int) -> list[bytes]:
    """``n`` states of one P1, 10 s apart from just before it hatches."""
    from pygotchi.emu import Machine

    m = Machine(rom)
    for ms, button, down in HATCH:
        m.set_button(button, down, at_tick=ms * TICKS // 1000)
    m.run_until(300 * TICKS)
    states = []
    for _ in range(n):
        m.run_until(m.tick + 10 * TICKS)
        states.append(m.save_state())
    return states


class FakeClock:
    def __init__(self, t: float) -> None:
        self.t = t

    def now(self) -> float:
        return self.t


def build(rom, states, detect: bool, data_dir: Path | None):
    """A scheduler with the pets loaded (and their detector and event log if ``detect``)."""
    from pygotchi.emu import Machine
    from pygotchi.server.eventlog import EventLog
    from pygotchi.server.livepet import LivePet
    from pygotchi.server.scheduler import Scheduler
    from pygotchi.server.settings import Settings
    from pygotchi.store import Database, RomFiles
    from pygotchi.store import pets as pet_store
    from pygotchi.store import roms as rom_store
    from pygotchi.store import users as user_store

    clock = FakeClock(1_000_000.0)
    data = data_dir or Path(tempfile.mkdtemp())
    settings = Settings(data_dir=data, worker_threads=1)
    db = Database.for_data_dir(data)
    db.migrate()
    scheduler = Scheduler(settings, db, RomFiles(settings.rom_dir), clock)
    log = None
    if detect:
        log = EventLog(db, clock.now, lambda: None)
        scheduler.on_add.append(log.attach)
        with db.session() as s:
            user = user_store.create_user(s, "bench", "x", "player")
            rom_store.add_rom(s, sha256=rom.sha256, name="p1", model="p1", chip="E0C6S46",
                              words=6144)
            for i, state in enumerate(states):
                pet_store.create_pet(s, pet_id=f"p{i}", owner_id=user.id,
                                     rom_sha256=rom.sha256, name=f"p{i}", catch_up="catch_up",
                                     state=state, tick=0, at=clock.t)
            s.commit()
        log.start()
    for i, state in enumerate(states):
        m = Machine(rom)
        m.load_state(state)
        pet = LivePet(pet_id=f"p{i}", owner_id=1, machine=m, paused=False, policy="catch_up",
                      anchor_wall=clock.t)
        scheduler.add(pet)
    return scheduler, clock, log


def amplify(scheduler, copies: int) -> None:
    """Give each pet ``copies`` more detectors (their events go nowhere): the same work
    ``copies`` times over, so that its cost stands out of the run-to-run noise."""
    from pygotchi.server.eventlog import attention_index
    from pygotchi.server.petevents import CallDetector

    for pet in scheduler.pets.values():
        for _ in range(copies):
            extra = CallDetector(lambda pet_id, owner_id, events: None,
                                 attention_index(pet.machine.model))
            extra.start(pet)
            pet.listeners.append(extra)


def run_scheduler(scheduler, clock, rounds: int) -> float:
    pets = list(scheduler.pets.values())
    began = time.thread_time()
    for _ in range(rounds):
        clock.t += IDLE
        for start in range(0, len(pets), BATCH):
            scheduler._advance_batch(pets[start : start + BATCH])
    return time.thread_time() - began


def run_plain(rom, states, rounds: int) -> float:
    from pygotchi.emu import Machine, run_many

    machines = []
    for state in states:
        m = Machine(rom)
        m.load_state(state)
        machines.append(m)
    began = time.thread_time()
    for _ in range(rounds):
        for start in range(0, len(machines), BATCH):
            batch = machines[start : start + BATCH]
            run_many(batch, [m.tick + int(IDLE * TICKS) for m in batch])
    return time.thread_time() - began


def thread_cpu(thread: threading.Thread) -> float:
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rom", nargs="?", default=str(DEFAULT_ROM))
    parser.add_argument("--pets", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=5.0, help="of pet life per trial")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--copies", type=int, default=10,
                        help="detectors per pet in the measuring run (see above)")
    args = parser.parse_args()
    if not Path(args.rom).is_file():
        print(f"no ROM at {args.rom}: pass the P1's rom.bin", file=sys.stderr)
        return 2
    from pygotchi.emu import core_info, load_rom_file

    rom = load_rom_file(args.rom)
    rounds = int(args.minutes * 60 / IDLE)
    print(f"core: {core_info()}")
    print(f"{args.pets} P1 pets, {args.minutes:g} min of life each, advanced every {IDLE} s "
          f"in batches of {BATCH} ({rounds} rounds)")
    states = life_states(rom, args.pets)
    seen: dict[str, list[float]] = {"plain": [], "without": [], "each": [], "writer": []}
    events = 0
    for trial in range(args.trials):
        plain = run_plain(rom, states, rounds)
        sched, clock, _ = build(rom, states, False, None)
        without = run_scheduler(sched, clock, rounds)
        with tempfile.TemporaryDirectory() as tmp:
            sched, clock, log = build(rom, states, True, Path(tmp))
            amplify(sched, args.copies - 1)
            writer_before = thread_cpu(log._thread)
            with_ = run_scheduler(sched, clock, rounds)
            writer = thread_cpu(log._thread) - writer_before
            log.stop()
            events = log.written
        each = max(0.0, with_ - without) / args.copies
        print(f"trial {trial + 1}: run_many alone {plain:.3f} s; scheduler without detector "
              f"{without:.3f} s, with {args.copies} detectors per pet {with_:.3f} s "
              f"(one detector: {each:.3f} s, {each / (rounds * args.pets) * 1e6:.2f} us per "
              f"run); event writer {writer:.3f} s ({events} events written)")
        for key, value in (("plain", plain), ("without", without), ("each", each),
                           ("writer", writer)):
            seen[key].append(value)
    best = {key: statistics.median(values) for key, values in seen.items()}
    detect = best["each"] + best["writer"]
    scheduler_cpu = best["without"] + detect  # the writer thread is scheduler work too
    per_round_ms = detect / rounds * 1000
    print(f"scheduler CPU per second of life: {scheduler_cpu / (rounds * IDLE) * 100:.1f}% "
          f"of a core; run_many alone: {best['plain'] / (rounds * IDLE) * 100:.1f}%")
    print(f"detection: {detect:.3f} s CPU for {rounds} rounds ({per_round_ms:.2f} ms per round "
          f"of {args.pets} pets)")
    print(f"detection_share_of_scheduler={detect / scheduler_cpu * 100:.2f}%")
    print(f"detection_share_of_run_many={detect / best['plain'] * 100:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
