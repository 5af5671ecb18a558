"""The menu errands against a tiny stand-in toy with the P1's menu logic (no ROM)."""

from __future__ import annotations

from pygotchi.care import hands, sprites
from pygotchi.care.hands import Press, View, Wait
from pygotchi.care.look import P1_ICONS
from tests.care.helpers import blank, draw, frame, pet

MENU = P1_ICONS[:7]


class FakeToy:
    """A, B, C like the P1: A walks the icons (ignored while ``busy`` presses remain)."""

    def __init__(self, busy: int = 0) -> None:
        self.icon: int | None = None
        self.arrow: int | None = None  # two-line menu open
        self.busy = busy
        self.log: list[str] = []
        self.t = 0.0

    def view(self) -> View:
        c = blank()
        pet(c)
        if self.arrow is not None:
            c = blank()
            draw(c, sprites.ARROW, 1, 1 if self.arrow == 0 else 9)
        icons = (MENU[self.icon],) if self.icon is not None else ()
        return View(frame(c, *icons), self.t)

    def apply(self, command) -> None:
        if isinstance(command, Wait):
            self.t += command.seconds
            return
        self.t += command.hold + command.then
        if self.busy:
            self.busy -= 1  # an animation: the toy ignores the press
            return
        self.log.append(command.button)
        if command.button == "A":
            if self.arrow is not None:
                self.arrow = 1 - self.arrow
            else:
                self.icon = 0 if self.icon is None else (self.icon + 1) % len(MENU)
        elif command.button == "B" and self.icon is not None:
            if MENU[self.icon] in ("food", "light") and self.arrow is None:
                self.arrow = 0
            elif self.arrow is not None:
                self.log.append(f"chose {MENU[self.icon]} line {self.arrow}")
        elif command.button == "C":
            if self.arrow is not None:
                self.arrow = None
            else:
                self.icon = None


def run(toy: FakeToy, errand):
    command = next(errand)
    try:
        while True:
            toy.apply(command)
            command = errand.send(toy.view())
    except StopIteration as stop:
        return stop.value


def test_select_walks_to_the_icon_and_checks_it() -> None:
    toy = FakeToy()
    ok, _ = run(toy, hands.select(toy.view(), "medicine"))
    assert ok and MENU[toy.icon] == "medicine"
    assert toy.log == ["A"] * 4


def test_presses_lost_in_an_animation_are_repeated() -> None:
    toy = FakeToy(busy=3)
    ok, _ = run(toy, hands.select(toy.view(), "game"))
    assert ok and MENU[toy.icon] == "game"


def test_snack_moves_the_arrow_then_confirms_and_goes_home() -> None:
    toy = FakeToy()
    ok, view = run(toy, hands.feed(toy.view(), snack=True))
    assert ok and "chose food line 1" in toy.log
    assert view.seen.idle and toy.icon is None


def test_light_off_is_the_second_line() -> None:
    toy = FakeToy()
    ok, _ = run(toy, hands.set_light(toy.view(), on=False))
    assert ok and "chose light line 1" in toy.log


def test_home_leaves_any_menu() -> None:
    toy = FakeToy()
    toy.icon, toy.arrow = 0, 1
    view = run(toy, hands.home(toy.view()))
    assert view.seen.idle and toy.log == ["C", "C"]


def test_a_menu_that_never_lights_is_given_up() -> None:
    class Deaf(FakeToy):
        def apply(self, command) -> None:
            self.t += getattr(command, "seconds", 0.5)

    toy = Deaf()
    ok, _ = run(toy, hands.select(toy.view(), "status"))
    assert not ok


def test_commands_are_presses_and_waits() -> None:
    assert Press("A").hold > 0 and Wait(1.0).seconds == 1.0
