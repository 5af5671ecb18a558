"""Every rule, on knowledge built from constructed screens."""

from __future__ import annotations

from pygotchi.care import sprites
from pygotchi.care.hands import StatusReading
from pygotchi.care.look import look
from pygotchi.care.rules import RULES, Knowledge, decide
from tests.care.helpers import blank, draw, frame, pet


def seen_with(*parts, icons=(), dark=False):
    c = blank()
    pet(c)
    for sprite, x, y in parts:
        draw(c, sprite, x, y)
    return look(frame(c, *icons, dark=dark))


def know(seen, status=None, **kw) -> Knowledge:
    k = Knowledge(seen=seen, now=10_000.0, clock_checked=True, **kw)
    if status is not None:
        k.status, k.status_at = status, 9_990.0
    return k


FULL = StatusReading(hungry=4, happy=4)


def test_every_rule_is_tested_here() -> None:
    names = {name for name, _ in RULES}
    assert names == {"set_clock", "light_off", "light_on", "medicine", "clean", "status",
                     "scold", "meal", "game", "snack"}


def test_set_clock_on_a_fresh_egg_once() -> None:
    c = blank()
    draw(c, sprites.EGG[0], 11, 3)
    egg = look(frame(c))
    assert decide(Knowledge(seen=egg, now=1.0)) == "set_clock"
    assert decide(Knowledge(seen=egg, now=1.0, clock_checked=True)) is None


def test_light_off_when_asleep_with_the_light_on() -> None:
    assert decide(know(seen_with((sprites.ZZZ[1], 24, 0)), FULL)) == "light_off"


def test_asleep_in_the_dark_is_left_alone() -> None:
    assert decide(know(seen_with((sprites.ZZZ[0], 24, 0), dark=True), FULL)) is None


def test_light_on_when_dark_and_awake() -> None:
    assert decide(know(look(frame(blank(), dark=True)), FULL)) == "light_on"


def test_medicine_when_a_skull_shows() -> None:
    assert decide(know(seen_with((sprites.SKULL, 25, 1)), FULL)) == "medicine"


def test_clean_droppings() -> None:
    assert decide(know(seen_with((sprites.DROPPING, 24, 12)), FULL)) == "clean"


def test_sick_first_then_droppings() -> None:
    both = seen_with((sprites.SKULL, 25, 1), (sprites.DROPPING, 24, 12))
    assert decide(know(both, FULL)) == "medicine"


def test_status_when_never_read_or_when_a_call_began_after_it() -> None:
    plain = seen_with()
    assert decide(know(plain)) == "status"
    calling = seen_with(icons=("attention",))
    assert decide(know(calling, FULL, call_since=9_995.0)) == "status"


def test_meal_then_game_then_snack() -> None:
    plain = seen_with()
    assert decide(know(plain, StatusReading(hungry=2, happy=1))) == "meal"
    assert decide(know(plain, StatusReading(hungry=4, happy=1))) == "game"
    k = know(plain, StatusReading(hungry=4, happy=1), games_in_a_row=3)
    assert decide(k) == "snack"
    assert decide(know(plain, FULL)) is None


def test_scold_a_call_with_nothing_missing() -> None:
    calling = seen_with(icons=("attention",))
    assert decide(know(calling, StatusReading(hungry=3, happy=2), call_since=9_980.0)) == "scold"
    # An empty gauge is a real need, not a whim.
    assert decide(know(calling, StatusReading(hungry=0, happy=4), call_since=9_980.0)) == "meal"


def test_nothing_for_the_dead_and_resting_errands_are_skipped() -> None:
    c = blank()
    draw(c, sprites.GHOST, 16, 1)
    assert decide(know(look(frame(c)))) is None
    calling = seen_with(icons=("attention",))
    assert decide(know(calling, resting=frozenset({"status"}))) == "answer"
