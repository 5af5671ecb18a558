"""Restore points and forks: going back to an earlier moment of a pet, or branching off it.

Automatic points are taken by a run listener (``AutoPoints``, see
``LivePet.listeners``): it is handed every run's output in the worker thread
that ran the machine, so it sees each pet, watched or not, without advancing
any pet more often. Each time the pet's *emulated* age passes a whole hour
(a day when hourly points are off) it copies the machine's state and LCD (a
1.3 KB state and a 65-byte frame; bench/restore_points.py measures it) and queues them; one writer
thread saves them and thins the pet's points (``store/restorepoints.py``).
Marks are in emulated time, so a pet fast-forwarded through a day of downtime
gets that day's 24 hourly points: a catch-up runs in ``catch_up_chunk`` steps
(30 emulated seconds by default), and the point of an hour is the state at the
end of the first step past its mark.

A restore is a change like an uploaded state (``Scheduler.change``: applied,
saved, then shown to viewers; put back if it cannot be saved). The pet as it
was just before is saved first as an *undo* point, so a restore can be undone
by restoring that one.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
from dataclasses import dataclass

from pygotchi.emu import TICKS_PER_SECOND, EmuError, Machine
from pygotchi.server.livepet import LivePet
from pygotchi.server.logs import event
from pygotchi.server.scheduler import Scheduler
from pygotchi.server.settings import Settings
from pygotchi.store import Database
from pygotchi.store import pets as pet_store
from pygotchi.store import restorepoints as point_store
from pygotchi.store.models import (
    RESTORE_AUTO,
    RESTORE_NAMED,
    RESTORE_UNDO,
    Pet,
    PetEvent,
    RestorePoint,
)
from pygotchi.store.restorepoints import Retention

HOUR = 3600 * TICKS_PER_SECOND


class Refused(Exception):
    """A restore point or fork that cannot be made: ``code`` and a sentence for a person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Taken:
    """An automatic point, on its way from a worker thread to the writer."""

    pet_id: str
    state: bytes
    tick: int
    at: float
    frame: bytes


def retention(settings: Settings) -> Retention:
    return Retention(hour_ticks=HOUR, hourly_hours=settings.restore_hourly_hours,
                     daily_days=settings.restore_daily_days,
                     max_bytes=settings.restore_bytes_max)


def label(point: RestorePoint) -> str:
    """What a person calls a point: its name, or what kind it is."""
    if point.name:
        return point.name
    return "automatic" if point.kind == RESTORE_AUTO else "before a restore"


class AutoPoints:
    """One pet's automatic points (a run listener). Worker threads, with the pet's lock held."""

    __slots__ = ("period", "mark", "put")

    def __init__(self, period: int, put) -> None:
        self.period = period  # ticks between points: an hour, or a day
        self.mark = 0  # the pet's age, in periods, at its last point
        self.put = put

    def start(self, pet: LivePet) -> None:
        self.mark = pet.machine.tick // self.period

    def after_run(self, pet: LivePet, out) -> None:
        mark = pet.tick // self.period  # the usual run: one division, one comparison
        if mark <= self.mark:
            return
        self.mark = mark
        m = pet.machine
        tick = m.tick
        self.put(Taken(pet.id, m.save_state(), tick, pet.wall_at(tick), m.screen().frame))

    def lifecycle(self, pet: LivePet, kind: str) -> None:
        """A reset, a loaded state or a restore moved the pet's age: count from there."""
        self.mark = pet.machine.tick // self.period


class RestorePoints:
    def __init__(self, settings: Settings, db: Database, scheduler: Scheduler) -> None:
        self.settings = settings
        self.db = db
        self.scheduler = scheduler
        self.keep = retention(settings)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.written = 0  # automatic points saved so far (tests)

    # --- automatic points ----------------------------------------------------------

    @property
    def automatic(self) -> bool:
        return bool(self.keep.hourly_hours or self.keep.daily_days)

    def attach(self, pet: LivePet) -> None:
        """Give a pet its automatic points (called as it joins the scheduler)."""
        if not self.automatic:
            return
        listener = AutoPoints(HOUR if self.keep.hourly_hours else 24 * HOUR, self._queue.put)
        with pet.lock:
            listener.start(pet)
            pet.listeners.append(listener)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pygotchi-restore-points",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Save what is queued (after the scheduler stopped), then end."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(30)
            self._thread = None

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self._write(item)
            except Exception as exc:  # the pet lives on; its next point comes an hour later
                event("restore_point_lost", logging.ERROR, pet=item.pet_id,
                      error=f"{type(exc).__name__}: {exc}")

    def _write(self, taken: Taken) -> None:
        with self.db.session() as s:
            if s.get(Pet, taken.pet_id) is None:  # deleted meanwhile
                return
            point_store.add(s, pet_id=taken.pet_id, kind=RESTORE_AUTO, name="",
                            state=taken.state, tick=taken.tick, at=taken.at, frame=taken.frame)
            point_store.thin(s, taken.pet_id, taken.tick, self.keep)
            s.commit()
        self.written += 1

    # --- the owner's points -----------------------------------------------------------

    def take_named(self, pet: LivePet, name: str) -> RestorePoint:
        """Save the pet as it is now under ``name``; Refused past the pet's bounds."""
        state, tick, at, frame, out = pet.snapshot(self.scheduler.clock.now())
        self.scheduler.publish(pet, out)
        with self.db.session() as s:
            named, named_bytes = point_store.named_usage(s, pet.id)
            if named >= self.settings.restore_named_max:
                raise Refused("too_many_points", f"this pet has {named} named restore points, "
                                                 f"the most this server keeps: delete one first")
            if named_bytes + len(state) + len(frame) > self.keep.max_bytes:
                raise Refused("storage_bound", "this pet's restore points have used all the "
                                               "room this server gives a pet: delete a named "
                                               "one first")
            point = point_store.add(s, pet_id=pet.id, kind=RESTORE_NAMED, name=name,
                                    state=state, tick=tick, at=at, frame=frame)
            point_store.thin(s, pet.id, tick, self.keep)
            s.commit()
            s.expunge(point)
        event("restore_point_named", pet=pet.id, point=point.id)
        return point

    # --- going back --------------------------------------------------------------------

    def restore(self, pet: LivePet, point: RestorePoint) -> RestorePoint:
        """Put ``pet`` back to ``point``; the undo point (the pet just before) is returned.

        Atomic for the person: if the change cannot be saved, the pet is as it was
        and no undo point is left behind.
        """
        saved: list[RestorePoint] = []
        details = {"point": point.id, "name": label(point),
                   "to_emulated_seconds": round(point.tick / TICKS_PER_SECOND, 3)}

        def apply(now: float):
            out, before = pet.load_state(point.state, now, kind="restored", details=details)
            try:
                saved.append(self._save_undo(pet, before, point))
            except BaseException:
                self.scheduler.publish(pet, pet.restore(before))
                self.scheduler.status_changed(pet)
                raise
            return out, before

        try:
            self.scheduler.change(pet, apply, "pet_restored", point=point.id)
        except BaseException:
            for undo in saved:  # the restore did not happen: neither did its undo point
                try:
                    with self.db.session() as s:
                        point_store.remove(s, undo.id)
                        s.commit()
                except Exception as exc:  # the database is failing: say why the restore did
                    event("undo_point_left", logging.WARNING, pet=pet.id, point=undo.id,
                          error=f"{type(exc).__name__}: {exc}")
            raise
        return saved[0]

    def _save_undo(self, pet: LivePet, before, point: RestorePoint) -> RestorePoint:
        probe = Machine(pet.machine.rom)  # the state replaced, read back for its age and LCD
        probe.load_state(before.state)
        tick = probe.tick
        at = before.anchor_wall + (tick - before.anchor_tick) / TICKS_PER_SECOND \
            if not before.paused else self.scheduler.clock.now()
        with self.db.session() as s:
            undo = point_store.add(s, pet_id=pet.id, kind=RESTORE_UNDO,
                                   name="Before undoing a restore"
                                   if point.kind == RESTORE_UNDO
                                   else f"Before restoring to {label(point)}"[:100],
                                   state=before.state, tick=tick, at=at,
                                   frame=probe.screen().frame)
            point_store.thin(s, pet.id, tick, self.keep)
            s.commit()
            s.expunge(undo)
        return undo

    # --- forks ---------------------------------------------------------------------------

    def fork(self, source: Pet, state: bytes, name: str, paused: bool,
             point: RestorePoint | None) -> str:
        """A new pet of the same owner from ``state``; its id. Refused past the pet limit
        or when the pet's ROM cannot be loaded; StateError for a damaged ``state``."""
        try:
            rom = self.scheduler.rom(source.rom_sha256)
        except (OSError, EmuError) as exc:
            raise Refused("unavailable", f"this pet's ROM cannot be loaded ({exc})") from None
        machine = Machine(rom)
        machine.load_state(state)
        for button in machine.buttons:
            machine.set_button(button, False)
        now = self.scheduler.clock.now()
        with self.db.session() as s:
            limit = self.settings.max_pets_per_user
            if limit and pet_store.count_pets(s, source.owner_id) >= limit:
                raise Refused("too_many_pets", f"you already have {limit} pets, the most this "
                                               "server allows per person")
            row = pet_store.create_pet(
                s, pet_id=secrets.token_urlsafe(9), owner_id=source.owner_id,
                rom_sha256=source.rom_sha256, name=name, catch_up=source.catch_up,
                state=machine.save_state(), tick=machine.tick, at=now)
            row.paused = paused
            s.add(PetEvent(pet_id=row.id, kind="forked", tick=machine.tick, at=now,
                           frame=machine.screen().frame,
                           data={"from_pet": source.id, "from_name": source.name,
                                 **({"point": point.id, "name": label(point)} if point
                                    else {})}))
            s.commit()  # the fork exists on disk before anyone hears of it
            self.scheduler.add(self.scheduler.new_live_pet(row, machine, now))
            pet_id = row.id
        event("pet_forked", pet=pet_id, source=source.id,
              point=point.id if point else "-")
        return pet_id

    # --- the instance's choice ------------------------------------------------------------

    def players_may_restore(self) -> bool:
        with self.db.session() as s:
            return point_store.players_may_restore(s)

    def set_players_may_restore(self, allowed: bool) -> None:
        with self.db.session() as s:
            point_store.set_option(s, point_store.PLAYERS_MAY_RESTORE, allowed)
            s.commit()
