"""The name tables (written from SPEC.md) agree with the vectors' machine-readable
copies wherever SPEC.md names a value, and selectors offer every known value."""

from __future__ import annotations

import re

import pytest

from pygotchi.ir import fields, tables
from pygotchi.ir.errors import FieldError

from .conftest import load_vectors


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _shares_word(a: str, b: str) -> bool:
    return a in b or b in a or any(a[i : i + 4] in b for i in range(len(a) - 3))


def test_characters_match() -> None:
    data = load_vectors("field_tables.json")["characters_byte4"]
    assert {int(k): v for k, v in data.items()} == tables.CHARACTERS


def test_letters_match() -> None:
    data = load_vectors("field_tables.json")["name_letters"]
    assert {int(k): v for k, v in data.items()} == tables.LETTERS


@pytest.mark.parametrize(
    ("key", "table"),
    [
        ("pregift_activity_byte15_msg4", tables.PREGIFT_ACTIVITIES),
        ("game_type_byte17_low3bits", tables.GAME_TYPES),
        ("visit_activity_byte10_low2bits_msg3", tables.VISIT_ACTIVITIES),
        ("gender_byte10_lsb_msg1_msg2", tables.GENDERS),
    ],
)
def test_small_tables_match(key: str, table: dict[int, str]) -> None:
    data = load_vectors("field_tables.json")[key]
    assert set(map(int, data)) == set(table)
    for k, v in data.items():
        ours, theirs = _norm(table[int(k)]), _norm(v)
        # the same words, give or take an article or an abbreviation
        assert _shares_word(ours, theirs), (k, v, table[int(k)])


def test_gift_items_named_in_spec_match() -> None:
    data = load_vectors("field_tables.json")["gift_items_byte14_msg4"]
    assert set(map(int, data)) == set(tables.GIFT_ITEMS)
    named = 0
    for k, v in data.items():
        ours = tables.GIFT_ITEMS[int(k)]
        if "#" in ours:  # a placeholder for a value SPEC.md does not name
            continue
        named += 1
        assert _norm(v)[:5] in _norm(ours) or _norm(ours)[:5] in _norm(v), (k, v, ours)
    assert named >= 85


def test_gift_labels_cover_every_byte() -> None:
    assert tables.gift_label(181).startswith("scone")
    assert tables.gift_label(255).startswith("scone")
    assert len(fields.choices("gift_item")) == 181
    assert len(fields.choices("gift_item", untested=True)) == 256


def test_choices_for_selectors() -> None:
    games = fields.choices("game_type")
    assert [c.value for c in games] == list(range(8))
    assert games[7].label == "Points"
    assert fields.choices("character")[40].label == "Pipotchi"
    letters = fields.choices("letter")
    assert letters[0].label == "A" and letters[-1].value == 0xA0
    with pytest.raises(FieldError):
        fields.choices("wager")
    with pytest.raises(FieldError, match="unknown field"):
        fields.choices("nope")


def test_parse_value() -> None:
    assert fields.parse_value("character", "pipotchi") == 40
    assert fields.parse_value("character", "0x28") == 40
    assert fields.parse_value("character", "Nazotchi") == 0  # 0 and 33: the first
    assert fields.parse_value("visit_activity", "spin-around") == 1
    assert fields.parse_value("gift_item", "Pig's feet") == 35
    assert fields.parse_value("trumpet_notes", "left,middle,right,left") == (0, 1, 2, 0)
    with pytest.raises(FieldError, match="not a known character"):
        fields.parse_value("character", "Godzilla")
    with pytest.raises(FieldError, match="ambiguous"):
        fields.parse_value("character", "Hi")
