"""The carer on states of the real P1 ROM: hungry, droppings, sick, asleep with the light on."""

from __future__ import annotations

import pytest

from pygotchi.care import Carer, drive
from pygotchi.care.look import look
from pygotchi.emu import Machine, load_rom_file
from tests.care.p1states import (
    DROPPINGS,
    HAPPY,
    HUNGER,
    LIGHT,
    T,
    hatched,
    neglect_until,
)
from tests.conftest import rom_path


@pytest.fixture(scope="module")
def p1() -> str:
    return str(rom_path("p1.bin"))


@pytest.fixture(scope="module")
def newborn(p1) -> bytes:
    return hatched(p1).save_state()


def machine(p1: str, state: bytes) -> Machine:
    m = Machine(load_rom_file(p1))
    m.load_state(state)
    return m


def kinds(carer: Carer) -> list[str]:
    return [a.kind for a in carer.actions if a.ok]


def test_hungry_and_unhappy_newborn_is_fed_and_played_with(p1, newborn) -> None:
    m = neglect_until(machine(p1, newborn), lambda s: s.attention, 3600)
    assert m.read_memory(HUNGER) == 0  # it calls: empty
    carer = Carer()
    drive(m, carer, m.tick + 10 * 60 * T)
    assert "meal" in kinds(carer)
    assert "game" in kinds(carer)  # five guesses seen through (each guess's arrow showed)
    assert m.read_memory(HUNGER) > 0 and m.read_memory(HAPPY) > 0
    # It fed until the page showed four hearts (the baby gets hungry again fast).
    assert carer.last_status is not None and carer.last_status.hungry >= 1
    assert not look(m.screen().frame).attention


def test_droppings_are_cleaned(p1, newborn) -> None:
    m = neglect_until(machine(p1, newborn), lambda s: s.droppings > 0, 2 * 3600)
    assert m.read_memory(DROPPINGS) > 0
    carer = Carer()
    drive(m, carer, m.tick + 60 * T)
    assert kinds(carer)[0] == "clean"
    assert m.read_memory(DROPPINGS) == 0 and look(m.screen().frame).droppings == 0


def test_sick_pet_gets_medicine(p1, newborn) -> None:
    m = neglect_until(machine(p1, newborn), lambda s: s.sick, 4 * 3600)
    carer = Carer()
    drive(m, carer, m.tick + 3 * 60 * T)
    assert kinds(carer)[0] == "medicine"
    assert not any(look(m.screen().frame).sick for _ in range(1))
    # The skull is gone for good, not just between two frames.
    for _ in range(20):
        m.run_until(m.tick + T // 2)
        assert not look(m.screen().frame).sick


def test_asleep_with_the_light_on_gets_the_light_off(p1, newborn) -> None:
    # The baby naps within its first hours; care for it (so it lives), all but the
    # light, until it does.
    from pygotchi.care.rules import DESCRIPTIONS

    m = machine(p1, newborn)
    carer = Carer(only=frozenset(DESCRIPTIONS) - {"light_off"})
    for _ in range(16 * 3600 // 5):
        drive(m, carer, m.tick + 5 * T)
        seen = look(m.screen().frame)
        if seen.asleep and not seen.dark and not carer.busy:
            break
    else:
        raise AssertionError("the pet did not fall asleep within 16 hours")
    assert m.read_memory(LIGHT) == 15
    carer = Carer()
    drive(m, carer, m.tick + 2 * 60 * T)
    assert kinds(carer) == ["light_off"]
    assert m.read_memory(LIGHT) == 0
    seen = look(m.screen().frame)
    assert seen.dark and seen.asleep


def test_a_call_with_nothing_missing_is_scolded(p1, newborn) -> None:
    # Raise the pet with every errand but scolding until it calls while its hearts
    # are not empty (a test of discipline); then a full carer scolds it.
    from pygotchi.care.rules import DESCRIPTIONS

    m = machine(p1, newborn)
    lenient = Carer(only=frozenset(DESCRIPTIONS) - {"scold", "answer"})
    for _ in range(2 * 24 * 3600 // 30):
        drive(m, lenient, m.tick + 30 * T)
        seen = look(m.screen().frame)
        k = lenient._k  # what it knows: the call, and a status page read since it began
        if (seen.attention and seen.idle and not lenient.busy and k.call_since is not None
                and k.status is not None and k.status_at > k.call_since
                and k.status.hungry and k.status.happy):
            break
    else:
        raise AssertionError("no discipline call in two days")
    carer = Carer()
    drive(m, carer, m.tick + 5 * 60 * T)
    assert "scold" in kinds(carer)
    assert not look(m.screen().frame).attention
