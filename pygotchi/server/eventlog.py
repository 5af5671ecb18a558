"""The event log: pets' events into their timelines, and calls into the outbox.

Run listeners hand events over from the emulation threads (``__call__`` only
puts them on a queue: an emulation thread never waits for the database). One
thread writes them, a batch per transaction: the timeline rows and the
notifications they cause are committed together, then the courier is woken.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from sqlalchemy import insert, select

from pygotchi.server.logs import event as log_event
from pygotchi.server.petevents import CallDetector, PetEvent
from pygotchi.server.push import planner
from pygotchi.store import Database
from pygotchi.store import timeline as timeline_store
from pygotchi.store.models import Pet
from pygotchi.store.models import PetEvent as EventRow

BATCH_WAIT = 0.5  # seconds to gather more events into one transaction
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
        self._stopping = threading.Event()  # cuts the gathering pause short at stop
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
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="pygotchi-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Write what is queued, then end."""
        if self._thread is not None:
            self._queue.put(None)
            self._stopping.set()
            self._thread.join(30)
            self._thread = None

    def _run(self) -> None:
        # Block for the first event only, then let the rest pile up for BATCH_WAIT and
        # take them all: a get() with a timeout per event would wake this thread (and
        # cost the emulation thread that puts it a futex call) for every beep.
        while True:
            item = self._queue.get()
            done = item is None
            batch = [] if done else [item]
            if not done:
                self._stopping.wait(BATCH_WAIT)
                while True:
                    try:
                        more = self._queue.get_nowait()
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
        rows: list[dict] = []
        with self.db.session() as s:
            ids = {pet_id for pet_id, _ in batch}
            pets = {p.id: p for p in s.execute(select(Pet.id, Pet.owner_id, Pet.name)
                                                .where(Pet.id.in_(ids)))}
            cache: dict = {}
            for pet_id, events in batch:
                pet = pets.get(pet_id)
                if pet is None:  # deleted meanwhile
                    continue
                for ev in events:
                    outcome = planner.plan(s, pet, ev, ev.call_tick, now, cache) \
                        if ev.kind in planner.KINDS else {}
                    queued += outcome.get("notified", 0)
                    if ev.kind in NOT_IN_TIMELINE:
                        continue
                    rows.append({"pet_id": pet_id, "kind": ev.kind, "tick": ev.tick,
                                 "at": ev.at, "data": {**ev.data, **outcome},
                                 "frame": ev.frame})
                    self._written[pet_id] = self._written.get(pet_id, 0) + 1
            if rows:
                s.execute(insert(EventRow), rows)
            for pet_id in {r["pet_id"] for r in rows}:
                if self._written.get(pet_id, 0) >= TRIM_EVERY:
                    self._written[pet_id] = 0
                    timeline_store.trim(s, pet_id, self.keep)
            s.commit()
        self.written += len(rows)
        if queued:
            self.wake()
