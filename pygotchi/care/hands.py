"""How the carer works the toy's menus: the button presses, kept apart from the decisions.

Each errand is a generator. It yields what the hands do next (``Press`` a
button, or ``Wait``) and is sent back a ``View`` of the toy after it, so it
can check that the press did what was meant (that the right icon lit, that
the arrow moved) and try again if the toy was busy with an animation, as a
person does. The same errands run against a machine in a loop (``drive``) or
against a live pet in real time (the server).

Menus of the P1 and P2: A moves through the icons (food, light, game,
medicine, toilet, status, discipline), B chooses, C goes back. Two-line
menus (meal/snack, light on/off) show an arrow; A moves it, B confirms.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field

from pygotchi.care.look import P1_ICONS, Look, look
from pygotchi.care.sprites import GUESS_LEFT, GUESS_RIGHT, frame_rows


@dataclass(frozen=True)
class Press:
    """Press ``button`` for ``hold`` seconds, then let ``then`` seconds pass before looking."""

    button: str
    hold: float = 0.1
    then: float = 0.5


@dataclass(frozen=True)
class Wait:
    """Let ``seconds`` of the toy's time pass, then look again."""

    seconds: float


Command = Press | Wait


@dataclass(frozen=True)
class View:
    """What the carer is shown after each command."""

    frame: bytes  # the 65-byte LCD frame
    seconds: float  # the toy's time
    beeped: bool = False  # the buzzer sounded since the last view
    icon_names: tuple[str, ...] = field(default=P1_ICONS, compare=False)

    @property
    def seen(self) -> Look:
        return look(self.frame, self.icon_names)


Errand = Generator[Command, View, object]

# How long the P1's animations take (seen in the emulator), with some slack.
EAT_SECONDS = 6.0
FLUSH_SECONDS = 6.0
SHOT_SECONDS = 6.0
SCOLD_SECONDS = 4.0
ROUND_SECONDS = 3.6  # one round of the left/right game, press to next question


def press(button: str, then: float = 0.5) -> Errand:
    view = yield Press(button, then=then)
    return view


def wait(seconds: float) -> Errand:
    view = yield Wait(seconds)
    return view


def home(view: View) -> Errand:
    """Back to the plain pet screen: C until no menu icon is lit and no page shows."""
    for _ in range(6):
        seen = view.seen
        if seen.idle and not seen.clock_unset:
            return view
        view = yield from press("C", then=0.8)
    return view


def select(view: View, icon: str) -> Errand:
    """Light the menu icon ``icon`` with A, checking each step; False if it never lit."""
    view = yield from home(view)
    for _ in range(12):
        if view.seen.selected == icon:
            return True, view
        view = yield from press("A", then=0.5)
    return False, view


def choose_line(view: View, line: int) -> Errand:
    """In a two-line menu, move the arrow to ``line`` (0 top, 1 bottom) and confirm with B."""
    for _ in range(4):
        at = view.seen.arrow
        if at == line:
            view = yield from press("B", then=0.5)
            return True, view
        if at is None:
            view = yield from wait(0.5)
            continue
        view = yield from press("A", then=0.4)
    return False, view


def open_menu(view: View, icon: str) -> Errand:
    """Select ``icon`` and press B; (done, view)."""
    ok, view = yield from select(view, icon)
    if not ok:
        return False, view
    view = yield from press("B", then=0.6)
    return True, view


@dataclass
class StatusReading:
    hungry: int | None = None
    happy: int | None = None
    discipline: int | None = None


def read_status(view: View) -> Errand:
    """Open the status pages and read the hearts and the discipline bar on each."""
    ok, view = yield from open_menu(view, "status")
    reading = StatusReading()
    if not ok:
        return reading, view
    for _ in range(6):
        seen = view.seen
        if seen.page == "hungry" and seen.hearts is not None:
            reading.hungry = seen.hearts
        elif seen.page == "happy" and seen.hearts is not None:
            reading.happy = seen.hearts
        elif seen.page == "discipline":
            reading.discipline = seen.discipline
        if reading.hungry is not None and reading.happy is not None:
            break
        view = yield from press("A", then=0.5)
    view = yield from home(view)
    return reading, view


def feed(view: View, snack: bool) -> Errand:
    """Food menu, the meal (top line) or the snack (bottom line)."""
    ok, view = yield from open_menu(view, "food")
    if ok:
        ok, view = yield from choose_line(view, 1 if snack else 0)
        if ok:
            view = yield from wait(EAT_SECONDS)
    view = yield from home(view)
    return ok, view


def set_light(view: View, on: bool) -> Errand:
    ok, view = yield from open_menu(view, "light")
    if ok:
        ok, view = yield from choose_line(view, 0 if on else 1)
        if ok:
            view = yield from wait(1.5)
    view = yield from home(view)
    return ok, view


def simple(view: View, icon: str, seconds: float) -> Errand:
    """Menus that act at once on B: medicine, toilet, discipline."""
    ok, view = yield from open_menu(view, icon)
    if ok:
        view = yield from wait(seconds)
    view = yield from home(view)
    return ok, view


def answer(view: View) -> Errand:
    """A call on a toy whose menus are unknown: one press of C, then see if it stopped."""
    view = yield from press("C", then=1.0)
    return not view.seen.attention, view


def play(view: View, rounds: int = 5) -> Errand:
    """The P1's left/right game: five guesses, each shown by an arrow beside the pet.

    A press made during an animation is ignored by the toy, so each guess is
    repeated until its arrow shows.
    """
    ok, view = yield from open_menu(view, "game")
    if not ok:
        view = yield from home(view)
        return False, view
    view = yield from wait(1.0)
    played = 0
    for _ in range(4 * rounds):
        if played == rounds or view.seen.selected != "game":
            break
        view = yield from press("A", then=0.3)
        shown = False
        for _ in range(4):
            rows = frame_rows(view.frame)
            if GUESS_LEFT.find(rows) or GUESS_RIGHT.find(rows):
                shown = True
                break
            view = yield from wait(0.25)
        if shown:
            played += 1
            view = yield from wait(ROUND_SECONDS)
    view = yield from wait(6.0)  # the score and the pet's reaction
    view = yield from home(view)
    return played == rounds, view


def set_clock(view: View, hour: int) -> Errand:
    """A new toy: B shows the clock; if it says SET, A sets the hour and C starts it."""
    view = yield from press("B", then=0.8)
    if not view.seen.clock_unset:
        view = yield from press("B", then=0.8)  # the clock was set: back to the pet
        return False, view
    for _ in range(hour % 24):
        view = yield from press("A", then=0.4)
    view = yield from press("C", then=0.8)
    view = yield from press("B", then=0.8)
    return True, view
