"""The autopilot in the server: pygotchi.care's carer at a live pet's buttons.

Per pet the owner chooses ``off``, ``always``, or ``unanswered``: the carer
only watches until the pet has called (the attention icon) for the owner's
number of minutes with no button pressed, then takes over until the pet is
content and quiet again, and hands back.

The carer presses through the same path as the owner's REST and websocket
presses (``LivePet.press_for``, then publish and nudge), so viewers see and
hear it. It steps back while the owner presses buttons (``OWNER_QUIET``
seconds after their last press) and drops whatever errand it was on.

Each action goes to the pet's timeline (kind ``autopilot``, its text in
``data.text``) and to the structured log (``event=autopilot`` with ``pet``,
``action``); the last few are also kept in memory for the pet's JSON
(``autopilot.recent``).

One asyncio task looks after every pet with the autopilot on; the machine is
touched only in worker threads, through LivePet's locked methods.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi.concurrency import run_in_threadpool

from pygotchi.care import Carer, Press, View
from pygotchi.emu import TICKS_PER_SECOND
from pygotchi.server.livepet import LivePet
from pygotchi.server.logs import event
from pygotchi.server.petevents import PetEvent, Sink
from pygotchi.server.romlib import iso
from pygotchi.store.models import AUTOPILOT_MINUTES, AUTOPILOT_MODES, AUTOPILOT_OFF

OWNER_QUIET = 60.0  # seconds after the owner's last press before the carer acts again
WATCH_EVERY = 5.0  # "unanswered" mode: how often it glances while only watching
STEP = 0.1  # seconds between two passes over the pets
RECENT = 20  # actions kept per pet for its JSON
HOLD_MS = 100


@dataclass
class Pilot:
    """The autopilot of one pet."""

    pet_id: str
    owner_id: int
    mode: str
    minutes: int
    carer: Carer = field(default_factory=Carer)
    due: float = 0.0  # wall time of the next look
    active: bool = False  # the carer has the buttons ("always": whenever not paused)
    call_since: float | None = None  # wall time the attention icon lit, while watching
    recent: deque = field(default_factory=lambda: deque(maxlen=RECENT))
    seen_actions: int = 0

    def note(self, now: float, text: str) -> None:
        self.recent.append({"at": iso(datetime.fromtimestamp(now, UTC)), "text": text})
        event("autopilot", pet=self.pet_id, action=text)

    def json(self) -> dict:
        return {"mode": self.mode, "minutes": self.minutes, "active": self.active,
                "recent": list(self.recent)}


def off_json(minutes: int = AUTOPILOT_MINUTES) -> dict:
    return {"mode": AUTOPILOT_OFF, "minutes": minutes, "active": False, "recent": []}


class Autopilot:
    """Every pet's autopilot, driven from one task on the event loop."""

    def __init__(self, scheduler, timeline: Sink | None = None) -> None:
        self.scheduler = scheduler
        self.timeline = timeline  # where actions join the pet's calls and beeps
        self.pilots: dict[str, Pilot] = {}
        self._task: asyncio.Task | None = None
        self._configured: asyncio.Event | None = None  # set when a pilot may have joined

    # --- settings ---------------------------------------------------------------------

    def configure(self, pet_id: str, owner_id: int, mode: str, minutes: int) -> None:
        """Apply a pet's setting (at start-up and when the owner changes it)."""
        if mode not in AUTOPILOT_MODES:
            raise ValueError(f"autopilot mode {mode!r}")
        pilot = self.pilots.get(pet_id)
        if mode == AUTOPILOT_OFF:
            if pilot is not None:
                pilot.carer.abandon()
                del self.pilots[pet_id]
            return
        if pilot is None:
            pilot = self.pilots[pet_id] = Pilot(pet_id, owner_id, mode, minutes)
            if self._configured is not None:  # any thread: the loop wakes up for it
                self.scheduler.call_soon(self._configured.set)
        elif pilot.mode != mode:
            pilot.carer.abandon()
            pilot.active = False
            pilot.call_since = None
        pilot.mode, pilot.minutes = mode, minutes
        pilot.due = 0.0

    def forget(self, pet_id: str) -> None:
        self.pilots.pop(pet_id, None)

    def json(self, pet_id: str, minutes: int = AUTOPILOT_MINUTES) -> dict:
        pilot = self.pilots.get(pet_id)
        return pilot.json() if pilot is not None else off_json(minutes)

    # --- the loop ----------------------------------------------------------------------

    async def start(self) -> None:
        self._configured = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="pygotchi-autopilot")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.step()
            except Exception:
                logging.getLogger("pygotchi").exception("autopilot pass failed")
            await asyncio.sleep(STEP)
            assert self._configured is not None
            self._configured.clear()
            if not self.pilots:  # no pet has one: sleep until one is switched on
                await self._configured.wait()

    async def step(self) -> None:
        """One pass: every pet whose next look is due."""
        now = self.scheduler.clock.now()
        for pilot in list(self.pilots.values()):
            if pilot.due > now:
                continue
            live = self.scheduler.get(pilot.pet_id, pilot.owner_id)
            if live is None:
                self.forget(pilot.pet_id)
                continue
            await self._look_after(pilot, live, now)

    async def _look_after(self, pilot: Pilot, live: LivePet, now: float) -> None:
        if live.error is not None or live.paused or live.catch_up is not None:
            pilot.due = now + WATCH_EVERY
            return
        quiet_until = live.owner_pressed_at + OWNER_QUIET
        if quiet_until > now:
            pilot.carer.abandon()  # the owner has the buttons: whatever it was doing
            pilot.due = quiet_until
            return
        seq, frame, _, _, out = await run_in_threadpool(live.screen_now, now)
        self.scheduler.publish(live, out)
        view = View(frame, live.tick / TICKS_PER_SECOND, any(e.on for e in out.buzzer),
                    tuple(live.machine.model.icons))
        if pilot.mode == "unanswered" and not pilot.active:
            self._watch(pilot, live, view, now)
            return
        if pilot.mode == "always":
            pilot.active = True
        command = pilot.carer.next(view)
        self._log_actions(pilot, live, now)
        if isinstance(command, Press):
            release, out = await run_in_threadpool(
                live.press_for, [command.button], max(HOLD_MS, command.hold * 1000),
                self.scheduler.clock.now(), "autopilot")
            self.scheduler.publish(live, out)
            self.scheduler.nudge(live)
            pilot.due = now + command.hold + command.then
        else:
            pilot.due = now + command.seconds
            if pilot.mode == "unanswered" and not pilot.carer.busy and not view.seen.attention:
                pilot.active = False  # content and quiet: hand back to the owner
                self._note(pilot, live, now, "autopilot handed back: the pet is content")

    def _watch(self, pilot: Pilot, live: LivePet, view: View, now: float) -> None:
        seen = view.seen
        if seen.attention and live.owner_pressed_at < (pilot.call_since or now):
            pilot.call_since = pilot.call_since or now
            waited = now - pilot.call_since
            if waited >= pilot.minutes * 60:
                pilot.active = True
                pilot.call_since = None
                self._note(pilot, live, now, f"autopilot took over: a call went unanswered for "
                                f"{pilot.minutes} min")
                pilot.due = now
                return
        else:
            pilot.call_since = None
        pilot.due = now + WATCH_EVERY

    def _note(self, pilot: Pilot, live: LivePet, now: float, text: str) -> None:
        pilot.note(now, text)
        if self.timeline is not None:
            self.timeline(pilot.pet_id, pilot.owner_id,
                          [PetEvent("autopilot", live.tick, now, {"text": text}, notify=False)])

    def _log_actions(self, pilot: Pilot, live: LivePet, now: float) -> None:
        actions = pilot.carer.actions
        for action in actions[pilot.seen_actions:]:
            if action.ok:
                self._note(pilot, live, now, f"autopilot {action.text}")
        pilot.seen_actions = len(actions)
        if len(actions) > 1000:  # the server keeps only the recent ones
            del actions[:-100]
            pilot.seen_actions = len(actions)


__all__ = ["Autopilot", "OWNER_QUIET", "Pilot", "off_json"]
