"""The scheduler: every running pet kept in step with the wall clock, off the event loop.

How it works
------------
* A loop on the event loop wakes every ``tick_interval_ms`` while some pet is
  watched, hot or catching up, else only for the next sweep or when woken (a
  viewer, a button, a new or changed pet). It never runs a machine itself: it
  decides which pets are due and hands them, in batches, to worker threads,
  then goes back to sleep. A pet with a job in flight is skipped, so a slow
  round can never pile up work.
* Pets somebody watches (or just pressed a button on) are advanced every
  round, on threads of their own; pets nobody watches in a sweep over all pets
  every ``idle_interval_ms``, in large batches. Either way a pet is brought
  exactly to the tick the wall clock calls for.
* A pet more than ``catch_up_threshold`` seconds behind (after downtime, or if
  the host cannot keep up) is *catching up*: it is fast-forwarded in chunks of
  ``catch_up_chunk`` emulated seconds on a separate pool, smallest backlog
  first, so one long catch-up never stalls the live pets or the API. Progress
  goes to the log and to its viewers about once a second.
* Every ``checkpoint_interval`` seconds each pet whose state moved is saved in
  one database transaction, with the wall-clock instant its state belongs to;
  and once more at a clean shutdown. A change people make (pause, resume,
  reset, a loaded state) goes through ``change``: applied, saved at once (undone
  if it cannot be saved), then shown to viewers. Its new state version keeps a
  checkpoint taken before it from overwriting it (``store/pets.py``). After a
  crash or downtime, ``load_all`` compares that instant with now: ``catch_up``
  pets fast-forward the missed time, ``pause_while_down`` pets continue from
  where they were.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor

from pygotchi.emu import TICKS_PER_SECOND, EmuError, Machine, Rom, load_rom

try:  # many machines per GIL release with the compiled core
    from pygotchi.emu import run_many
except ImportError:  # an emulator without it: one machine at a time
    def run_many(machines, ticks) -> None:
        for machine, tick in zip(machines, ticks, strict=True):
            machine.run_until(tick)
from pygotchi.server.livepet import Before, CatchUp, LivePet, Output
from pygotchi.server.logs import event
from pygotchi.server.settings import Settings
from pygotchi.store import Database, RomStore
from pygotchi.store import pets as pet_store
from pygotchi.store.models import PAUSE_WHILE_DOWN, Pet
from pygotchi.store.pets import Checkpoint

LIVE_BATCH = 8  # pets per job when someone watches: small jobs, quick frames...
LIVE_BATCH_MAX = 64  # ...unless there are many
IDLE_BATCH = 256  # idle pets: fewer, larger jobs (one GIL release each)
SWEEP_SLICE = 512  # idle pets looked at in one round at most (two jobs)
PROGRESS_LOG_EVERY = 5.0
PROGRESS_STATUS_EVERY = 1.0
CATCH_UP_SLICE = 0.05  # seconds of work per catch-up job before others get a turn
STARVING = 30.0  # a pet behind and not advanced for this long is served first
HOT_SECONDS = 2.0  # after a button, a pet is advanced every round for this long
NUDGE_DELAY = 0.004  # seconds after a button before looking at the pet's reaction
CHECKPOINT_SLICE = 256  # pets per checkpoint transaction; the GIL is let go in between


class Clock:
    """Wall-clock seconds that never go backwards.

    Pets follow the wall clock (including time the host spent suspended, which
    a monotonic clock would miss); if the system clock is set back, pets wait
    for it rather than being told to run backwards or forwards twice.
    """

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self.source = source
        self._offset = 0.0
        self._last = source()
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            t = self.source() + self._offset
            if t < self._last - 1.0:
                jump = self._last - t
                self._offset += jump
                event("clock_jump_back", logging.WARNING, seconds=round(jump, 3))
                t = self._last
            elif t < self._last:
                t = self._last
            self._last = t
            return t


def call_on(loop: asyncio.AbstractEventLoop | None, fn: Callable, *args) -> None:
    """Run ``fn(*args)`` on ``loop`` from any thread: now when called on that loop,
    else queued thread-safely; dropped once the loop is gone (shutting down)."""
    if loop is None or loop.is_closed():
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        fn(*args)
    else:
        loop.call_soon_threadsafe(fn, *args)


class Scheduler:
    def __init__(self, settings: Settings, db: Database, rom_files: RomStore,
                 clock: Clock | None = None) -> None:
        self.settings = settings
        self.db = db
        self.rom_files = rom_files
        self.clock = clock or Clock()
        self.pets: dict[str, LivePet] = {}
        # Pets that could not be loaded (a damaged row, state or ROM file): id -> why.
        self.unavailable: dict[str, str] = {}
        self._registry = threading.Lock()
        self._roms: dict[str, Rom] = {}
        self.emu_pool = ThreadPoolExecutor(settings.worker_threads, "pygotchi-emu")
        # Watched and just-pressed pets have threads of their own: their small jobs
        # never queue behind a sweep of thousands of idle pets.
        self.live_pool = ThreadPoolExecutor(settings.worker_threads, "pygotchi-live")
        self.catch_up_pool = ThreadPoolExecutor(settings.catch_up_threads, "pygotchi-catchup")
        self.control_pool = ThreadPoolExecutor(4, "pygotchi-control")
        self.checkpoint_pool = ThreadPoolExecutor(1, "pygotchi-checkpoint")
        self.loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task] = []
        self._in_flight = 0
        self._catching_in_flight = 0
        self._behind_waiting = 0
        self._nudged: set[LivePet] = set()
        self._nudge_timer: asyncio.TimerHandle | None = None
        self._stopping = False
        self.rounds = 0
        # Per-round work in proportion to the pets that are due (loop only): a round
        # looks at the pets that need every round; a sweep, once per idle interval,
        # at every pet. With none of the first the loop sleeps until the next sweep.
        self._active: set[LivePet] = set()
        self._next_sweep = 0.0
        self._sweep: list[LivePet] = []  # this idle interval's pets, in slices...
        self._sweep_at = 0  # ...of which the next starts here
        self._sweep_step = 0  # pets per slice
        self._sweep_pause = 0.0  # seconds between slices
        self._waiter: asyncio.Future | None = None  # the loop's sleep, to cut short
        self.checkpoint_problem: str | None = None  # why the last checkpoint failed
        self.checkpoint_failing_since: float | None = None
        self.on_add: list[Callable[[LivePet], None]] = []  # run listeners join here

    # --- registry (any thread) ---------------------------------------------------

    def rom(self, sha256: str) -> Rom:
        rom = self._roms.get(sha256)
        if rom is None:
            rom = load_rom(self.rom_files.read(sha256))
            self._roms[sha256] = rom
        return rom

    def add(self, pet: LivePet) -> None:
        for hook in self.on_add:
            hook(pet)
        with self._registry:
            self.pets[pet.id] = pet
        self.call_soon(self._look_soon, pet)  # advanced in the next round

    def _look_soon(self, pet: LivePet) -> None:
        """Look at ``pet`` in the next round, and have that round now (loop)."""
        self._active.add(pet)
        _settle(self._waiter, True)

    def created(self, row: Pet, machine: Machine, now: float) -> None:
        """A pet just created (and committed) by this process: run it from now on."""
        self.add(self.new_live_pet(row, machine, now))

    def watch(self, pet: LivePet) -> None:
        """A viewer arrived (loop): advance ``pet`` every round from now on."""
        self._look_soon(pet)

    def get(self, pet_id: str, owner_id: int) -> LivePet | None:
        pet = self.pets.get(pet_id)
        if pet is None or pet.owner_id != owner_id or pet.removed:
            return None
        return pet

    def why_unavailable(self, pet_id: str) -> str | None:
        """Why a pet cannot run (not loaded at start-up, or its machine failed), or None."""
        pet = self.pets.get(pet_id)
        if pet is not None and pet.error is not None:
            return f"its emulation stopped with an error ({pet.error})"
        return self.unavailable.get(pet_id)

    def unavailable_count(self) -> int:
        return len(self.unavailable) + sum(1 for p in list(self.pets.values())
                                           if p.error is not None)

    def remove(self, pet_id: str) -> None:
        self.unavailable.pop(pet_id, None)
        with self._registry:
            pet = self.pets.pop(pet_id, None)
        if pet is not None:
            pet.removed = True
            self.call_soon(pet.close_viewers, 4404, "this pet was deleted")

    def running_count(self) -> int:
        return sum(1 for p in list(self.pets.values()) if not p.paused and p.error is None)

    def catching_up_count(self) -> int:
        return sum(1 for p in list(self.pets.values()) if p.catch_up is not None)

    def max_lag(self) -> float:
        now = self.clock.now()
        return max((p.lag_seconds(now) for p in list(self.pets.values())
                    if not p.paused and p.error is None), default=0.0)

    # --- loading (start-up, a worker thread) -----------------------------------------

    def new_live_pet(self, row: Pet, machine: Machine, now: float) -> LivePet:
        pet = LivePet(pet_id=row.id, owner_id=row.owner_id, machine=machine, paused=row.paused,
                      policy=row.catch_up, anchor_wall=now, version=row.state_version or 0)
        pet.last_run = now
        return pet

    def _machine_for(self, row: Pet) -> Machine:
        """The machine of a stored pet, or ValueError saying what in its data is damaged."""
        for name in ("state_at", "state_tick"):
            value = getattr(row, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or \
                    not math.isfinite(value):
                raise ValueError(f"its saved {name} is not a number ({value!r})")
        try:
            rom = self.rom(row.rom_sha256)
        except FileNotFoundError:
            raise ValueError(f"its ROM file is missing from "
                             f"{self.rom_files.where(row.rom_sha256)}") from None
        except (OSError, EmuError) as exc:
            raise ValueError(f"its ROM file cannot be used ({exc})") from None
        machine = Machine(rom)
        try:
            machine.load_state(row.state)
        except (EmuError, TypeError, ValueError) as exc:
            raise ValueError(f"its saved state is damaged ({exc})") from None
        return machine

    def load_all(self) -> None:
        """Load every pet from the database and work out how much time each one missed.

        A pet that cannot be loaded is kept in the database, listed as unavailable
        with the reason, and costs nothing else: the server and every other pet run.
        """
        now = self.clock.now()
        started = time.monotonic()
        with self.db.session() as s:
            rows = pet_store.all_pets(s)
        self.load_rows(rows, now, started)

    def load_rows(self, rows: Iterable[Pet | pet_store.BrokenPet], now: float,
                  started: float) -> None:
        """Load these pets (all of them, or those a cluster node just claimed)."""
        counts = {"pets": 0, "paused": 0, "to_catch_up": 0, "unavailable": 0}
        missed_total = 0.0
        skipped_total = 0.0
        for row in rows:
            counts["pets"] += 1
            try:
                if isinstance(row, pet_store.BrokenPet):
                    raise ValueError(row.error)
                machine = self._machine_for(row)
            except Exception as exc:  # a damaged data directory: keep the row, say why
                counts["unavailable"] += 1
                self.unavailable[row.id] = str(exc) if isinstance(exc, ValueError) else \
                    f"it could not be loaded ({type(exc).__name__}: {exc})"
                event("pet_unavailable", logging.ERROR, pet=row.id,
                      error=self.unavailable[row.id])
                continue
            for name in machine.buttons:  # nobody holds a button across a restart
                machine.set_button(name, False)
            pet = self.new_live_pet(row, machine, now)
            missed = max(0.0, now - row.state_at)
            if row.paused:
                counts["paused"] += 1
            elif row.catch_up == PAUSE_WHILE_DOWN or row.state_at > now:
                skipped_total += missed
            else:
                pet.anchor_wall = row.state_at
                pet.anchor_tick = machine.tick
                missed_total += missed
                if missed > self.settings.catch_up_threshold:
                    counts["to_catch_up"] += 1
            pet.saved_tick = machine.tick
            self.add(pet)
        event("pets_loaded", **counts, missed_s=round(missed_total, 1),
              skipped_s=round(skipped_total, 1),
              ms=round((time.monotonic() - started) * 1000))

    # --- the loop ------------------------------------------------------------------

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._tasks = [asyncio.create_task(self._run(), name="pygotchi-scheduler"),
                       asyncio.create_task(self._checkpoints(), name="pygotchi-checkpoints")]

    def call_soon(self, fn: Callable, *args) -> None:
        """Run ``fn(*args)`` on the event loop, from any thread."""
        call_on(self.loop, fn, *args)

    def publish(self, pet: LivePet, out: Output | None) -> None:
        """Forward a machine's output to its viewers (from any thread)."""
        if out is not None:
            self.call_soon(self._publish, pet, out)

    def _publish(self, pet: LivePet, out: Output) -> None:
        if not pet.removed:
            pet.publish(out, self.clock.now())

    def status_changed(self, pet: LivePet) -> None:
        """Tell ``pet``'s viewers its status (after a pause, resume, reset or load), any thread.

        After a reset or a loaded state the pet's clock jumps: viewers need the new
        tick to keep playing its beeps at the right moments.
        """
        self.call_soon(self._status_changed, pet)

    def _status_changed(self, pet: LivePet) -> None:
        if pet.paused:
            pet.catch_up = None
        self._look_soon(pet)  # resumed, reset or loaded: look at it in the next round
        pet.broadcast_status(self.clock.now())

    def nudge(self, pet: LivePet) -> None:
        """Advance ``pet`` again a moment after a button (from any thread).

        A ROM that reacts at once then shows it within milliseconds instead of at
        the next round; the pet stays "hot" (advanced every round) for a while too.
        """
        pet.hot_until = max(pet.hot_until, self.clock.now() + HOT_SECONDS)
        self.call_soon(self._nudge_later, pet)

    def _nudge_later(self, pet: LivePet) -> None:
        # Pets nudged within the same few milliseconds go out as one batch.
        assert self.loop is not None
        self._nudged.add(pet)
        self._look_soon(pet)  # hot: every round for a while
        if self._nudge_timer is None:
            self._nudge_timer = self.loop.call_later(NUDGE_DELAY, self._nudge_now)

    def _nudge_now(self) -> None:
        self._nudge_timer = None
        if self._stopping:
            return
        ready = []
        for pet in list(self._nudged):
            if pet.busy:
                continue  # its job in flight may have looked too early: try again shortly
            self._nudged.discard(pet)
            if not (pet.removed or pet.paused or pet.catch_up is not None or pet.error):
                ready.append(pet)
        for batch in _batches(ready, LIVE_BATCH):
            self._submit(self.live_pool, self._advance_batch, batch)
        if self._nudged:
            assert self.loop is not None
            self._nudge_timer = self.loop.call_later(NUDGE_DELAY, self._nudge_now)

    async def _run(self) -> None:
        interval = self.settings.tick_interval_ms / 1000
        loop = asyncio.get_running_loop()
        while True:
            began = time.monotonic()
            try:
                self._round()
            except Exception:
                logging.getLogger("pygotchi").exception("scheduler round failed")
            self.rounds += 1
            # Nothing needs every round: sleep to the next slice of the sweep, unless a
            # viewer, a button, a new or changed pet wakes the loop first. A server of
            # 1,000 idle pets then wakes 4 times a second instead of 50.
            pause = interval if self._active else \
                max(interval, self._next_sweep - self.clock.now())
            pause = max(0.0, pause - (time.monotonic() - began))
            waiter = self._waiter = loop.create_future()
            timer = loop.call_later(pause, _settle, waiter, False)
            try:
                woken = await waiter
            finally:
                timer.cancel()
                self._waiter = None
            if woken:  # keep the cadence of watched pets
                await asyncio.sleep(max(0.0, interval - (time.monotonic() - began)))

    def _round(self) -> None:
        """Hand the pets that are due to the workers.

        A round looks at the active pets (watched, hot, catching up, or new) and at
        the slice of the sweep that is due (every pet once per ``idle_interval``),
        so the work per round is in proportion to the pets that are due, and idle
        pets advance in large batches.
        """
        now = self.clock.now()
        s = self.settings
        threshold = s.catch_up_threshold
        idle = s.idle_interval_ms / 1000
        watched: list[LivePet] = []
        idle_due: list[LivePet] = []
        behind: list[tuple[float, LivePet]] = []
        active = self._active
        candidates: Iterable[LivePet] = active
        if now >= self._next_sweep:
            candidates = list(dict.fromkeys([*self._sweep_slice(now, idle), *active]))
        self._active = {p for p in active if p.busy and not p.removed}
        for pet in candidates:
            if pet.removed or pet.error is not None:
                continue
            if pet.busy:
                if pet in active:
                    self._active.add(pet)
                continue
            if pet.paused:
                if pet.catch_up is not None:
                    pet.catch_up = None
                    pet.broadcast_status(now)
                continue
            lag = pet.lag_seconds(now)
            if pet.catch_up is not None or lag > threshold:
                if pet.catch_up is None:
                    pet.catch_up = CatchUp(pet.tick, now)
                    event("catch_up_start", pet=pet.id, behind_s=round(lag, 1))
                    pet.broadcast_status(now)
                behind.append((lag, pet))
            elif pet.viewers or now < pet.hot_until:
                watched.append(pet)
            else:  # idle: in this sweep, or (new, or no longer watched) in this round
                idle_due.append(pet)
        self._active.update(watched)
        self._active.update(pet for _, pet in behind)
        # As many batches as threads (one GIL release each), but small enough for
        # frames of watched pets to go out promptly.
        workers = s.worker_threads
        size = min(LIVE_BATCH_MAX, max(LIVE_BATCH, -(-len(watched) // workers)))
        for batch in _batches(watched, size):
            self._submit(self.live_pool, self._advance_batch, batch)
        for batch in _batches(idle_due, IDLE_BATCH):
            self._submit(self.emu_pool, self._advance_batch, batch)
        free = s.catch_up_threads - self._catching_in_flight
        self._behind_waiting = max(0, len(behind) - free)
        if behind and free > 0:
            # Smallest backlog first, so pets come back one after the other; but a pet
            # left waiting too long goes first, so none starves if the host is overloaded.
            behind.sort(key=lambda item: (now - item[1].last_run < STARVING, item[0]))
            for _, pet in behind[:free]:
                self._start_catch_up_step(pet)

    def _sweep_slice(self, now: float, idle: float) -> list[LivePet]:
        """The next slice of the sweep over every pet, and when the one after is due.

        Each pet is looked at once per ``idle`` seconds, in the same order every
        time. Thousands of pets are swept in slices of about ``SWEEP_SLICE`` spread
        over the interval (at most one per round), so that the work (and the
        interpreter) is never taken for long from watched pets' frames.
        """
        if self._sweep_at >= len(self._sweep):
            self._sweep = list(self.pets.values())
            self._sweep_at = 0
            rounds = max(1, int(idle * 1000 / self.settings.tick_interval_ms))
            slices = max(1, min(rounds, -(-len(self._sweep) // SWEEP_SLICE)))
            self._sweep_step = -(-len(self._sweep) // slices) or 1
            self._sweep_pause = idle / (-(-len(self._sweep) // self._sweep_step) or 1)
        start = self._sweep_at
        self._sweep_at += self._sweep_step
        due = self._next_sweep + self._sweep_pause  # on its cadence, unless already past
        self._next_sweep = due if due > now else now + self._sweep_pause
        return self._sweep[start : self._sweep_at]

    def _start_catch_up_step(self, pet: LivePet) -> None:
        self._catching_in_flight += 1
        self._submit(self.catch_up_pool, self._catch_up_step, [pet])

    def _submit(self, pool: Executor, fn: Callable, batch: list[LivePet]) -> None:
        assert self.loop is not None
        for pet in batch:
            pet.busy = True
        self._in_flight += 1
        future = self.loop.run_in_executor(pool, fn, batch)
        future.add_done_callback(lambda f, b=batch, fn=fn: self._done(fn, b, f))

    def _advance_batch(self, batch: list[LivePet]) -> list[Output | BaseException]:
        """Bring a batch of pets to now: one ``run_many`` call, one GIL release for all."""
        limit = int(self.settings.catch_up_threshold * TICKS_PER_SECOND) + TICKS_PER_SECOND
        locked = sorted(batch, key=lambda p: p.id)  # one global order: no lock cycle
        for pet in locked:
            pet.lock.acquire()
        try:
            now = self.clock.now()
            machines, ticks = [], []
            for pet in batch:
                target = pet.run_target(now, limit)
                if target > pet.machine.tick:
                    machines.append(pet.machine)
                    ticks.append(target)
            try:
                run_many(machines, ticks)
            except Exception:  # find out which pet it was, and keep the others going
                errors: dict[int, BaseException] = {}
                for machine, tick in zip(machines, ticks, strict=True):
                    try:
                        machine.run_until(tick)
                    except Exception as exc:
                        errors[id(machine)] = exc
                return [errors.get(id(p.machine)) or p.collect() for p in batch]
            return [pet.collect() for pet in batch]
        finally:
            for pet in locked:
                pet.lock.release()

    def _catch_up_step(self, batch: list[LivePet]) -> list[Output | BaseException]:
        """Fast-forward one pet for up to ``CATCH_UP_SLICE`` seconds of work.

        The lock is let go between chunks, so buttons and checkpoints get their turn.
        """
        pet = batch[0]
        chunk = int(self.settings.catch_up_chunk * TICKS_PER_SECOND)
        deadline = time.monotonic() + CATCH_UP_SLICE
        out = Output()
        try:
            while True:
                step = pet.advance(self.clock.now(), chunk)
                out.frame_changed |= step.frame_changed
                out.pressed_changed |= step.pressed_changed
                if pet.paused or pet.removed or time.monotonic() >= deadline or \
                        pet.lag_seconds(self.clock.now()) <= chunk / TICKS_PER_SECOND:
                    break
            return [out]
        except Exception as exc:
            return [exc]

    def _done(self, fn: Callable, batch: list[LivePet], future: asyncio.Future) -> None:
        self._in_flight -= 1
        catching = fn == self._catch_up_step
        if catching:
            self._catching_in_flight -= 1
        now = self.clock.now()
        if future.cancelled():
            results: list = [None] * len(batch)
        elif future.exception() is not None:
            results = [future.exception()] * len(batch)
        else:
            results = future.result()
        for pet, result in zip(batch, results, strict=True):
            pet.busy = False
            pet.last_run = now
            if result is None:
                continue
            if isinstance(result, BaseException):
                pet.error = f"{type(result).__name__}: {result}"
                event("pet_error", logging.ERROR, pet=pet.id, error=pet.error)
                continue
            if pet.removed:
                continue
            if catching:
                self._catch_up_progress(pet, result, now)
            else:
                pet.publish(result, now)

    def _catch_up_progress(self, pet: LivePet, out: Output, now: float) -> None:
        c = pet.catch_up
        if c is None:
            pet.publish(out, now)
            return
        out.buzzer = []  # beeps of the past cannot be played
        lag = pet.lag_seconds(now)
        if lag <= self.settings.tick_interval_ms / 1000 + 0.5 or pet.paused:
            pet.catch_up = None
            event("catch_up_done", pet=pet.id,
                  caught_up_s=round((pet.tick - c.start_tick) / TICKS_PER_SECOND, 1),
                  took_s=round(now - c.started_at, 1))
            pet.publish(out, now)
            pet.broadcast_status(now)
            return
        if now - c.last_log >= PROGRESS_LOG_EVERY:
            c.last_log = now
            progress = pet.catch_up_progress(now) or {}
            done, total = progress.get("done_s", 0.0), progress.get("total_s", 0.0)
            took = now - c.started_at
            eta = round((total - done) * took / done) if done > 0 and took > 1 else "-"
            event("catch_up_progress", pet=pet.id, **progress, eta_s=eta)
        if now - c.last_status >= PROGRESS_STATUS_EVERY:
            c.last_status = now
            pet.publish(out, now)
            pet.broadcast_status(now)
        if not self._behind_waiting and not self._stopping and \
                self._catching_in_flight < self.settings.catch_up_threads:
            self._start_catch_up_step(pet)  # nobody else waits: go on without a pause

    # --- checkpoints -------------------------------------------------------------------

    async def _checkpoints(self) -> None:
        # A fixed cadence, not a pause after each round: a crash then loses at most one
        # interval (plus the age of the state saved), however long a round took.
        due = time.monotonic()
        while True:
            due += self.settings.checkpoint_interval
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            due = max(due, time.monotonic() - self.settings.checkpoint_interval)
            try:
                await self.checkpoint()
            except Exception as exc:
                self._checkpoint_failed(exc)
            else:
                if self.checkpoint_problem is not None:
                    event("checkpoints_recovered")
                self.checkpoint_problem = self.checkpoint_failing_since = None

    def _checkpoint_failed(self, exc: BaseException) -> None:
        from pygotchi.server.errors import is_storage_full

        reason = "the storage is full" if is_storage_full(exc) else \
            f"{type(exc).__name__}: {exc}"
        if self.checkpoint_failing_since is None:
            self.checkpoint_failing_since = time.time()
        self.checkpoint_problem = reason
        event("checkpoint_failed", logging.ERROR, error=f"{type(exc).__name__}: {exc}")

    async def checkpoint(self, pets: Iterable[LivePet] | None = None) -> int:
        assert self.loop is not None
        chosen = list(self.pets.values()) if pets is None else list(pets)
        return await self.loop.run_in_executor(self.checkpoint_pool, self.checkpoint_sync, chosen)

    def checkpoint_sync(self, pets: Iterable[LivePet]) -> int:
        """Save every pet in ``pets`` whose state moved.

        Pets are written in slices of ``CHECKPOINT_SLICE``, one transaction each, with
        a pause in between: a checkpoint of a thousand pets never holds the
        interpreter long enough to delay a frame. Each pet's row is replaced whole,
        unless a change saved meanwhile gave it a newer version.
        """
        began = time.monotonic()
        chosen = [p for p in pets if p.needs_checkpoint() and not p.removed and p.error is None]
        written = 0
        for start in range(0, len(chosen), CHECKPOINT_SLICE):
            if start:
                time.sleep(0.002)
            taken = [(pet, pet.checkpoint(self.clock.now()))
                     for pet in chosen[start : start + CHECKPOINT_SLICE]]
            taken = [(pet, cp) for pet, cp in taken if cp is not None]
            self._commit_checkpoints(taken)
            written += len(taken)
        if chosen:
            event("checkpoint", logging.DEBUG if len(chosen) < 2 else logging.INFO,
                  pets=written, ms=round((time.monotonic() - began) * 1000, 1))
        return written

    def _commit_checkpoints(self, taken: list[tuple[LivePet, Checkpoint]]) -> None:
        """Write ``taken`` in one transaction (a seam tests use to stage a late commit)."""
        with self.db.session() as s:
            saved = set(pet_store.save_checkpoints(s, [cp for _, cp in taken]))
            s.commit()
        for pet, cp in taken:
            if pet.id in saved:
                pet.mark_saved(cp)

    # --- changes that must survive (any thread but the event loop) --------------------

    def change(self, pet: LivePet, apply: Callable[[float], tuple[Output, Before]],
               what: str, **fields) -> None:
        """Apply a change to ``pet``, save it, then tell its viewers and the log.

        ``apply(now)`` makes the change (raising the pet's version) and returns
        how the pet was before it. If saving fails, the pet is put back as it was
        and the error raised, so an answer of failure means nothing changed, and
        an answer of success means the change is on disk.
        """
        with pet.change_lock:
            out, before = apply(self.clock.now())
            try:
                cp = pet.checkpoint(self.clock.now(), change=True)
                assert cp is not None
                self._commit_checkpoints([(pet, cp)])
            except BaseException:
                self.publish(pet, pet.restore(before))
                self.status_changed(pet)
                raise
            pet.saved()
        self.publish(pet, out)
        self.status_changed(pet)
        event(what, pet=pet.id, **fields)

    def set_paused(self, pet: LivePet, paused: bool) -> None:
        if paused != pet.paused:
            self.change(pet, lambda now: pet.set_paused(paused, now),
                        "pet_paused" if paused else "pet_resumed")

    def reset(self, pet: LivePet) -> None:
        self.change(pet, pet.reset, "pet_reset")

    def load_state(self, pet: LivePet, data: bytes) -> None:
        """Load a state file into ``pet``; StateError leaves the pet as it was."""
        self.change(pet, lambda now: pet.load_state(data, now), "pet_state_loaded",
                    bytes=len(data))

    # --- shutdown ---------------------------------------------------------------------

    async def stop(self) -> None:
        """Stop advancing, let jobs in flight finish, bring pets to now, save them all."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        deadline = time.monotonic() + 30
        while self._in_flight and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert self.loop is not None
        pets = [p for p in list(self.pets.values()) if p.error is None]
        final = [p for p in pets if not p.paused and p.catch_up is None]
        if final:
            await self.loop.run_in_executor(self.emu_pool, self._advance_batch, final)
        try:
            saved = await self.loop.run_in_executor(self.checkpoint_pool, self.checkpoint_sync,
                                                    pets)
            event("shutdown_checkpoint", pets=saved)
        except Exception as exc:  # the last checkpoints are lost; the rest still stops
            event("shutdown_checkpoint_failed", logging.ERROR,
                  error=f"{type(exc).__name__}: {exc}")
        for pool in (self.emu_pool, self.live_pool, self.catch_up_pool, self.control_pool,
                     self.checkpoint_pool):
            pool.shutdown(wait=True, cancel_futures=True)
        for pet in pets:
            pet.close_viewers(1001, "the server is shutting down")


def _settle(waiter: asyncio.Future | None, woken: bool) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(woken)


def _batches(pets: list[LivePet], size: int) -> Iterable[list[LivePet]]:
    for start in range(0, len(pets), size):
        yield pets[start : start + size]
