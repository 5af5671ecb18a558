"""Every reader of user text in the IR toolkit does work linear in its input.

A player's ``POST /api/ir/decode`` of 40 KB of newlines ending in a letter once took
59 s, holding the GIL in a backtracking regular expression, and nothing else ran.
These tests count the work (lines of pygotchi run plus regex steps, see
``tests/workmeter.py``) on adversarial inputs at two sizes: four times the input
may cost about four times the work, never sixteen.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pygotchi.ir import fields, files, frame, loader, stream
from tests.workmeter import WorkMeter, assert_linear

# Pieces that matter to some reader: line breaks and spaces, labels and keys, signs,
# comment and brace characters, hex prefixes, report tokens, letters and digits.
PIECES = ["\n", "\r\n", " ", "\t", "a", "Z", "_", "0", "1", "9", "0x", "data", "name", ":",
          "=", "[", "]", "{", "}", "(", ")", "+", "-", ",", ";", ".", "#", "//", "/*", "*/",
          "pulse", "space", "Filetype:", "[PICO]", "[END]", "Error", "h", "E", "\n\n"]

units = st.lists(st.sampled_from(PIECES), min_size=1, max_size=5).map("".join)
ends = st.lists(st.sampled_from(PIECES), max_size=3).map("".join)
SIZE = 60  # characters of the unit repeated, at the smaller size


@pytest.fixture(scope="module")
def meter():
    with pytest.MonkeyPatch.context() as mp:
        yield WorkMeter(files, loader, stream, frame, fields).install(mp)


def _repeat(head: str, unit: str, tail: str):
    times = max(1, SIZE // len(unit))
    return lambda k: head + unit * (times * k) + tail


def _load_text(text: str) -> None:
    loader.load_text(text)


LINEAR = settings(max_examples=25, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture,
                                         HealthCheck.too_slow])


@LINEAR
@given(head=ends, unit=units, tail=ends)
@example(head="", unit="\n", tail="a")  # the reported 59 s request
@example(head="", unit="\n", tail="pulse 1")
@example(head="", unit=" \n", tail="data")
@example(head="", unit="\n", tail="name:")
@example(head="x", unit="   ", tail="x")
@example(head="", unit="a ", tail="x")
@example(head="", unit="{", tail="")
@example(head="", unit="+ ", tail="")
@example(head="", unit="0a", tail="a")
@example(head="9500 ", unit="\n \n", tail="6000")
def test_load_text_is_linear(meter, head: str, unit: str, tail: str) -> None:
    """Everything ``/api/ir/decode`` and ``/api/ir/import`` do with pasted text."""
    assert_linear(meter, _load_text, _repeat(head, unit, tail), 1, "load_text")


@LINEAR
@given(unit=units, tail=ends)
@example(unit="\n", tail="a")
@example(unit="data: 1 ", tail="x")
def test_flipper_reader_is_linear(meter, unit: str, tail: str) -> None:
    make = _repeat("Filetype: IR signals file\nname: x\ntype: raw\ndata: ", unit, tail)
    assert_linear(meter, files.read_flipper_ir, make, 1)


@LINEAR
@given(unit=units, tail=ends)
@example(unit="[PICO]", tail="")
@example(unit="\nError", tail="\r")
@example(unit="[PICO]0", tail="[END]")
def test_serial_transcript_is_linear(meter, unit: str, tail: str) -> None:
    assert_linear(meter, stream.parse_transcript, _repeat("", unit, tail), 1)


@LINEAR
@given(unit=units, tail=ends)
@example(unit="0E ", tail="x")
@example(unit="0x0E,", tail="")
def test_hex_parser_is_linear(meter, unit: str, tail: str) -> None:
    assert_linear(meter, frame.parse_hex, _repeat("", unit, tail), 1)


@LINEAR
@given(unit=st.sampled_from(["[1", "[12]", "A", "[0x", "[0x1F]"]), tail=ends)
def test_name_encoder_is_linear(meter, unit: str, tail: str) -> None:
    assert_linear(meter, fields.encode_name, _repeat("", unit, tail), 1)


def test_the_meter_sees_a_backtracking_regex(meter) -> None:
    """The measure itself: the label pattern the text reader used to run is quadratic."""
    import re

    from tests.workmeter import _CountingPattern

    old = _CountingPattern(re.compile(r"^\s*[A-Za-z_][\w\[\] ]{2,}\s*[:=]", re.M), meter)
    with pytest.raises(AssertionError, match="not linear"):
        assert_linear(meter, lambda t: old.sub("", t), lambda k: "\n" * (60 * k) + "a", 1)
