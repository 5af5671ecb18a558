"""Debug sessions: a pet's machine under the debugger, on a copy, until applied or discarded.

A session never touches the live pet. Opening one copies the pet's state into
a machine of its own; everything the debugger does (runs, steps back, edits)
happens there. Ending it either discards that copy, or applies it to the pet
through ``Scheduler.change`` (``load_state``: applied, saved before the answer,
shown to viewers, undone if it cannot be saved), and only if the pet has not
changed since the session began (resumed, reset, loaded): an old copy must not
silently overwrite newer history.

One session per pet, shared by the people who may open it: the pet's owner
(while the pet is paused) and administrators (any pet). Sessions left alone for
``IDLE_SECONDS`` are dropped, a run nobody asks about for ``UNWATCHED_SECONDS``
pauses itself, and a server holds at most ``MAX_SESSIONS``.

Running (continue at 1x, 10x, 100x or as fast as possible) happens in worker
threads, in slices of ``SLICE`` wall seconds, so a paused request or a step
never waits long for the session's lock; a breakpoint or watchpoint ends the run.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from pygotchi.emu import Machine
from pygotchi.emu.debugger import FOREVER, Debugger, Stop
from pygotchi.server.livepet import LivePet

SPEEDS: dict[str, int | None] = {"1x": 1, "10x": 10, "100x": 100, "max": None}
IDLE_SECONDS = 1800.0
UNWATCHED_SECONDS = 60.0  # a run nobody asks about (GET, socket, commands) pauses itself
MAX_SESSIONS = 32
SLICE = 0.05  # wall seconds per worker job while running
CHUNK = 20_000  # steps between looks at the clock and the pause flag


class DebugSession:
    def __init__(self, pet: LivePet, opened_by: str, machine: Machine) -> None:
        self.pet = pet
        self.opened_by = opened_by
        self.debugger = Debugger(machine)
        self.lock = threading.Lock()  # the debugger is used by one thread at a time
        self.version = pet.version  # the pet's state version the copy was taken from
        self.speed = "max"
        self.running = False
        self.task: asyncio.Task | None = None
        self.used = time.monotonic()

    @property
    def pet_changed(self) -> bool:
        """The pet moved on (resumed, reset, a state loaded) since the copy was taken."""
        return self.pet.version != self.version or self.pet.removed

    def run_slice(self, start_wall: float, start_tick: int) -> bool:
        """Run for about SLICE seconds at the session's speed; False once it stopped."""
        with self.lock:
            d = self.debugger
            factor = SPEEDS[self.speed]
            deadline = time.monotonic() + SLICE
            while self.running:
                until = FOREVER
                if factor is not None:
                    until = start_tick + int((time.monotonic() - start_wall) * factor * 32768)
                    if until <= d.cpu.tick:
                        return True  # ahead of the pace: wait for the clock
                stop = d.cont(max_steps=CHUNK, until_tick=until, settle=False)
                if stop.reason != "limit":
                    self.running = False
                    return False
                if time.monotonic() >= deadline:
                    return True
            return False


class DebugSessions:
    """The server's debug sessions, by pet id (event loop and worker threads)."""

    def __init__(self) -> None:
        self.sessions: dict[str, DebugSession] = {}
        self._guard = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="debug")

    def get(self, pet_id: str) -> DebugSession | None:
        session = self.sessions.get(pet_id)
        if session is not None:
            session.used = time.monotonic()
        return session

    def open(self, pet: LivePet, state: bytes, opened_by: str) -> DebugSession | None:
        """A session on a copy of ``state``; None when the server has too many."""
        self._drop_idle()
        with self._guard:
            session = self.sessions.get(pet.id)
            if session is not None:
                return session
            if len(self.sessions) >= MAX_SESSIONS:
                return None
            machine = Machine(pet.machine.rom)
            machine.load_state(state)
            session = DebugSession(pet, opened_by, machine)
            self.sessions[pet.id] = session
            return session

    def close(self, pet_id: str) -> None:
        with self._guard:
            session = self.sessions.pop(pet_id, None)
        if session is not None:
            session.running = False

    def _drop_idle(self) -> None:
        now = time.monotonic()
        with self._guard:
            for pet_id, s in list(self.sessions.items()):
                if now - s.used > IDLE_SECONDS and not s.running:
                    del self.sessions[pet_id]

    # --- running (event loop) ----------------------------------------------------------

    def start(self, session: DebugSession, speed: str) -> None:
        session.speed = speed
        if session.running:
            return
        session.running = True
        session.task = asyncio.get_running_loop().create_task(self._run(session))

    async def _run(self, session: DebugSession) -> None:
        loop = asyncio.get_running_loop()
        start_wall = time.monotonic()
        start_tick = session.debugger.cpu.tick
        speed = session.speed
        while session.running:
            if time.monotonic() - session.used > UNWATCHED_SECONDS:
                session.running = False  # nobody looks: do not burn a core for nobody
                break
            if session.speed != speed:  # a new pace starts from here
                speed, start_wall = session.speed, time.monotonic()
                start_tick = session.debugger.cpu.tick
            more = await loop.run_in_executor(self.pool, session.run_slice, start_wall,
                                              start_tick)
            if not more:
                break
            await asyncio.sleep(0.005 if SPEEDS[session.speed] is None else 0.02)

    async def pause(self, session: DebugSession) -> Stop | None:
        """Stop a run; returns where it stopped if it was running."""
        task = session.task
        was = session.running or (task is not None and not task.done())
        session.running = False
        if task is not None:
            await task
            session.task = None
        if was:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.pool, self._settle, session)
        return None

    @staticmethod
    def _settle(session: DebugSession) -> Stop:
        with session.lock:
            d = session.debugger
            if d.last_stop.reason in ("breakpoint", "watchpoint") and \
                    d.last_stop.position == d.position:
                return d.last_stop
            return d.settle("pause")

    async def shutdown(self) -> None:
        for session in list(self.sessions.values()):
            session.running = False
            if session.task is not None:
                await asyncio.gather(session.task, return_exceptions=True)
        self.pool.shutdown(wait=True, cancel_futures=True)
