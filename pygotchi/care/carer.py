"""The carer: glances at the toy, decides with ``rules``, does it with ``hands``.

``Carer.next(view)`` is the whole interface: give it what the toy shows now,
get back what to do (press a button, or wait and look again). It keeps no
machine and no clock of its own, so one carer type serves the command line
(``drive`` runs a machine as fast as it goes) and the server (real time,
through the owner's button path).

While nothing needs doing it looks every ``look_every`` seconds of the toy's
time, at once after a beep; the P1 counts a care mistake when a call stays
unanswered for about 15 minutes, so a glance every half minute is plenty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pygotchi.care import hands
from pygotchi.care.hands import Command, StatusReading, View, Wait
from pygotchi.care.rules import DESCRIPTIONS, FULL, Knowledge, decide

CALL_LIMIT = 15 * 60.0  # an unanswered call becomes a care mistake after this long
REPEAT_LIMIT = 6  # the same errand this many times running: the toy is not having it
FAIL_LIMIT = 3  # or this many failures running (a menu that never opened)
BACK_OFF = 600.0  # then leave that errand alone this long


@dataclass(frozen=True)
class Action:
    """One errand done: at the toy's time ``at`` (seconds), ``kind`` (see rules.DESCRIPTIONS)."""

    at: float
    kind: str
    ok: bool = True

    @property
    def text(self) -> str:
        what = DESCRIPTIONS.get(self.kind, self.kind)
        return what if self.ok else f"tried: {what}"


@dataclass
class Carer:
    look_every: float = 30.0
    status_every: float = 3600.0
    clock_hour: int = 8  # what a fresh toy's clock is set to
    only: frozenset[str] | None = None  # errands allowed (None: all); see the CLI's --off
    actions: list[Action] = field(default_factory=list)
    missed_calls: int = 0  # calls it saw go unanswered past CALL_LIMIT
    last_status: StatusReading | None = None
    dead: bool = False

    def __post_init__(self) -> None:
        self._errand = None
        self._kind: str | None = None
        self._k: Knowledge | None = None
        self._repeat: tuple[str | None, int] = (None, 0)
        self._resting: dict[str, float] = {}
        self._missed_counted = False
        self._failures: dict[str, int] = {}

    # --- the interface ------------------------------------------------------------

    def next(self, view: View) -> Command:
        """What to do now, given what the toy shows."""
        if self._errand is not None:
            try:
                return self._errand.send(view)
            except StopIteration as stop:
                self._finish(stop.value, view)
        return self._plan(view)

    def abandon(self) -> None:
        """Drop the errand under way (the owner took the buttons)."""
        if self._errand is not None:
            self._errand.close()
        self._errand = None
        self._kind = None

    @property
    def busy(self) -> bool:
        return self._errand is not None

    # --- deciding -------------------------------------------------------------------

    def _knowledge(self, view: View) -> Knowledge:
        seen = view.seen
        k = self._k
        if k is None:
            k = self._k = Knowledge(seen=seen, now=view.seconds, status_every=self.status_every)
        k.seen, k.now = seen, view.seconds
        if seen.asleep:
            k.z_seen_at = view.seconds
        if seen.egg:
            k.egg_seen_at = view.seconds
        if seen.attention and seen.idle:
            if k.call_since is None:
                k.call_since = view.seconds
                self._missed_counted = False
            elif view.seconds - k.call_since > CALL_LIMIT and not self._missed_counted:
                self.missed_calls += 1
                self._missed_counted = True
        elif seen.idle and not seen.attention:
            k.call_since = None
        if not seen.sick and seen.idle:
            k.medicine_in_a_row = 0
        return k

    def _plan(self, view: View) -> Command:
        k = self._knowledge(view)
        if view.seen.dead:
            self.dead = True
            return Wait(self.look_every)
        self.dead = False
        k.resting = frozenset(n for n, until in self._resting.items() if until > view.seconds)
        if self.only is not None:
            k.resting |= frozenset(DESCRIPTIONS) - self.only
        kind = decide(k)
        if kind is None:
            self._repeat = (None, 0)
            return Wait(1.0 if view.beeped else self.look_every)
        last, count = self._repeat
        if kind != "status":  # looking between two tries does not break a run
            count = count + 1 if last == kind else 1
            self._repeat = (kind, count)
        if kind != "status" and count > REPEAT_LIMIT:
            self._resting[kind] = view.seconds + BACK_OFF
            self._repeat = (None, 0)
            return Wait(self.look_every)
        self._kind = kind
        self._errand = self._start(kind, view)
        try:
            return next(self._errand)
        except StopIteration as stop:
            self._finish(stop.value, view)
            return Wait(self.look_every)

    def _start(self, kind: str, view: View):
        if kind == "set_clock":
            return hands.set_clock(view, self.clock_hour)
        if kind == "light_off":
            return hands.set_light(view, on=False)
        if kind == "light_on":
            return hands.set_light(view, on=True)
        if kind == "medicine":
            return hands.simple(view, "medicine", hands.SHOT_SECONDS)
        if kind == "clean":
            return hands.simple(view, "toilet", hands.FLUSH_SECONDS)
        if kind == "scold":
            return hands.simple(view, "discipline", hands.SCOLD_SECONDS)
        if kind == "answer":
            return hands.answer(view)
        if kind == "status":
            return hands.read_status(view)
        if kind == "meal":
            return hands.feed(view, snack=False)
        if kind == "snack":
            return hands.feed(view, snack=True)
        if kind == "game":
            return hands.play(view)
        raise ValueError(f"no errand {kind!r}")

    def _finish(self, result, view: View) -> None:
        kind, self._kind, self._errand = self._kind, None, None
        k = self._knowledge(view)
        ok = bool(result[0]) if isinstance(result, tuple) else True
        reading = None
        if kind == "status":
            reading = result[0] if isinstance(result, tuple) else None
            ok = reading is not None and reading.hungry is not None and reading.happy is not None
        if kind is not None:
            failures = 0 if ok else self._failures.get(kind, 0) + 1
            self._failures[kind] = failures
            if failures >= FAIL_LIMIT:
                self._failures[kind] = 0
                self._resting[kind] = view.seconds + BACK_OFF
        if kind == "status":
            if ok:
                k.status, k.status_at = reading, view.seconds
                self.last_status = reading
                if reading.happy >= FULL:
                    k.games_in_a_row = 0
            return  # looking is not an action
        if kind == "set_clock":
            k.clock_checked = True
            if not ok:
                return  # it was set already: nothing done
        elif kind in ("meal", "snack", "game"):
            k.status = None  # look again before the next helping
            if kind == "game":
                k.games_in_a_row += 1
            elif kind == "snack":
                k.games_in_a_row = 0
        elif kind == "medicine":
            k.medicine_in_a_row += 1
        elif kind == "answer":
            self._resting[kind] = view.seconds + 60.0  # one press a minute at most
        if kind is not None:
            self.actions.append(Action(view.seconds, kind, ok))
