"""The demo ROM boots, animates, reacts to every button, beeps and keeps time."""

from __future__ import annotations

import pytest

from pygotchi.demo import DEMO_NAME, art, demo_rom_bytes, demo_source
from pygotchi.emu import TICKS_PER_SECOND, assemble, load_rom
from pygotchi.emu.rom import S46_WORDS
from tests.demo.helpers import (
    BEEP_LATENCY,
    BEEPS,
    CALL_TICKS,
    IDLE_SCENE,
    beeps,
    boot,
    clock_text,
    colon_lit,
    creature_name,
    expected,
    next_edge,
    region,
    screen_at,
    sides_blank,
    tap,
    ticks,
)

PRESS_AT = 2.05  # between two 8 Hz edges; the ROM reacts at the next one (2.125 s)


# --- the ROM image -----------------------------------------------------------------


def test_rom_image_is_recognised_as_the_demo() -> None:
    data = demo_rom_bytes()
    assert len(data) == 2 * S46_WORDS
    assert demo_rom_bytes() is data  # assembled once
    rom = load_rom(data)
    assert rom.model.id == "demo" and rom.model.chip == "E0C6S46"
    assert rom.model.background == "demo"
    assert rom.model.buttons.keys() == {"A", "B", "C", "TAP"}
    assert DEMO_NAME == "pygotchi demo"


def test_vectors_jump_into_page_1() -> None:
    words = load_rom(demo_rom_bytes()).words
    for vector in (0x100, 0x102, 0x104, 0x106, 0x108, 0x10A, 0x10C):
        assert words[vector] >> 8 == 0x0, f"{vector:#x} holds {words[vector]:#05x}, not JP"


def test_generated_pictures_match_the_art() -> None:
    source = demo_source()
    assert art.splice(source) == source, "run: python -m pygotchi.demo.art"


def test_source_assembles_to_the_shipped_image() -> None:
    program = assemble(demo_source())
    assert max(program.words) < S46_WORDS
    assert "main" in program.labels and "isr_clock" in program.labels


# --- boot and idle ---------------------------------------------------------------


def test_boots_and_draws_within_a_second() -> None:
    m = boot()
    first = screen_at(m, 0.1)
    assert first.text() == expected("STAND")
    assert not any(first.icons)
    assert screen_at(m, 1.0).text() != ["." * 32] * 16


def test_idle_animation_without_input() -> None:
    m = boot()
    shown = []
    for step in range(18):  # one half-second step each: the 16-step loop, and again
        screen = screen_at(m, 0.5 * step + 0.25)
        assert sides_blank(screen)
        shown.append(creature_name(screen))
    assert shown == [*IDLE_SCENE, *IDLE_SCENE[:2]]
    assert m.buzzer_events() == []  # silence until something happens


def test_idle_bob_moves_the_body_down() -> None:
    stand, bob = expected("STAND"), expected("BOB")
    m = boot()
    assert screen_at(m, 0.25).text() == stand
    assert screen_at(m, 0.75).text() == bob
    # The top of the head (row 4 standing) drops to row 5 when bobbing.
    assert stand[4][13:19] == "######" and bob[5][13:19] == "######"


def test_cpu_sleeps_most_of_the_time() -> None:
    m = boot()
    m.run_until(ticks(120))
    cpu = m.cpu
    assert cpu.halted_steps / cpu.steps > 0.9
    # About 400 instructions a second: a few percent of what the chip can do.
    assert (cpu.steps - cpu.halted_steps) / 120 < 800


# --- buttons ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("button", "first", "second"),
    [
        ("A", ("LOOKL", "FOOD"), None),
        ("B", ("PEEK",), None),
        ("C", ("HAPPY", "HEARTS1"), ("HOP", "HEARTS2")),
        ("TAP", ("SURPRISED", "BANG"), ("SURPRISED", "CLEAR")),
    ],
)
def test_each_button_has_its_scene_and_beep(button, first, second) -> None:
    m = boot()
    m.run_until(ticks(1.5))
    assert m.buzzer_events() == []
    tap(m, button, PRESS_AT)
    screen = screen_at(m, PRESS_AT + 0.2)
    if button == "B":
        assert region(screen.text(), range(32), range(8, 16)) == expected("PEEK")[8:]
        assert clock_text(screen) == "12:00"
    else:
        assert screen.text() == expected(*first)
    assert screen.icons[0] is (button == "A")  # the food icon, while eating
    if second:
        assert screen_at(m, PRESS_AT + 0.45).text() == expected(*second)
    # Back to idle, icons off, sides clear, once the scene is over.
    screen = screen_at(m, PRESS_AT + 6.0)
    assert creature_name(screen) in IDLE_SCENE and sides_blank(screen)
    assert not any(screen.icons)
    # One beep, at the reaction, of this button's pitch and length.
    (beep,) = beeps(m.buzzer_events())
    freq, length = BEEPS[button]
    edge = next_edge(PRESS_AT)
    assert beep.freq_dhz == freq
    assert edge <= beep.start < edge + BEEP_LATENCY
    assert length * CALL_TICKS - BEEP_LATENCY < beep.ticks <= length * CALL_TICKS


def test_beeps_have_different_pitches() -> None:
    assert len({f for f, _ in BEEPS.values()}) == len(BEEPS)


def test_feeding_eats_the_fruit_in_three_bites() -> None:
    m = boot()
    tap(m, "A", PRESS_AT)
    edge = next_edge(PRESS_AT) / TICKS_PER_SECOND
    steps = [("LOOKL", "FOOD"), ("LOOKL", "FOOD"), ("EAT", "FOOD"), ("CHEW", "BITTEN"),
             ("EAT", "BITTEN"), ("CHEW", "CRUMB"), ("EAT", "CRUMB"), ("CHEW", "NOFOOD"),
             ("CHEW", "NOFOOD"), ("HAPPY", "NOFOOD"), ("HOP", "NOFOOD"), ("HAPPY", "NOFOOD"),
             ("HOP", "NOFOOD"), ("STAND", "NOFOOD")]
    for i, step in enumerate(steps):  # 0.25 s per step
        screen = screen_at(m, edge + 0.25 * i + 0.125)
        assert screen.icons[0]
        assert screen.text() == expected(*step), f"step {i}"
    screen = screen_at(m, edge + 0.25 * len(steps) + 0.125)
    assert not screen.icons[0] and creature_name(screen) == "STAND"


def test_clock_colon_blinks_and_the_clock_goes_away() -> None:
    m = boot()
    tap(m, "B", PRESS_AT)
    edge = next_edge(PRESS_AT) / TICKS_PER_SECOND
    lit = [colon_lit(screen_at(m, edge + 0.5 * i + 0.25)) for i in range(10)]
    assert lit == [True, False] * 5
    assert clock_text(m.screen()) == "12:00"
    screen = screen_at(m, edge + 5.25)  # 10 steps of 0.5 s, then idle again
    assert sides_blank(screen) and creature_name(screen) in IDLE_SCENE


def test_clock_counts_minutes() -> None:
    m = boot()
    tap(m, "B", PRESS_AT)
    assert clock_text(screen_at(m, PRESS_AT + 0.2)) == "12:00"
    tap(m, "B", 59.55)  # 12:00:59
    assert clock_text(screen_at(m, 59.75)) == "12:00"
    tap(m, "B", 61.05)  # the 60th second ticked at 60.0 s
    assert clock_text(screen_at(m, 61.25)) == "12:01"
    tap(m, "B", 3 * 60 + 10.05)
    assert clock_text(screen_at(m, 3 * 60 + 10.25)) == "12:03"


def test_a_held_button_reacts_once() -> None:
    m = boot()
    tap(m, "C", PRESS_AT, hold=4.0)
    m.run_until(ticks(PRESS_AT + 5))
    assert len(beeps(m.buzzer_events())) == 1
    assert creature_name(m.screen()) in IDLE_SCENE


def test_a_press_shorter_than_a_tick_is_seen() -> None:
    m = boot()
    tap(m, "TAP", PRESS_AT, hold=0.01)  # released long before the 8 Hz interrupt
    assert creature_name(screen_at(m, PRESS_AT + 0.2)) == "SURPRISED"


def test_buttons_interrupt_each_other() -> None:
    m = boot()
    tap(m, "C", PRESS_AT)
    tap(m, "A", PRESS_AT + 0.5)
    screen = screen_at(m, PRESS_AT + 0.7)
    assert screen.text() == expected("LOOKL", "FOOD")  # hearts gone, fruit there
    assert len(beeps(m.buzzer_events())) == 2


# --- calling for attention ---------------------------------------------------------


def test_calls_for_attention_after_a_minute_alone() -> None:
    m = boot()
    assert not screen_at(m, 59.9).icons[7]
    assert m.buzzer_events() == []
    screen = screen_at(m, 60.2)
    assert screen.icons[7] and sum(screen.icons) == 1
    (call,) = beeps(m.buzzer_events())
    freq, length = BEEPS["call"]
    assert call.freq_dhz == freq
    assert ticks(60) <= call.start < ticks(60) + BEEP_LATENCY
    assert length * CALL_TICKS - BEEP_LATENCY < call.ticks <= length * CALL_TICKS
    # It keeps calling (the icon stays lit) but beeps only once.
    assert screen_at(m, 90).icons[7]
    assert m.buzzer_events() == []
    # Any button clears it, and the count starts again.
    tap(m, "C", 90.05)
    assert not screen_at(m, 90.3).icons[7]
    assert not screen_at(m, 149.9).icons[7]
    assert screen_at(m, 150.3).icons[7]


def test_gives_up_after_three_minutes_unanswered_and_calls_again() -> None:
    m = boot()
    assert screen_at(m, 239.9).icons[7]
    m.buzzer_events()
    assert not screen_at(m, 240.3).icons[7]  # nobody came: the call ends
    assert m.buzzer_events() == []  # quietly
    assert not screen_at(m, 299.9).icons[7]
    assert screen_at(m, 300.3).icons[7]  # and a minute later it calls again
    (call,) = beeps(m.buzzer_events())
    assert call.freq_dhz == BEEPS["call"][0]


# --- the K00-K03 interrupt path --------------------------------------------------


def test_key_interrupt_path_on_a_chip_that_delivers_it() -> None:
    """TamaLIB's E0C6S46 never raises K00-K03 interrupts; the E0C6S48 does.

    There isr_keys takes the press from F04 at once and keeps it in KEY_LATCH
    (RAM 0x010) until the next tick, which must still see it.
    """
    m = boot(model="e0c6s48")
    m.run_until(ticks(PRESS_AT))
    before = m.cpu.interrupts
    m.press("A")
    m.run_until(ticks(PRESS_AT) + 200)  # well before the next 8 Hz edge
    assert m.cpu.interrupts == before + 1
    assert m.read_memory(0x010) == 0x4  # K02, button A
    m.release("A")
    screen = screen_at(m, PRESS_AT + 0.2)
    assert screen.text() == expected("LOOKL", "FOOD")
    assert m.read_memory(0x010) == 0
