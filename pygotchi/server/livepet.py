"""A pet in memory: its machine, its clock, its viewers and the buttons held on it.

The pet's clock maps wall time to emulated time: while it runs, the tick it
should be at is ``anchor_tick + (now - anchor_wall) * 32768``. Pausing freezes
the machine; resuming (or loading a state, or a reset) moves the anchor to
"now", so no time is skipped. The wall-clock instant of the machine's current
state follows from the same mapping, and that is what a checkpoint stores.

Changes that must survive (pause, resume, reset, a loaded state) raise the
pet's ``version`` and hand back a :class:`Before` to undo them with, should
saving them fail; ``change_lock`` lets one such change at a time be applied
and saved (see ``Scheduler.change``).

Threads: every method that touches the machine takes ``lock`` and runs in a
worker thread, never on the event loop. The fields marked *loop* below are
only read and written on the event loop (scheduler bookkeeping and viewers).

Run listeners (``listeners``; the call detector of ``petevents``) see the
output of every run of the machine, in that worker thread with the lock held,
and the owner's pauses, resets and loaded states (``lifecycle``). They are
how the server hears a pet nobody watches, without running it more often.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import NamedTuple

from pygotchi.emu import TICKS_PER_SECOND, BuzzerEvent, EmuError, Machine
from pygotchi.server import wire
from pygotchi.server.viewers import Viewer
from pygotchi.store.pets import Checkpoint

FRESH_FRAMES_S = 10  # emulated seconds after a button during which frames stay current
TAP_MS = 100  # how long a websocket "tap" touches the sensor

# The shortest press, in ticks (1/32 s). ROMs poll their keys: the P1 reads them on
# its programmable-timer interrupt every 7/256 s (896 ticks), so a press shorter
# than that can fall between two readings and vanish. Measured on the P1 ROM by
# pressing B at every tick of a 3,000-tick window: 896 ticks miss one phase, 897
# catch them all (tests/server/test_quick_taps.py). Over a jittery network a
# press and its release can arrive in the same millisecond, so the server holds
# every press at least this long in emulated time.
MIN_HOLD_TICKS = 1024


@dataclass(slots=True)
class Output:
    """What one advance produced, to publish on the event loop."""

    buzzer: list[BuzzerEvent] = field(default_factory=list)
    frame_changed: bool = False
    pressed_changed: bool = False


class Before(NamedTuple):
    """A pet as it was before a change, to put back if the change cannot be saved."""

    state: bytes
    anchor_wall: float
    anchor_tick: int
    paused: bool
    holds: dict[str, set[str]]
    down_tick: dict[str, int]
    release_at: int | None
    version: int


@dataclass
class CatchUp:
    """Progress of a long fast-forward (loop)."""

    start_tick: int
    started_at: float
    last_status: float = 0.0
    last_log: float = 0.0


class LivePet:
    def __init__(self, *, pet_id: str, owner_id: int, machine: Machine, paused: bool,
                 policy: str, anchor_wall: float, anchor_tick: int | None = None,
                 version: int = 0) -> None:
        self.id = pet_id
        self.owner_id = owner_id
        self.machine = machine
        self._cpu = machine.cpu  # the machine's for its lifetime (reset and loads keep it)
        self.lock = threading.Lock()
        self.change_lock = threading.Lock()
        self.version = version  # state_version of the state in memory
        self.saving = False  # a change is applied but not yet saved: no checkpoint now
        self.paused = paused
        self.policy = policy
        self.anchor_wall = anchor_wall
        self.anchor_tick = machine.tick if anchor_tick is None else anchor_tick
        self.tick = machine.tick  # last known machine tick, readable without the lock
        self.buttons = machine.buttons
        self.pressed: tuple[str, ...] = machine.pressed()
        self.holds: dict[str, set[str]] = {}
        self.owner_pressed_at = 0.0  # wall time of the owner's last button (the autopilot waits)
        self._down_tick: dict[str, int] = {}  # when each held button went down
        # Which buttons are down changes only through the methods below, or when a timed
        # release comes due: look at the machine only then, not after every advance.
        self._check_pressed = False
        self._release_at: int | None = None
        self._version = machine.screen_version
        self._fresh_until = 0  # tick until which frames are kept current (see _collect)
        self.frame: tuple[int, bytes] = (1, machine.screen().frame)  # (seq, frame)
        self.saved_tick = machine.tick  # tick of the last checkpoint written
        self.dirty = False  # changed in a way the tick does not show (buttons, reset...)
        self.removed = False
        self.error: str | None = None
        self.macro: str | None = None  # (loop) the server is pressing buttons for the owner
        # loop-only scheduler and viewer bookkeeping
        self.busy = False
        self.last_run = 0.0
        self.hot_until = 0.0
        self.catch_up: CatchUp | None = None
        self.viewers: set[Viewer] = set()
        # run listeners (worker threads, lock held): after_run(pet, out), lifecycle(pet, kind)
        self.listeners: list = []
        self.presses = 0  # button presses so far (a listener tells answers by it)
        self.lifecycle_data: dict | None = None  # details of the change listeners hear of
        self.last_now = anchor_wall  # the wall-clock instant of the latest run

    # --- clock (call with the lock held, or accept a racy read) -----------------

    def target_tick(self, now: float) -> int:
        if self.paused:
            return self.tick
        return self.anchor_tick + int((now - self.anchor_wall) * TICKS_PER_SECOND)

    def lag_seconds(self, now: float) -> float:
        return max(0, self.target_tick(now) - self.tick) / TICKS_PER_SECOND

    def wall_of_state(self, now: float) -> float:
        """The wall-clock instant the machine's current state belongs to."""
        if self.paused:
            return now
        return self.anchor_wall + (self.machine.tick - self.anchor_tick) / TICKS_PER_SECOND

    def wall_at(self, tick: int) -> float:
        """The wall-clock instant the pet was (or will be) at ``tick``."""
        return self.anchor_wall + (tick - self.anchor_tick) / TICKS_PER_SECOND

    def _reanchor(self, now: float) -> None:
        self.anchor_wall = now
        self.anchor_tick = self.machine.tick
        self.last_now = now

    def _lifecycle(self, kind: str, now: float) -> None:
        """Tell the run listeners of a change the owner made (paused, resumed, reset,
        state_loaded, restored) before they see its output (lock held)."""
        self.last_now = now
        for listener in self.listeners:
            listener.lifecycle(self, kind)

    # --- driving the machine (worker threads) ----------------------------------

    def run_target(self, now: float, limit: int | None = None) -> int:
        """The tick to run to now, at most ``limit`` ticks ahead (with the lock held)."""
        self.last_now = now
        target = self.target_tick(now)
        if limit is not None:
            target = min(target, self.machine.tick + limit)
        return target

    def _run(self, now: float, limit: int | None = None) -> None:
        target = self.run_target(now, limit)
        if target > self.machine.tick:
            self.machine.run_until(target)

    def _collect(self, want_frame: bool = False) -> Output:
        """What the last run changed. The frame is built only for someone who looks.

        Nobody watches most pets: packing their LCD after every run cost more than
        running them. ``frame`` is kept current while a viewer is there, and for
        ``FRESH_FRAMES_S`` of emulated time after a button (whoever pressed it,
        a person, the toy clock setter or the autopilot, reads the screen next);
        otherwise it stays behind until ``want_frame`` asks for it
        (``refresh_frame``, ``screen_now``).
        """
        m = self.machine
        cpu = self._cpu
        tick = cpu.tick
        out = Output(m.buzzer_events()) if cpu.bz_count else Output()
        if self._check_pressed or self._release_at is not None:
            self._fresh_until = max(self._fresh_until, max(tick, self._release_at or 0)
                                    + FRESH_FRAMES_S * TICKS_PER_SECOND)
            due = self._release_at is not None and tick >= self._release_at
            if self._check_pressed or due:
                self._check_pressed = False
                if due:
                    self._release_at = None
                pressed = m.pressed()
                if pressed != self.pressed:
                    self.pressed = pressed
                    out.pressed_changed = True
        version = cpu.lcd_version
        if version != self._version and (want_frame or self.viewers
                                          or tick <= self._fresh_until):
            self._version = version
            frame = m.screen().frame
            if frame != self.frame[1]:
                self.frame = (self.frame[0] + 1, frame)
                out.frame_changed = True
        self.tick = tick
        for listener in self.listeners:
            listener.after_run(self, out)
        return out

    def advance(self, now: float, limit: int | None = None) -> Output:
        """Run up to the tick ``now`` calls for (at most ``limit`` ticks further)."""
        with self.lock:
            self._run(now, limit)
            return self._collect()

    def collect(self) -> Output:
        """After a batch run, with the lock held."""
        return self._collect()

    def refresh_frame(self, wait: bool = True) -> Output | None:
        """Bring ``frame`` up to date with the machine, without running it.

        With ``wait=False`` it gives up (None) if the pet is busy, leaving ``frame``
        as it was: for glances that must never wait for a run.
        """
        if not self.lock.acquire(blocking=wait):
            return None
        try:
            return self._collect(want_frame=True)
        finally:
            self.lock.release()

    def button_name(self, button: str) -> str:
        """The model's name for ``button`` (case-insensitive; T = TAP); EmuError if none."""
        name = button.strip().upper()
        if name == "T":
            name = "TAP"
        if name not in self.buttons:
            known = ", ".join(self.buttons)
            raise EmuError(f"this pet has no button {button!r}; its buttons are {known}")
        return name

    @property
    def release_due(self) -> int | None:
        """The tick of a scheduled release still to come (a short press held longer)."""
        due = self._release_at
        return due if due is not None and due > self.tick else None

    def hold(self, button: str, down: bool, holder: str, now: float) -> Output:
        """Press or release ``button`` for ``holder`` at the pet's present instant.

        A button stays down while any holder (a websocket, a REST client) holds it.
        """
        name = self.button_name(button)
        self.owner_pressed_at = now
        with self.lock:
            self._run(now)
            holders = self.holds.setdefault(name, set())
            if down:
                holders.add(holder)
                self.presses += 1
            else:
                holders.discard(holder)
            self._apply_holds(name)
            self.dirty = self._check_pressed = True
            return self._collect()

    def _apply_holds(self, name: str) -> None:
        """Put ``name`` down or up as its holders say, holding every press long enough.

        A release that comes before MIN_HOLD_TICKS have passed since the press is
        scheduled for then, in emulated time; a new press cancels it.
        """
        m = self.machine
        if self.holds.get(name):
            if name not in self._down_tick or name not in m.pressed():
                m.cancel_pending(name)
                m.press(name)
                self._down_tick[name] = m.tick
            return
        pressed_at = self._down_tick.pop(name, None)
        earliest = m.tick if pressed_at is None else pressed_at + MIN_HOLD_TICKS
        if m.tick >= earliest:
            m.release(name)
        else:
            m.release(name, at_tick=earliest)
            self._release_at = max(self._release_at or 0, earliest)

    def release_all(self, holder: str, now: float) -> Output | None:
        with self.lock:
            held = [name for name, holders in self.holds.items() if holder in holders]
            if not held:
                return None
            self._run(now)
            for name in held:
                self.holds[name].discard(holder)
                self._apply_holds(name)
            self.dirty = self._check_pressed = True
            return self._collect()

    def press_for(self, buttons: list[str], ms: float, now: float,
                  by: str = "owner") -> tuple[int, Output]:
        """Press ``buttons`` together now and release them ``ms`` later, in emulated time.

        ``by`` is "owner" or "autopilot" (which waits while the owner presses).
        Returns the tick of the release and what the press changed.
        """
        names = [self.button_name(b) for b in buttons]
        if by == "owner":
            self.owner_pressed_at = now
        with self.lock:
            self._run(now)
            m = self.machine
            release_at = m.tick + max(MIN_HOLD_TICKS, round(ms * TICKS_PER_SECOND / 1000))
            for name in names:
                m.cancel_pending(name)
                m.press(name)
            self.presses += 1
            for name in names:
                m.release(name, at_tick=release_at)
            self.dirty = self._check_pressed = True
            self._release_at = max(self._release_at or 0, release_at)
            return release_at, self._collect()

    def press_plan(self, plan: list[tuple[tuple[str, ...], float, float]],
                   now: float) -> tuple[int, Output]:
        """Schedule presses in emulated time from now: (buttons, start ms, hold ms) each.

        Returns the tick of the last release. The whole plan is queued on the machine
        at once, so network and thread jitter cannot squeeze two presses together.
        """
        ms = TICKS_PER_SECOND / 1000
        with self.lock:
            self._run(now)
            m = self.machine
            end = m.tick
            for names, start, hold in plan:
                names = tuple(self.button_name(b) for b in names)
                down = m.tick + round(start * ms)
                up = down + max(MIN_HOLD_TICKS, round(hold * ms))
                for name in names:
                    m.press(name, at_tick=down)
                for name in names:
                    m.release(name, at_tick=up)
                end = max(end, up)
            self.dirty = True
            self._release_at = max(self._release_at or 0, end)
            return end, self._collect()

    def _before(self) -> Before:
        return Before(self.machine.save_state(), self.anchor_wall, self.anchor_tick,
                      self.paused, {k: set(v) for k, v in self.holds.items()},
                      dict(self._down_tick), self._release_at, self.version)

    def _changed(self, kind: str, now: float) -> Output:
        self.version += 1
        self.saving = True
        self.dirty = True
        self._lifecycle(kind, now)
        return self._collect()

    def set_paused(self, paused: bool, now: float) -> tuple[Output, Before]:
        with self.lock:
            before = self._before()
            if paused and not self.paused:
                self._run(now)
                self.paused = True
            elif not paused and self.paused:
                self.paused = False
                self._reanchor(now)
            return self._changed("paused" if paused else "resumed", now), before

    def _fresh_machine_state(self, now: float) -> None:
        self.holds.clear()
        self._down_tick.clear()
        self._version = -1
        self._check_pressed = True
        self._release_at = None
        self._reanchor(now)

    def reset(self, now: float) -> tuple[Output, Before]:
        with self.lock:
            before = self._before()
            self.machine.reset()
            self._fresh_machine_state(now)
            return self._changed("reset", now), before

    def load_state(self, data: bytes, now: float, kind: str = "state_loaded",
                   details: dict | None = None) -> tuple[Output, Before]:
        """Load a state file; StateError leaves the pet exactly as it was.

        ``kind`` and ``details`` are what run listeners (the timeline) hear of it: a
        restore point going back in is ``restored``.
        """
        with self.lock:
            before = self._before()
            self.machine.load_state(data)
            for name in self.buttons:
                self.machine.set_button(name, False)
            self._fresh_machine_state(now)
            self.lifecycle_data = details
            try:
                return self._changed(kind, now), before
            finally:
                self.lifecycle_data = None

    def restore(self, before: Before) -> Output:
        """Undo a change that could not be saved: the pet is as it was before it."""
        with self.lock:
            self.machine.load_state(before.state)
            self.anchor_wall, self.anchor_tick = before.anchor_wall, before.anchor_tick
            self.paused = before.paused
            self.holds = before.holds
            self._down_tick = dict(before.down_tick)
            self._release_at = before.release_at
            self.version = before.version
            self._version = -1
            self._check_pressed = True
            self.saving = False
            self.dirty = True
            return self._collect()

    def saved(self) -> None:
        """The change in hand is on disk: checkpoints may go on."""
        with self.lock:
            self.saving = False

    def export(self, fmt: str, now: float) -> tuple[bytes, Output]:
        """The pet's state at the present instant, as ``pygotchi`` or ``tlst`` bytes."""
        with self.lock:
            self._run(now)
            out = self._collect()
            data = self.machine.export_tlst() if fmt == "tlst" else self.machine.save_state()
            return data, out

    def snapshot(self, now: float) -> tuple[bytes, int, float, bytes, Output]:
        """(state, tick, wall instant, LCD frame, output) at the present instant."""
        with self.lock:
            self._run(now)
            out = self._collect()
            m = self.machine
            return m.save_state(), m.tick, self.wall_of_state(now), m.screen().frame, out

    def screen_now(self, now: float) -> tuple[int, bytes, bool, int, Output]:
        """(seq, frame, buzzer on, buzzer deci-hertz, output) at the present instant."""
        with self.lock:
            self._run(now)
            out = self._collect(want_frame=True)
            on, dhz = self.machine.buzzer
            seq, frame = self.frame
            return seq, frame, on, dhz, out

    def checkpoint(self, now: float, *, change: bool = False) -> Checkpoint | None:
        """A snapshot to save, of the version in memory; None while a change is being
        saved (unless it is that change's own snapshot, ``change=True``)."""
        with self.lock:
            if self.saving and not change:
                return None
            return Checkpoint(self.id, self.machine.save_state(), self.machine.tick,
                              self.wall_of_state(now), self.version, self.paused)

    def needs_checkpoint(self) -> bool:
        return self.dirty or self.tick != self.saved_tick

    def mark_saved(self, checkpoint: Checkpoint) -> None:
        with self.lock:
            if checkpoint.version == self.version:
                self.saved_tick = checkpoint.tick
                self.dirty = False

    # --- what viewers see (loop) --------------------------------------------------

    @property
    def status(self) -> str:
        if self.paused:
            return "paused"
        if self.catch_up is not None:
            return "catching_up"
        return "running"

    def unplayable(self) -> tuple[str, str] | None:
        """(code, sentence) saying why buttons cannot be pressed now, or None."""
        if self.macro is not None:
            return "busy", ("the server is setting the pet's clock; its buttons are free "
                            "again in a moment")
        if self.paused:
            return "paused", "the pet is paused: resume it to press its buttons"
        if self.catch_up is not None:
            return "catching_up", ("the pet is still catching up on the time the server was "
                                   "down; try again in a moment")
        return None

    def catch_up_progress(self, now: float) -> dict | None:
        c = self.catch_up
        if c is None or self.paused:
            return None
        done = (self.tick - c.start_tick) / TICKS_PER_SECOND
        total = (self.target_tick(now) - c.start_tick) / TICKS_PER_SECOND
        return {"done_s": round(max(0.0, done), 1), "total_s": round(max(done, total), 1)}

    def status_dict(self, now: float) -> dict:
        return {"status": self.status, "emulated_seconds": round(self.tick / TICKS_PER_SECOND, 3),
                "tick": self.tick, "catch_up": self.catch_up_progress(now),
                "pressed": list(self.pressed)}

    def broadcast_status(self, now: float) -> None:
        if self.viewers:
            message = wire.status_message(self.status_dict(now))
            for viewer in self.viewers:
                viewer.send(message)

    def publish(self, out: Output, now: float) -> None:
        """Send what changed to every viewer: the newest screen, every beep, button changes."""
        if not self.viewers:
            return
        seq, frame = self.frame
        message = None
        for viewer in self.viewers:
            if viewer.seq != seq:
                message = message or wire.screen_message(seq, frame)
                viewer.seq = seq
                viewer.send_screen(message)
        if out.buzzer and self.catch_up is None:
            for message in wire.buzzer_messages(out.buzzer):
                for viewer in self.viewers:
                    viewer.send(message)
        if out.pressed_changed:
            self.broadcast_status(now)

    def welcome(self, viewer: Viewer, now: float) -> None:
        """What a new viewer gets first: the status, then the current screen."""
        viewer.send(wire.status_message(self.status_dict(now)))
        seq, frame = self.frame
        viewer.seq = seq
        viewer.send_screen(wire.screen_message(seq, frame))

    def close_viewers(self, code: int, reason: str) -> None:
        for viewer in list(self.viewers):
            viewer.close(code, reason)
        self.viewers.clear()
