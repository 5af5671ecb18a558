"""Every reader of user text in the emulator does work linear in its input.

ROM upload accepts C headers, and a crafted one took 14 s in a backtracking regular
expression (``[]={`` repeated, or ``/*`` without ``*/``). The assembler and the trace
scripts read text too. The work is counted (lines of pygotchi run plus regex steps,
see ``tests/workmeter.py``) at two sizes; four times the input may cost about four
times the work.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pygotchi.emu import asm, rom, trace
from pygotchi.emu.errors import AsmError, ScriptError
from tests.workmeter import WorkMeter, assert_linear

LINEAR = settings(max_examples=25, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture,
                                         HealthCheck.too_slow])
SIZE = 60


@pytest.fixture(scope="module")
def meter():
    with pytest.MonkeyPatch.context() as mp:
        yield WorkMeter(rom, asm, trace).install(mp)


def _repeat(head: str, unit: str, tail: str):
    times = max(1, SIZE // len(unit))
    return lambda k: head + unit * (times * k) + tail


C_PIECES = ["[", "]", " ", "\n", "=", "{", "}", "PROGMEM", "/*", "*/", "//", "/", "*", "0x1F",
            "0b1", "07", "9", ",", "u", "L", "g_program_b12", "x"]
c_units = st.lists(st.sampled_from(C_PIECES), min_size=1, max_size=5).map("".join)
c_ends = st.lists(st.sampled_from(C_PIECES), max_size=4).map("".join)


def _rom_text(text: str) -> None:
    rom.parse_rom_words(text.encode())


@LINEAR
@given(head=c_ends, unit=c_units, tail=c_ends)
@example(head="", unit="[]={", tail="")  # the 14 s upload
@example(head="a[] = {", unit="/*", tail="}")
@example(head="", unit="[ ] PROGMEM = ", tail="")
@example(head="a[]={", unit="0x1F, // x\n", tail="}")
@example(head="a[]={", unit="0x1F, /* x */", tail="}")
def test_c_header_reader_is_linear(meter, head: str, unit: str, tail: str) -> None:
    assert_linear(meter, _rom_text, _repeat(head, unit, tail), 1, "C header")


ASM_PIECES = ["a", "b1", "_", ".", ":", " ", "\t", "=", "EQU", "M", "(", ")", ",", "1", "0x",
              "Fh", ";", "\n", "LD", "A", "+", "<<", "DW"]
asm_units = st.lists(st.sampled_from(ASM_PIECES), min_size=1, max_size=5).map("".join)
asm_ends = st.lists(st.sampled_from(ASM_PIECES), max_size=4).map("".join)


@LINEAR
@given(head=asm_ends, unit=asm_units, tail=asm_ends)
@example(head="a", unit=" ", tail="b")  # NAME<spaces>x backtracked between \s* and \s+EQU
@example(head="DW ", unit="1,", tail="1")
@example(head="LD A,", unit="(", tail="")
@example(head="", unit="1", tail="h")
def test_assembler_is_linear(meter, head: str, unit: str, tail: str) -> None:
    assert_linear(meter, asm.assemble, _repeat(head, unit, tail), 1, "assemble")


def test_many_labels_on_one_line_are_linear(meter) -> None:
    """Labels are read in one pass over the line. (Each used to copy the rest of its
    line, a quadratic cost in C that the meter cannot see: this guards the Python side.)"""
    def make(k: int) -> str:
        return " ".join(f"l{i}:" for i in range(15 * k)) + " NOP5"
    assert_linear(meter, asm.assemble, make, 1, "labels")


def test_expressions_stay_small() -> None:
    """A shift or product that would build a huge integer is refused, not computed."""
    for source in ("X = 1 << 999999999", "X = 0xFFFFFFFF * 0xFFFFFFFF * 0xFFFFFFFF",
                   "DW " + "(" * 300 + "1" + ")" * 300, "X = " + "9" * 5000,
                   "X = " + "1+" * 150 + "1"):
        with pytest.raises(AsmError):
            asm.assemble(source)


SCRIPT_PIECES = ["1", "0", " ", "\t", "A", "b", "DOWN", "UP", "#", "\n", ".", "/", "e", "-"]
script_units = st.lists(st.sampled_from(SCRIPT_PIECES), min_size=1, max_size=5).map("".join)


@LINEAR
@given(unit=script_units, tail=st.sampled_from(["", "x", " A DOWN", "\n"]))
@example(unit="100 A DOWN\n", tail="")
def test_trace_script_reader_is_linear(meter, unit: str, tail: str) -> None:
    assert_linear(meter, trace.parse_script, _repeat("", unit, tail), 1, "parse_script")


@pytest.mark.parametrize("text", ["1e999999999", "1E-999999999", "9" * 100, "10" + "0" * 20])
def test_script_times_cannot_explode(text: str) -> None:
    """Fraction('1e999999999') builds a billion-digit integer; such times are refused."""
    with pytest.raises(ScriptError):
        trace.parse_ms(text)
