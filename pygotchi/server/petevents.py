"""What a pet's runs mean: calls, answers, beeps, and the server's own milestones.

A toy calls its owner by lighting its attention icon (and beeping). The
``CallDetector`` is a run listener (see ``LivePet.listeners``): it is handed
each run's output in the worker thread that ran the machine, with the pet's
lock held, whether anyone watches the pet or not, and it never makes the
scheduler advance a pet more often. It costs almost nothing per run: it
compares the display RAM's change counter with the one it saw last, and
only when that moved (and at most once per emulated second) does it read
the attention icon's bit straight from display RAM; a frame is built only
for the snapshot of a new call. A call is heard at most a second of emulated
time late (plus the scheduler's ``idle_interval`` for a pet nobody watches).

Events (``PetEvent``) go to a sink (the ``EventLog``), which writes them to the
timeline and turns calls into notifications:

``call``        the attention icon lit (with the LCD at that moment)
``answered``    a button was pressed while it was lit
``call_ended``  it went out (``answered`` says whether anyone had answered)
``beeps``       the buzzer sounded: one event per burst (beeps less than
                ``BEEP_GAP`` apart), with how many and how long
``paused`` ``resumed`` ``reset`` ``state_loaded`` ``restored``  what the owner did

Events found while a pet fast-forwards through time it missed belong to the
past: they are kept (with their own instants) but ``notify`` is false. A call
still open when the pet is back in the present is announced then
(``calling``, a notification that is not a timeline entry), so that an owner
hears of it once, not of every call of the night.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pygotchi.emu import TICKS_PER_SECOND

LATE_SECONDS = 30.0  # an event this far behind the wall clock is from a catch-up
BEEP_GAP = 10 * TICKS_PER_SECOND  # silence that ends a burst of beeps
LOOK_EVERY = TICKS_PER_SECOND  # look at the icon at most once per emulated second


@dataclass
class PetEvent:
    kind: str
    tick: int
    at: float  # the wall-clock instant of the tick (Unix seconds)
    data: dict = field(default_factory=dict)
    frame: bytes | None = None
    notify: bool = True  # happened in the present (not while catching up)
    call_tick: int = 0  # the tick the current (or last) call began: names the call


Sink = Callable[[str, int, list[PetEvent]], None]  # (pet id, owner id, events)


class CallDetector:
    """One pet's call watch (a run listener). Worker threads, with the pet's lock held."""

    __slots__ = ("sink", "index", "version", "lit", "call_tick", "answered", "presses",
                 "unannounced", "beeps", "beep_first", "beep_last", "cpu", "spots",
                 "next_look")

    def __init__(self, sink: Sink, attention_index: int | None) -> None:
        self.sink = sink
        self.index = attention_index  # None: a model without an attention icon
        self.version = -1
        self.lit = False
        self.call_tick = 0
        self.answered = False
        self.presses = 0
        self.unannounced = False  # a call found in the past, still open
        self.beeps = 0  # beeps of the burst going on, since beep_first (ticks)
        self.beep_first = 0
        self.beep_last = 0
        self.cpu = None
        self.spots: tuple[tuple[int, int], ...] = ()  # (display address, bit mask)
        self.next_look = 0

    def start(self, pet) -> None:
        """Take the pet's present state as known (at load): no event for it."""
        self.cpu = pet.machine.cpu
        if self.index is not None:
            self.spots = tuple((addr, 1 << bit) for addr, bit
                               in pet.machine.glass.icons[self.index])
        self.version = pet.machine.screen_version
        self.lit = self.index is not None and pet.machine.icon_lit(self.index)
        self.call_tick = pet.machine.tick
        self.presses = pet.presses

    def after_run(self, pet, out) -> None:
        # The usual run changes nothing here: say so with as few steps as possible.
        cpu = self.cpu
        if (cpu.lcd_version == self.version or cpu.tick < self.next_look) and not (
                out.buzzer or self.beeps or self.unannounced or pet.presses != self.presses):
            return
        events: list[PetEvent] | None = None
        m = pet.machine
        if out.buzzer:
            for e in out.buzzer:
                if e.on:
                    if not self.beeps:
                        self.beep_first = e.tick
                    self.beeps += 1
                    self.beep_last = e.tick
        if self.beeps and m.tick - self.beep_last > BEEP_GAP:
            events = [self._burst(pet)]
        if pet.presses != self.presses:
            self.presses = pet.presses
            if self.lit and not self.answered:
                self.answered = True
                events = events or []
                events.append(self._event(pet, "answered", m.tick, {
                    "after_s": round((m.tick - self.call_tick) / TICKS_PER_SECOND, 1)}))
        version = cpu.lcd_version
        if version != self.version and self.spots and cpu.tick >= self.next_look:
            self.version = version
            self.next_look = cpu.tick + LOOK_EVERY
            mem = cpu.mem
            lit = False
            for addr, mask in self.spots:
                if mem[addr] & mask:
                    lit = True
                    break
            if lit != self.lit:
                events = events or []
                events.append(self._flip(pet, lit))
        if self.unannounced and self.lit and self._present(pet, m.tick):
            self.unannounced = False
            events = events or []
            events.append(self._event(pet, "calling", self.call_tick, {}))
            events[-1].notify = True
        if events:
            self.sink(pet.id, pet.owner_id, events)

    def lifecycle(self, pet, kind: str) -> None:
        """The owner paused, resumed, reset or loaded a state: a call open before is over."""
        events = [self._burst(pet)] if self.beeps else []
        events.append(self._event(pet, kind, pet.machine.tick, dict(pet.lifecycle_data or {})))
        if kind in ("reset", "state_loaded", "restored"):
            if self.lit:
                events.append(self._event(pet, "call_ended", pet.machine.tick, {
                    "answered": self.answered, "why": kind}))
                events[-1].notify = False
            self.lit = False
            self.answered = False
            self.unannounced = False
            self.version = -1  # look at the icon after the next run, whatever it shows
            self.next_look = 0
            self.cpu = pet.machine.cpu
            self.presses = pet.presses
        self.sink(pet.id, pet.owner_id, events)

    # --- helpers ---------------------------------------------------------------

    def _burst(self, pet) -> PetEvent:
        event = self._event(pet, "beeps", self.beep_first, {
            "count": self.beeps,
            "lasted_s": round((self.beep_last - self.beep_first) / TICKS_PER_SECOND, 1)})
        self.beeps = 0
        return event

    def _flip(self, pet, lit: bool) -> PetEvent:
        m = pet.machine
        self.lit = lit
        if lit:
            self.call_tick = m.tick
            self.answered = False
            event = self._event(pet, "call", m.tick, {}, frame=m.screen().frame)
            self.unannounced = not event.notify
            return event
        self.unannounced = False
        return self._event(pet, "call_ended", m.tick, {
            "answered": self.answered,
            "lasted_s": round((m.tick - self.call_tick) / TICKS_PER_SECOND, 1)})

    def _present(self, pet, tick: int) -> bool:
        return pet.last_now - pet.wall_at(tick) < LATE_SECONDS

    def _event(self, pet, kind: str, tick: int, data: dict, frame: bytes | None = None
               ) -> PetEvent:
        at = pet.wall_at(tick)
        return PetEvent(kind, tick, at, data, frame, notify=pet.last_now - at < LATE_SECONDS,
                        call_tick=self.call_tick)
