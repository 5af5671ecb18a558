"""Reading constructed screens: every fact the rules use."""

from __future__ import annotations

from pygotchi.care import sprites
from pygotchi.care.look import look
from tests.care.helpers import blank, draw, frame, pet


def test_plain_pet_screen() -> None:
    c = blank()
    pet(c)
    seen = look(frame(c))
    assert seen.idle and not seen.attention and not seen.dark and not seen.blank
    assert (seen.asleep, seen.sick, seen.droppings, seen.dead) == (False, False, 0, False)


def test_blank_glass_is_not_dark() -> None:
    seen = look(frame(blank()))
    assert seen.blank and not seen.dark


def test_attention_and_selected_icon() -> None:
    c = blank()
    pet(c)
    seen = look(frame(c, "attention", "toilet"))
    assert seen.attention and seen.selected == "toilet" and not seen.idle


def test_droppings_are_counted() -> None:
    c = blank()
    pet(c)
    draw(c, sprites.DROPPING, 24, 4)
    draw(c, sprites.DROPPING, 24, 12)
    assert look(frame(c)).droppings == 2


def test_skull_at_the_right_edge_means_sick() -> None:
    c = blank()
    pet(c)
    draw(c, sprites.SKULL, 25, 1)  # where the P1 puts it beside a small pet
    assert look(frame(c)).sick


def test_z_means_asleep_and_light_off_inverts() -> None:
    c = blank()
    pet(c)
    draw(c, sprites.ZZZ[0], 24, 0)
    assert look(frame(c)).asleep and not look(frame(c)).dark
    dark = look(frame(c, dark=True))
    assert dark.dark and dark.asleep  # the Z cut out of the dark screen
    awake_dark = blank()
    assert look(frame(awake_dark, dark=True)).dark
    assert not look(frame(awake_dark, dark=True)).asleep


def test_ghost_means_dead() -> None:
    c = blank()
    draw(c, sprites.GHOST, 16, 1)
    assert look(frame(c)).dead


def test_hearts_on_the_status_pages() -> None:
    for title, page in ((sprites.HUNGRY_TITLE, "hungry"), (sprites.HAPPY_TITLE, "happy")):
        for full in range(5):
            c = blank()
            draw(c, title, 0, 0)
            for k in range(4):
                draw(c, sprites.HEART_FULL if k < full else sprites.HEART_EMPTY, 8 * k, 9)
            seen = look(frame(c, "status"))
            assert (seen.page, seen.hearts) == (page, full)


def test_a_page_without_hearts_gives_no_count() -> None:
    c = blank()
    draw(c, sprites.HUNGRY_TITLE, 0, 0)
    seen = look(frame(c, "status"))
    assert seen.page == "hungry" and seen.hearts is None


def test_two_line_menu_arrow() -> None:
    for y, line in ((1, 0), (9, 1)):
        c = blank()
        draw(c, sprites.ARROW, 1, y)
        assert look(frame(c, "food")).arrow == line
    # Without a menu icon lit the same dots are not a menu.
    c = blank()
    draw(c, sprites.ARROW, 1, 1)
    assert look(frame(c)).arrow is None


def test_egg_and_unset_clock() -> None:
    c = blank()
    draw(c, sprites.EGG[0], 11, 3)
    assert look(frame(c)).egg
    c = blank()
    draw(c, sprites.CLOCK_SET, 18, 9)
    assert look(frame(c)).clock_unset
