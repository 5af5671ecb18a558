"""The event log: pets' events into their timelines, and calls into the outbox.

Run listeners hand events over from the emulation threads (``__call__`` only
puts them on a queue: an emulation thread never waits for the database). One
thread writes them, a batch per transaction: the timeline rows and the
notifications they cause are committed together, then the courier is woken.
Beeps a pet makes within ``BEEP_MERGE`` seconds of each other share one row.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from sqlalchemy import select

from pygotchi.server.logs import event as log_event
from pygotchi.server.petevents import CallDetector, PetEvent
from pygotchi.server.push import planner
from pygotchi.store import Database
from pygotchi.store import timeline as timeline_store
from pygotchi.store.models import Pet
from pygotchi.store.models import PetEvent as EventRow

BATCH_WAIT = 0.05  # seconds to gather more events into one transaction
BEEP_MERGE = 60.0
TRIM_EVERY = 200  # rows written for a pet between two trims of its timeline
NOT_IN_TIMELINE = ("calling",)


def attention_index(model) -> int | None:
    names = tuple(model.icons)
    return names.index("attention") if "attention" in names else None


class EventLog:
    def __init__(self, db: Database, clock: Callable[[], float], wake: Callable[[], None],
                 keep: int = timeline_store.KEEP) -> None:
        self.db = db
        self.clock = clock
        self.wake = wake
        self.keep = keep
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._beeps: dict[str, tuple[int, float]] = {}  # pet -> (row id, at)
        self._written: dict[str, int] = {}
        self.written = 0  # events written so far (tests, health)

    # --- from any thread ----------------------------------------------------------

    def __call__(self, pet_id: str, owner_id: int, events: list[PetEvent]) -> None:
        self._queue.put((pet_id, events))

    def attach(self, pet) -> None:
        """Give a pet its call detector (called as it joins the scheduler)."""
        detector = CallDetector(self, attention_index(pet.machine.model))
        with pet.lock:
            detector.start(pet)
            pet.listeners.append(detector)

    # --- the writer thread ------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pygotchi-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Write what is queued, then end."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(30)
            self._thread = None

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            batch = []
            done = item is None
            if item is not None:
                batch.append(item)
                deadline = time.monotonic() + BATCH_WAIT
                while (left := deadline - time.monotonic()) > 0:
                    try:
                        more = self._queue.get(timeout=left)
                    except queue.Empty:
                        break
                    if more is None:
                        done = True
                        break
                    batch.append(more)
            if batch:
                try:
                    self.write(batch)
                except Exception as exc:  # keep hearing the pets; say what was lost
                    log_event("events_lost", logging.ERROR, events=sum(len(e) for _, e in batch),
                              error=f"{type(exc).__name__}: {exc}")
            if done:
                return

    def write(self, batch: list[tuple[str, list[PetEvent]]]) -> None:
        now = self.clock()
        queued = 0
        with self.db.session() as s:
            ids = {pet_id for pet_id, _ in batch}
            pets = {p.id: p for p in s.scalars(select(Pet).where(Pet.id.in_(ids)))}
            touched: set[str] = set()
            for pet_id, events in batch:
                pet = pets.get(pet_id)
                if pet is None:  # deleted meanwhile
                    continue
                for ev in events:
                    outcome = planner.plan(s, pet, ev, ev.call_tick, now)
                    queued += outcome.get("notified", 0)
                    if ev.kind in NOT_IN_TIMELINE:
                        continue
                    if ev.kind == "beeps" and self._merge_beeps(s, pet_id, ev):
                        continue
                    row = EventRow(pet_id=pet_id, kind=ev.kind, tick=ev.tick, at=ev.at,
                                   data={**ev.data, **outcome}, frame=ev.frame)
                    s.add(row)
                    if ev.kind == "beeps":
                        s.flush()
                        self._beeps[pet_id] = (row.id, ev.at)
                    touched.add(pet_id)
                    self._written[pet_id] = self._written.get(pet_id, 0) + 1
                    self.written += 1
            for pet_id in touched:
                if self._written.get(pet_id, 0) >= TRIM_EVERY:
                    self._written[pet_id] = 0
                    timeline_store.trim(s, pet_id, self.keep)
            s.commit()
        if queued:
            self.wake()

    def _merge_beeps(self, s, pet_id: str, ev: PetEvent) -> bool:
        last = self._beeps.get(pet_id)
        if last is None or ev.at - last[1] > BEEP_MERGE:
            return False
        row = s.get(EventRow, last[0])
        if row is None:
            return False
        row.data = {**row.data, "count": row.data.get("count", 0) + ev.data.get("count", 0)}
        self._beeps[pet_id] = (row.id, ev.at)
        return True
