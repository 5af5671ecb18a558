"""Every instruction group of the E0C6200 core, in small assembled programs.

Expected values are worked out by hand from the core's documented semantics
(Epson E0C6200 core manual as restated in ../shared/notes/E0C6S46.md §1), with
TamaLIB's documented deviations where the emulator follows them (RLC/RRC leave
Z alone). Each program ends in ``done: JP done``; the test steps until PC gets
there and then looks at registers and RAM.
"""

from __future__ import annotations

import pytest

from pygotchi.emu import Machine
from pygotchi.emu.isa import DECODE, UNKNOWN
from pygotchi.emu.rom import GENERIC_S46, Rom
from tests.emu.helpers import build, doc_cycles, flags, labels, ram, step_n, step_until_pc

C, Z, D, I_FLAG = 1, 2, 4, 8


def run(body: str, *, s48: bool = False) -> Machine:
    """Assemble ``body`` at the reset vector, run it to ``done``."""
    source = "        ORG 0x100\n" + body + "\ndone:   JP   done\n"
    machine = build(source, s48=s48)
    step_until_pc(machine, labels(source)["done"])
    return machine


# --- reset -------------------------------------------------------------------


def test_reset_state_matches_the_documentation() -> None:
    """PC=0x100, NP=1, registers and RAM zero, tick 0 (notes §1 "Reset")."""
    m = build("        ORG 0x100\nloop:   JP loop\n")
    assert m.registers() == {"PC": 0x100, "NP": 0x01, "A": 0, "B": 0, "X": 0, "Y": 0,
                             "SP": 0, "F": 0}
    assert m.tick == 0
    assert ram(m, 0, 0x300) == [0] * 0x300


def test_reset_io_values_read_by_a_program() -> None:
    """TamaLIB's reset I/O: F54 = 0xF (buzzer off), F41 = 0xF, F71 = 8; F40 = 0xF (released)."""
    m = run("""
        LD   B,0xF
        LD   YP,B
        LD   Y,0x54
        LD   A,MY
        LD   M0,A
        LD   Y,0x41
        LD   A,MY
        LD   M1,A
        LD   Y,0x71
        LD   A,MY
        LD   M2,A
        LD   Y,0x40
        LD   A,MY
        LD   M3,A
    """)
    assert ram(m, 0, 4) == [0xF, 0xF, 0x8, 0xF]


# --- loads and transfers ---------------------------------------------------------


def test_register_loads_and_index_nibbles() -> None:
    """LD r,i / LD r,q / LD X,e keeps XP / LD XP..YL,r / LD r,XP..YL / LD SPH,SPL."""
    m = run("""
        LD   A,0x7
        LD   B,A          ; B = 7
        LD   A,0xC
        LD   XP,A         ; XP = C
        LD   X,0x5A       ; X = C5A (XP kept)
        LD   YP,B         ; YP = 7
        LD   Y,0x3E       ; Y = 73E
        LD   A,YH         ; A = 3
        LD   B,XL         ; B = A
        LD   XH,A         ; X = C3A
        LD   YL,B         ; Y = 73A
        LD   M4,A         ; M4 = 3
        LD   M5,B         ; M5 = A
        LD   A,XP         ; A = C
        LD   M6,A
        LD   A,YP         ; A = 7
        LD   M7,A
        LD   A,XH         ; A = 3
        LD   M8,A
        LD   A,YL         ; A = A
        LD   M9,A
        LD   A,0x9
        LD   SPH,A        ; SP = 90
        LD   A,0x1
        LD   SPL,A        ; SP = 91
        LD   A,SPH        ; A = 9
        LD   B,SPL        ; B = 1
    """)
    regs = m.registers()
    assert (regs["A"], regs["B"], regs["X"], regs["Y"], regs["SP"]) == (9, 1, 0xC3A, 0x73A, 0x91)
    assert ram(m, 4, 6) == [3, 0xA, 0xC, 7, 3, 0xA]


def test_mn_loads_address_ram_0_to_f() -> None:
    m = run("""
        LD   A,0x6
        LD   M0,A
        LD   B,0xD
        LD   MF,B
        LD   A,MF         ; A = D
        LD   B,M0         ; B = 6
    """)
    assert (m.registers()["A"], m.registers()["B"]) == (0xD, 0x6)
    assert ram(m, 0x0, 1) == [6] and ram(m, 0xF, 1) == [0xD]


def test_ld_through_x_and_y_and_register_to_register() -> None:
    m = run("""
        LD   X,0x20
        LD   Y,0x21
        LD   A,0x4
        LD   MX,A         ; M20 = 4
        LD   B,0x9
        LD   MY,B         ; M21 = 9
        LD   A,MY         ; A = 9
        LD   B,MX         ; B = 4
        LD   MX,MY        ; M20 = 9
    """)
    assert ram(m, 0x20, 2) == [9, 9]
    assert (m.registers()["A"], m.registers()["B"]) == (9, 4)


# --- X/Y auto-increment ----------------------------------------------------------


def test_post_increment_wraps_inside_the_low_8_bits() -> None:
    """LDPX/LDPY/LBPX/INC X/Y/ACPX increment XH:XL only; XP/YP never change (notes §1)."""
    m = run("""
        LD   A,0x2
        LD   XP,A
        LD   X,0xFF       ; X = 2FF
        LDPX MX,0x6       ; M(2FF) = 6, X = 200 (not 300)
        LD   A,XP
        LD   M0,A         ; M0 = 2
        LD   A,XH
        LD   M1,A         ; M1 = 0
        LD   A,0x1
        LD   YP,A
        LD   Y,0xFF       ; Y = 1FF
        LDPY MY,0x9       ; M(1FF) = 9, Y = 100
        LD   A,YP
        LD   M2,A         ; M2 = 1
        LD   X,0xFF       ; X = 2FF
        LBPX MX,0x71      ; M(2FF) = 1, M(200) = 7, X = 201
        LD   A,XL
        LD   M3,A         ; M3 = 1
        LD   X,0xFF
        INC  X            ; X = 200
        LD   A,XP
        LD   M4,A         ; M4 = 2
        LD   Y,0xFF
        INC  Y            ; Y = 100
        LD   A,YH
        LD   M5,A         ; M5 = 0
        LD   X,0xFF       ; X = 2FF
        LD   A,0x1
        RST  F,0x0
        ACPX MX,A         ; M(2FF) = 1 + 1 = 2, X = 200
    """)
    assert ram(m, 0, 6) == [2, 0, 1, 1, 2, 0]
    assert m.read_memory(0x2FF) == 2
    assert m.read_memory(0x200) == 7
    assert m.read_memory(0x1FF) == 9
    assert m.read_memory(0x300) == 0 and m.read_memory(0x100) == 0
    assert m.registers()["X"] == 0x200
    assert m.registers()["Y"] == 0x100


def test_ldpx_moves_x_only_and_ldpy_moves_y_only() -> None:
    """LDPX r,q: r <- q then X += 1 (Y untouched); LDPY r,q: Y += 1 (X untouched)."""
    m = run("""
        LD   Y,0x50
        LDPY MY,0x1
        LDPY MY,0x2
        LDPY MY,0x3       ; M50..52 = 1 2 3
        LD   Y,0x50
        LD   X,0x60
        LDPX MX,MY        ; M60 = M50 = 1, X = 61
        LDPX MX,MY        ; M61 = M50 = 1, X = 62
        LD   X,0x52
        LDPY MY,MX        ; M50 = M52 = 3, Y = 51
        LDPX A,MY         ; A = M51 = 2, X = 53
        LDPY B,MX         ; B = M53 = 0, Y = 52
    """)
    assert ram(m, 0x50, 3) == [3, 2, 3]
    assert ram(m, 0x60, 2) == [1, 1]
    regs = m.registers()
    assert (regs["X"], regs["Y"], regs["A"], regs["B"]) == (0x053, 0x052, 2, 0)


def test_lbpx_stores_low_nibble_first() -> None:
    m = run("""
        LD   X,0x40
        LBPX MX,0x5C      ; M40 = C, M41 = 5, X = 42
        LBPX MX,0xA3      ; M42 = 3, M43 = A, X = 44
    """)
    assert ram(m, 0x40, 4) == [0xC, 0x5, 0x3, 0xA]
    assert m.registers()["X"] == 0x44


# --- arithmetic and logic ---------------------------------------------------------

# (instruction, A, B, F before, A after, B after, C, Z); D and I stay as they were.
ALU_CASES = [
    # binary ADD/ADC: C = carry out of 4 bits, Z = result == 0; ADD ignores C in
    ("ADD A,B", 7, 8, 0, 0xF, 8, 0, 0),
    ("ADD A,B", 8, 8, 0, 0x0, 8, 1, 1),
    ("ADD A,B", 9, 9, C, 0x2, 9, 1, 0),
    ("ADD A,0x0", 0, 0, C, 0x0, 0, 0, 1),
    ("ADD B,A", 3, 4, 0, 3, 7, 0, 0),
    ("ADC A,B", 7, 8, C, 0x0, 8, 1, 1),
    ("ADC A,B", 7, 7, C, 0xF, 7, 0, 0),
    ("ADC A,B", 7, 7, 0, 0xE, 7, 0, 0),
    ("ADC A,0xF", 0, 0, C, 0x0, 0, 1, 1),
    # binary SUB/SBC: C = borrow; SUB ignores C in
    ("SUB A,B", 5, 3, C, 0x2, 3, 0, 0),
    ("SUB A,B", 3, 5, 0, 0xE, 5, 1, 0),
    ("SUB A,B", 4, 4, 0, 0x0, 4, 0, 1),
    ("SBC A,B", 5, 4, C, 0x0, 4, 0, 1),
    ("SBC A,B", 0, 0, C, 0xF, 0, 1, 0),
    ("SBC A,0x3", 2, 0, 0, 0xF, 0, 1, 0),
    ("SBC B,0x1", 0, 9, C, 0, 7, 0, 0),
    # logic: Z only, C untouched
    ("AND A,B", 0xC, 0x3, C, 0x0, 3, 1, 1),
    ("AND A,0x6", 0xC, 0, 0, 0x4, 0, 0, 0),
    ("OR A,B", 0x5, 0xA, C, 0xF, 0xA, 1, 0),
    ("OR A,0x0", 0, 0, 0, 0x0, 0, 0, 1),
    ("XOR A,B", 5, 5, C, 0x0, 5, 1, 1),
    ("XOR A,0x9", 0xC, 0, 0, 0x5, 0, 0, 0),
    ("NOT A", 0x5, 0, C, 0xA, 0, 1, 0),
    ("NOT B", 0, 0xF, 0, 0, 0x0, 0, 1),
    # compare: flags of r - q, r unchanged, D never used
    ("CP A,B", 3, 5, 0, 3, 5, 1, 0),
    ("CP A,B", 5, 5, C, 5, 5, 0, 1),
    ("CP A,0x2", 6, 0, C, 6, 0, 0, 0),
    ("CP A,B", 3, 5, D, 3, 5, 1, 0),
    ("CP B,0x9", 0, 0xA, D | C, 0, 0xA, 0, 0),
    ("FAN A,B", 0xA, 0x5, C, 0xA, 5, 1, 1),
    ("FAN A,0x8", 0x9, 0, 0, 0x9, 0, 0, 0),
    # rotates through carry; Z untouched (TamaLIB; notes §1)
    ("RLC A", 0x8, 0, 0, 0x0, 0, 1, 0),
    ("RLC A", 0x1, 0, C | Z, 0x3, 0, 0, 1),
    ("RLC B", 0, 0x9, Z, 0, 0x2, 1, 1),
    ("RRC B", 0, 0x1, 0, 0, 0x0, 1, 0),
    ("RRC A", 0x6, 0, C | Z, 0xB, 0, 0, 1),
    # decimal mode (D=1): ADD/ADC adjust at >= 10, SUB/SBC subtract 6 on borrow
    ("ADD A,B", 5, 4, D, 0x9, 4, 0, 0),
    ("ADD A,B", 5, 5, D, 0x0, 5, 1, 1),
    ("ADD A,B", 9, 9, D, 0x8, 9, 1, 0),
    ("ADD A,0x6", 7, 0, D, 0x3, 0, 1, 0),
    ("ADC A,B", 9, 0, D | C, 0x0, 0, 1, 1),
    ("ADC A,B", 4, 4, D | C, 0x9, 4, 0, 0),
    ("ADC A,0x9", 9, 0, D | C, 0x9, 0, 1, 0),
    ("SUB A,B", 3, 5, D, 0x8, 5, 1, 0),
    ("SUB A,B", 9, 3, D, 0x6, 3, 0, 0),
    ("SUB A,B", 2, 2, D | C, 0x0, 2, 0, 1),
    ("SBC A,B", 0, 0, D | C, 0x9, 0, 1, 0),
    ("SBC A,B", 5, 2, D | C, 0x2, 2, 0, 0),
    ("SBC A,0x1", 0, 0, D, 0x9, 0, 1, 0),
    # decimal mode leaves logic alone
    ("AND A,B", 0xF, 0xE, D, 0xE, 0xE, 0, 0),
]


@pytest.mark.parametrize(("op", "a", "b", "f_in", "a_out", "b_out", "c_out", "z_out"),
                         ALU_CASES, ids=[f"{c[0]}-{c[1]:X}-{c[2]:X}-F{c[3]:X}" for c in ALU_CASES])
def test_alu(op: str, a: int, b: int, f_in: int, a_out: int, b_out: int, c_out: int,
             z_out: int) -> None:
    m = run(f"""
        LD   A,{a:#x}
        LD   B,{b:#x}
        RST  F,0x0
        SET  F,{f_in:#x}
        {op}
    """)
    regs = m.registers()
    assert (regs["A"], regs["B"]) == (a_out, b_out)
    assert flags(m) == {"C": c_out, "Z": z_out, "D": (f_in >> 2) & 1, "I": 0}


def test_alu_on_memory_operands_in_decimal_mode() -> None:
    m = run("""
        LD   X,0x20
        LDPX MX,0x7       ; M20 = 7
        LDPX MX,0x6       ; M21 = 6
        LD   X,0x20
        LD   Y,0x21
        RST  F,0x0
        SDF
        ADD  MX,MY        ; M20 = 7 + 6 = 13 -> 3, C = 1
        ADC  MY,MX        ; M21 = 6 + 3 + 1 = 10 -> 0, C = 1, Z = 1
    """)
    assert ram(m, 0x20, 2) == [3, 0]
    assert flags(m) == {"C": 1, "Z": 1, "D": 1, "I": 0}


def test_acpx_scpx_decimal_and_acpy_scpy_binary() -> None:
    m = run("""
        LD   X,0x30
        LDPX MX,0x7
        LDPX MX,0x2
        LDPX MX,0x9       ; M30..32 = 7 2 9
        LD   X,0x30
        LD   A,0x5
        RST  F,0x0
        SDF               ; D = 1, C = 0
        ACPX MX,A         ; M30 = 7+5 = 12 -> 2, C = 1, X = 31
        SCPX MX,A         ; M31 = 2-5-1 = -4 -> 6 (BCD 12-5-1), C = 1, X = 32
        ACPX MX,A         ; M32 = 9+5+1 = 15 -> 5, C = 1, X = 33
        LD   M0,A         ; keep A (unchanged: 5)
        LD   Y,0x40
        LDPY MY,0xE
        LDPY MY,0x1       ; M40 = E, M41 = 1
        LD   Y,0x40
        LD   B,0x3
        RST  F,0x0        ; binary, C = 0
        ACPY MY,B         ; M40 = E+3 = 17 -> 1, C = 1, Y = 41
        SCPY MY,B         ; M41 = 1-3-1 = -3 -> D, C = 1, Y = 42
    """)
    assert ram(m, 0x30, 3) == [2, 6, 5]
    assert ram(m, 0x40, 2) == [1, 0xD]
    assert ram(m, 0, 1) == [5]
    regs = m.registers()
    assert (regs["X"], regs["Y"]) == (0x033, 0x042)
    assert flags(m) == {"C": 1, "Z": 0, "D": 0, "I": 0}


def test_scpx_result_zero_sets_z() -> None:
    m = run("""
        LD   X,0x30
        LDPX MX,0x4
        LD   X,0x30
        LD   A,0x3
        RST  F,0x0
        SCF
        SCPX MX,A         ; 4 - 3 - 1 = 0
    """)
    assert ram(m, 0x30, 1) == [0]
    assert flags(m) == {"C": 0, "Z": 1, "D": 0, "I": 0}


def test_index_nibble_adc_and_cp_are_binary_and_touch_one_nibble() -> None:
    """ADC XH/XL/YH/YL,i and CP XH..,i: one nibble of X/Y, D ignored (notes §1)."""
    m = run("""
        LD   A,0x3
        LD   XP,A
        LD   X,0x9F       ; X = 39F
        RST  F,0x0
        SDF               ; decimal mode must not matter
        ADC  XL,0x1       ; XL = F+1 -> 0, C = 1
        ADC  XH,0x0       ; XH = 9+0+1 = A (binary), C = 0
        LD   A,XP
        LD   M0,A         ; M0 = 3 (XP untouched)
        LD   Y,0xE5
        ADC  YH,0x2       ; YH = E+2 = 10 -> 0, C = 1
        ADC  YL,0x3       ; YL = 5+3+1 = 9, C = 0
    """)
    regs = m.registers()
    assert regs["X"] == 0x3A0
    assert regs["Y"] == 0x009
    assert ram(m, 0, 1) == [3]
    assert flags(m) == {"C": 0, "Z": 0, "D": 1, "I": 0}


@pytest.mark.parametrize(("op", "c_out", "z_out"), [
    ("CP XH,0xB", 1, 0),   # XH = A < B
    ("CP XL,0x5", 0, 1),   # XL = 5
    ("CP YH,0x2", 0, 0),   # YH = 3 > 2
    ("CP YL,0xF", 1, 0),   # YL = 0 < F
])
def test_index_nibble_compare(op: str, c_out: int, z_out: int) -> None:
    m = run(f"""
        LD   X,0xA5
        LD   Y,0x30
        RST  F,0x0
        SDF
        {op}
    """)
    assert flags(m) == {"C": c_out, "Z": z_out, "D": 1, "I": 0}
    assert (m.registers()["X"], m.registers()["Y"]) == (0x0A5, 0x030)


@pytest.mark.parametrize(("op", "m_in", "f_in", "m_out", "c_out", "z_out"), [
    ("INC M3", 0xF, 0, 0x0, 1, 1),
    ("INC M3", 0x9, D, 0xA, 0, 0),   # no decimal adjust for INC Mn
    ("INC M3", 0x4, C, 0x5, 0, 0),
    ("DEC M3", 0x0, 0, 0xF, 1, 0),
    ("DEC M3", 0x1, C, 0x0, 0, 1),
    ("DEC M3", 0x0, D, 0xF, 1, 0),
])
def test_inc_dec_mn(op: str, m_in: int, f_in: int, m_out: int, c_out: int, z_out: int) -> None:
    m = run(f"""
        LD   A,{m_in:#x}
        LD   M3,A
        RST  F,0x0
        SET  F,{f_in:#x}
        {op}
    """)
    assert ram(m, 3, 1) == [m_out]
    assert flags(m) == {"C": c_out, "Z": z_out, "D": (f_in >> 2) & 1, "I": 0}


def test_set_and_reset_flag_shorthands() -> None:
    """SET F,i ORs, RST F,i ANDs; SCF..DI are those with fixed operands."""
    source = """
        ORG 0x100
        RST  F,0x0
        SET  F,0x5
        RST  F,0xE
        SCF
        SZF
        RDF
        RCF
        EI
        SDF
        RZF
        DI
done:   JP   done
    """
    m = build(source)
    seen = []
    for _ in range(11):
        m.step()
        seen.append(m.registers()["F"])
    assert seen == [0x0, 0x5, 0x4, 0x5, 0x7, 0x3, 0x2, 0xA, 0xE, 0xC, 0x4]


# --- stack -----------------------------------------------------------------------


def test_push_pop_order_and_every_register() -> None:
    """PUSH: SP-1 then write; POP: read then SP+1 (notes §1)."""
    m = run("""
        LD   A,0x4
        LD   SPH,A
        LD   A,0x0
        LD   SPL,A        ; SP = 40
        LD   A,0x3
        LD   XP,A
        LD   X,0x45       ; X = 345
        LD   A,0x6
        LD   YP,A
        LD   Y,0x78       ; Y = 678
        LD   A,0x1
        LD   B,0x2
        RST  F,0x0
        SET  F,0x5
        PUSH A            ; M3F = 1
        PUSH B            ; M3E = 2
        PUSH XP           ; M3D = 3
        PUSH XH           ; M3C = 4
        PUSH XL           ; M3B = 5
        PUSH YP           ; M3A = 6
        PUSH YH           ; M39 = 7
        PUSH YL           ; M38 = 8
        PUSH F            ; M37 = 5
        LD   A,SPH
        LD   M0,A
        LD   A,SPL
        LD   M1,A         ; SP = 37 here
        POP  A            ; A = 5
        POP  B            ; B = 8
        POP  XP           ; XP = 7
        POP  XH           ; XH = 6
        POP  XL           ; XL = 5
        POP  YP           ; YP = 4
        POP  YH           ; YH = 3
        POP  YL           ; YL = 2
        POP  F            ; F = 1
    """)
    assert ram(m, 0x37, 9) == [5, 8, 7, 6, 5, 4, 3, 2, 1]
    assert ram(m, 0, 2) == [3, 7]
    assert m.registers() | {"PC": 0, "NP": 0} == {
        "PC": 0, "NP": 0, "A": 5, "B": 8, "X": 0x765, "Y": 0x432, "SP": 0x40, "F": 1}


def test_push_pop_memory_operands() -> None:
    m = run("""
        LD   A,0x8
        LD   SPH,A        ; SP = 80
        LD   X,0x10
        LDPX MX,0xB       ; M10 = B
        LD   X,0x10
        LD   Y,0x11
        PUSH MX           ; M7F = B
        POP  MY           ; M11 = B
    """)
    assert ram(m, 0x10, 2) == [0xB, 0xB]
    assert m.read_memory(0x7F) == 0xB
    assert m.registers()["SP"] == 0x80


def test_stack_pointer_wraps_in_page_zero() -> None:
    """SP is 8 bits and addresses RAM 0x000-0x0FF; INC/DEC SP wrap."""
    m = run("""
        LD   A,0x9
        PUSH A            ; SP 00 -> FF, M(0FF) = 9
        LD   B,SPH        ; B = F
        INC  SP           ; SP = 00
        DEC  SP           ; SP = FF
        DEC  SP           ; SP = FE
    """)
    assert m.read_memory(0x0FF) == 9
    assert m.read_memory(0x1FF) == 0
    assert m.registers()["B"] == 0xF
    assert m.registers()["SP"] == 0xFE


# --- jumps, calls and returns ------------------------------------------------------

CALL_PROLOGUE = """
        ORG 0x100
        JP   main
        ORG 0x1A8
main:   LD   A,0x4
        LD   SPH,A
        LD   A,0x0
        LD   SPL,A        ; SP = 40
"""


def test_call_pushes_pcp_pcsh_pcsl_and_ret_returns() -> None:
    source = CALL_PROLOGUE + """
        CALL sub          ; at 1AC, returns to 1AD
back:   LD   B,0x1
done:   JP   done
        ORG 0x1C0
sub:    LD   B,0x7
        RET
    """
    m = build(source)
    lab = labels(source)
    step_until_pc(m, lab["sub"])
    assert lab["back"] == 0x1AD
    assert m.registers()["SP"] == 0x3D
    # PCP at SP-1, PCSH at SP-2, PCSL at SP-3
    assert ram(m, 0x3D, 3) == [0xD, 0xA, 0x1]
    step_until_pc(m, lab["done"])
    assert m.registers()["SP"] == 0x40
    assert m.registers()["B"] == 0x1


def test_rets_skips_the_word_after_the_call() -> None:
    source = CALL_PROLOGUE + """
        CALL sub
        LD   B,0xE        ; skipped by RETS
        LD   A,0x5
done:   JP   done
        ORG 0x1C0
sub:    RETS
    """
    m = build(source)
    step_until_pc(m, labels(source)["done"])
    assert (m.registers()["A"], m.registers()["B"]) == (5, 0)
    assert m.registers()["SP"] == 0x40


def test_retd_stores_the_byte_at_x_and_moves_x_by_two() -> None:
    source = CALL_PROLOGUE + """
        LD   X,0x50
        CALL sub
        LD   A,0x1
        LD   X,0xFF       ; X = 0FF: the second nibble wraps to 000
        CALL sub
done:   JP   done
        ORG 0x1C0
sub:    RETD 0x5C
    """
    m = build(source)
    step_until_pc(m, labels(source)["done"])
    assert ram(m, 0x50, 2) == [0xC, 0x5]
    assert m.read_memory(0x0FF) == 0xC
    assert m.read_memory(0x000) == 0x5
    assert m.registers()["X"] == 0x001
    assert m.registers()["A"] == 1  # RETD returned to the word after the call


def test_calz_goes_to_page_zero() -> None:
    source = CALL_PROLOGUE + """
        CALZ zsub
        LD   B,0x2
done:   JP   done
        ORG 0x030
zsub:   LD   A,0x3
        RET
    """
    m = build(source)
    lab = labels(source)
    m.step()  # JP main
    for _ in range(4):
        m.step()
    m.step()  # CALZ
    assert m.registers()["PC"] == 0x030
    step_until_pc(m, lab["done"])
    assert (m.registers()["A"], m.registers()["B"]) == (3, 2)


def test_pset_gives_jumps_and_calls_their_page() -> None:
    """JP after PSET p goes to p:s (bank too); CALL takes NP's page in the current bank."""
    source = CALL_PROLOGUE + """
        PSET 0x11
        JP   0x22         ; -> 1122 (bank 1)
        ORG 0x1122
far:    LD   A,0x7
        PSET 0x03
        CALL 0x40         ; at 1124 -> 1340: the current bank (1), NP's page (3)
        PSET 0x01         ; 1125
        JP   done
        ORG 0x1340
fsub:   LD   B,0x9
        RET               ; back to 1125 in bank 1
        ORG 0x1E0
done:   JP   done
    """
    m = build(source)
    step_until_pc(m, 0x1AC)
    m.step()
    m.step()
    assert m.registers()["PC"] == 0x1122
    m.step()  # LD A
    m.step()  # PSET
    m.step()  # CALL
    assert m.registers()["PC"] == 0x1340
    assert ram(m, 0x3D, 3) == [0x5, 0x2, 0x1]  # return 0x125 (bank bit not pushed)
    m.step()
    m.step()  # RET
    assert m.registers()["PC"] == 0x1125
    step_until_pc(m, 0x1E0)
    assert (m.registers()["A"], m.registers()["B"]) == (7, 9)


def test_ret_keeps_the_current_bank() -> None:
    """RET pops PCP:PCSH:PCSL only: a return executed in bank 1 stays in bank 1."""
    source = CALL_PROLOGUE + """
        CALL sub          ; from bank 0, returns to 1AD
        JP   bad
bad:    LD   B,0xB
        JP   bad
        ORG 0x1C0
sub:    PSET 0x11
        JP   0x80         ; -> 1180
        ORG 0x1180
        RET               ; -> 11AD: bank 1 kept
        ORG 0x11AD
        LD   A,0xA
        PSET 0x01
        JP   0xF0
        ORG 0x1F0
done:   JP   done
    """
    m = build(source)
    step_until_pc(m, 0x1180)
    m.step()
    assert m.registers()["PC"] == 0x11AD
    step_until_pc(m, 0x1F0)
    assert (m.registers()["A"], m.registers()["B"]) == (0xA, 0)


def test_pset_applies_to_the_next_instruction_only() -> None:
    source = """
        ORG 0x100
        PSET 0x05
        NOP5
        JP   0x80         ; NP is back to this page: 180, not 580
        ORG 0x180
        LD   A,0x1
        JP   done
        ORG 0x580
        LD   A,0x5
        PSET 0x01
        JP   done
        ORG 0x1F0
done:   JP   done
    """
    m = build(source)
    step_n(m, 3)
    assert m.registers()["PC"] == 0x180
    step_until_pc(m, 0x1F0)
    assert m.registers()["A"] == 1


def test_np_follows_the_page_and_pset_sets_it() -> None:
    m = build("""
        ORG 0x100
        PSET 0x13
        JP   0x00
    """)
    m.step()
    assert m.registers()["NP"] == 0x13
    m.step()
    assert m.registers()["PC"] == 0x1300
    assert m.registers()["NP"] == 0x13


def test_jpba_jumps_to_np_b_a() -> None:
    source = """
        ORG 0x100
        LD   A,0x4
        LD   B,0x3
        JPBA              ; -> 134
        ORG 0x134
        LD   A,0x8
        LD   B,0x5
        PSET 0x02
        JPBA              ; -> 258
        ORG 0x258
        LD   A,0x1
done:   JP   done
    """
    m = build(source)
    step_n(m, 3)
    assert m.registers()["PC"] == 0x134
    step_n(m, 4)
    assert m.registers()["PC"] == 0x258


def test_conditional_jumps() -> None:
    m = run("""
        RST  F,0x0
        SCF
        JP   C,t1         ; taken
        LD   A,0x1        ; skipped
t1:     JP   NC,bad       ; not taken
        RCF
        JP   NC,t2        ; taken
bad:    LD   B,0xB
        JP   done
t2:     SZF
        JP   Z,t3         ; taken
        JP   bad
t3:     JP   NZ,bad       ; not taken
        RZF
        JP   NZ,t4        ; taken
        JP   bad
t4:     LD   A,0x9
    """)
    assert (m.registers()["A"], m.registers()["B"]) == (9, 0)


# --- timing ------------------------------------------------------------------------


def test_every_word_costs_its_documented_cycles() -> None:
    """5/7/12 cycles per the notes' table, observed as the tick step one step later.

    The tick count lags one instruction (cycles are charged at the start of the
    next step), so after step 1 the count is 0 and after step 2 it is the first
    instruction's cycles, whatever that instruction did.
    """
    wrong = {}
    for word in range(4096):
        words = [0xFFB] * 0x102
        words[0x100] = word
        m = Machine(Rom(tuple(words), GENERIC_S46, "test"))
        m.step()
        assert m.tick == 0
        m.step()
        if m.tick != doc_cycles(word):
            wrong[f"{word:03X}"] = (m.tick, doc_cycles(word))
    assert wrong == {}


def test_unknown_words_and_nops_change_nothing_but_pc() -> None:
    """Words no instruction has run as NOP5 (pygotchi's choice, isa.py); NOP5/NOP7/SLP too."""
    words_to_check = [w for w in range(4096) if DECODE[w] is UNKNOWN] + [0xFFB, 0xFFF, 0xFF9]
    assert len(words_to_check) > 3
    for word in words_to_check:
        words = [0xFFB] * 0x102
        words[0x100] = word
        m = Machine(Rom(tuple(words), GENERIC_S46, "test"))
        m.step()
        regs = m.registers()
        assert regs == {"PC": 0x101, "NP": 0x01, "A": 0, "B": 0, "X": 0, "Y": 0, "SP": 0,
                        "F": 0}, f"{word:03X}"
        assert ram(m, 0, 0x300) == [0] * 0x300


def test_tick_count_lags_one_instruction() -> None:
    source = """
        ORG 0x100
        NOP7
        NOP5
        LD   A,0x1
        ADD  A,0x1
        SCF
        LD   X,0x10
        INC  M0
        PUSH A
        RRC  A
        RLC  A
loop:   JP   loop
    """
    cycles = [7, 5, 5, 7, 7, 5, 7, 5, 5, 7, 5, 5, 5]
    m = build(source)
    seen = []
    for _ in range(len(cycles)):
        m.step()
        seen.append(m.tick)
    expected = [sum(cycles[:n]) for n in range(len(cycles))]
    assert seen == expected
    assert m.cpu.steps == len(cycles)
    assert m.cpu.instructions == len(cycles)


def test_rets_and_retd_take_twelve_cycles() -> None:
    source = CALL_PROLOGUE + """
        CALL s1
        NOP5
        CALL s2
        NOP5
done:   JP   done
        ORG 0x1C0
s1:     RETS
s2:     RETD 0x00
    """
    m = build(source)
    lab = labels(source)
    step_until_pc(m, lab["s1"])
    m.step()  # RETS
    t = m.tick
    m.step()  # the word after the skipped NOP5
    assert m.tick - t == 12
    step_until_pc(m, lab["s2"])
    m.step()
    t = m.tick
    m.step()
    assert m.tick - t == 12


def test_flags_survive_unrelated_instructions() -> None:
    """Loads, pushes and jumps never touch F."""
    m = run("""
        RST  F,0x0
        SET  F,0x7
        LD   A,0x0
        LD   B,A
        LDPX MX,0x0
        PUSH A
        POP  B
        LD   X,0x00
        INC  X
        LD   A,M0
        JP   next
next:   NOP5
    """)
    assert flags(m) == {"C": 1, "Z": 1, "D": 1, "I": 0}


def test_ei_sets_i_and_di_clears_it() -> None:
    m = run("""
        EI
        LD   M0,A
        DI
    """)
    assert flags(m)["I"] == 0
    m2 = run("EI\n")
    assert flags(m2)["I"] == 1
    assert m2.registers()["F"] == I_FLAG


# --- memory map ----------------------------------------------------------------------


def test_unmapped_data_memory_reads_zero_and_ignores_writes() -> None:
    """Reads of unmapped addresses return 0 (notes §2): past RAM, between the display
    areas, past the I/O block."""
    m = run("""
        LD   A,0x4
        LD   XP,A
        LD   X,0x00       ; X = 400: past RAM
        LDPX MX,0x5
        LD   X,0x00
        LD   A,MX
        LD   M0,A
        LD   A,0xE
        LD   XP,A
        LD   X,0x70       ; X = E70: between display RAM 1 and 2
        LDPX MX,0x6
        LD   X,0x70
        LD   A,MX
        LD   M1,A
        LD   A,0xF
        LD   XP,A
        LD   X,0xA0       ; X = FA0: past the I/O registers
        LDPX MX,0x7
        LD   X,0xA0
        LD   A,MX
        LD   M2,A
        LD   A,0x2
        LD   XP,A
        LD   X,0xFF       ; X = 2FF: the last RAM nibble of TamaLIB's build
        LDPX MX,0x9
        LD   X,0xFF
        LD   A,MX
        LD   M3,A
    """)
    assert ram(m, 0, 4) == [0, 0, 0, 9]


def test_io_registers_read_back_as_documented() -> None:
    """F73 reads without bit 3 (battery fine), F75 only bits 0-1; F26/F27 (reload),
    F71 and F74 read back what was written; F78 reads the run bit (notes §3)."""
    m = run("""
        LD   B,0xF
        LD   YP,B
        LD   X,0x00
        LD   Y,0x73
        LDPY MY,0xF
        LD   Y,0x73
        LDPX MX,MY        ; M0 = F73
        LD   Y,0x75
        LDPY MY,0xF
        LD   Y,0x75
        LDPX MX,MY        ; M1 = F75
        LD   Y,0x26
        LDPY MY,0x9
        LDPY MY,0xA       ; F26 = 9, F27 = A
        LD   Y,0x26
        LDPX MX,MY        ; M2 = F26
        LD   Y,0x27
        LDPX MX,MY        ; M3 = F27
        LD   Y,0x71
        LDPY MY,0x3
        LD   Y,0x71
        LDPX MX,MY        ; M4 = F71
        LD   Y,0x74
        LDPY MY,0x5
        LD   Y,0x74
        LDPX MX,MY        ; M5 = F74
        LD   Y,0x78
        LDPY MY,0x3       ; run + reload
        LD   Y,0x78
        LDPX MX,MY        ; M6 = F78: running
    """)
    assert ram(m, 0, 7) == [0x7, 0x3, 0x9, 0xA, 0x3, 0x5, 0x1]
