"""The E0C6200 instruction set: one table for the decoder, disassembler and assembler.

Each instruction is written as its 12-bit pattern from Epson's manual, e.g.
``"1100 00rr iiii"`` for ``ADD r,i``. Digits are fixed bits, lower-case letters
are operand fields; an upper-case letter repeats the operand of the same
lower-case letter (RLC encodes its register twice) and is ignored when decoding,
as TamaLIB does. From the pattern we derive the opcode/mask pair, the operand
positions and, for every one of the 4,096 words, which instruction it is.

Table order is decode priority, and it follows TamaLIB's op table where two
patterns overlap: ``INC X`` (0xEE0) wins over ``LDPX r,q``, and the flag
shorthands (SCF, EI ...) and ``NOT`` are aliases: TamaLIB decodes those words
through ``SET F,i``/``RST F,i``/``XOR r,i`` with identical effect and cycles, so
they share that semantic ``kind`` and only give the disassembler a nicer name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Register operands r/q: two bits select A, B, M(X) or M(Y).
REG_NAMES = ("A", "B", "MX", "MY")

# Operand letters and what they mean, for the assembler and disassembler.
#   s  8-bit step address inside the page given by NP (jumps, calls)
#   e  8-bit immediate          i  4-bit immediate       n  4-bit RAM address (Mn)
#   p  5-bit bank+page (PSET)   r, q  register A/B/MX/MY
OPERAND_BITS = {"s": 8, "e": 8, "i": 4, "n": 4, "p": 5, "r": 2, "q": 2}


@dataclass(frozen=True)
class Instruction:
    """One row of the table; ``syntax`` uses operand letters, e.g. ``"ADD r,i"``."""

    pattern: str
    syntax: str
    cycles: int
    kind: str
    alias: bool = False  # decoded through an earlier, more general row
    code: int = field(init=False)
    mask: int = field(init=False)
    fields: tuple[tuple[str, int, int], ...] = field(init=False)  # (letter, shift, width)
    copies: tuple[tuple[str, int, int], ...] = field(init=False)

    def __post_init__(self) -> None:
        bits = self.pattern.replace(" ", "")
        if len(bits) != 12:
            raise ValueError(f"pattern {self.pattern!r} is not 12 bits")
        code = mask = 0
        spans: dict[str, list[int]] = {}
        for pos, ch in enumerate(bits):
            bit = 11 - pos
            if ch in "01":
                mask |= 1 << bit
                code |= int(ch) << bit
            else:
                spans.setdefault(ch, []).append(bit)
        fields = []
        copies = []
        for letter, positions in spans.items():
            lo, hi = min(positions), max(positions)
            if hi - lo + 1 != len(positions):
                raise ValueError(f"field {letter!r} of {self.pattern!r} is not contiguous")
            target = copies if letter.isupper() else fields
            target.append((letter.lower(), lo, len(positions)))
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "mask", mask)
        object.__setattr__(self, "fields", tuple(sorted(fields, key=lambda f: -f[1])))
        object.__setattr__(self, "copies", tuple(copies))

    @property
    def mnemonic(self) -> str:
        return self.syntax.split(" ", 1)[0]

    @property
    def operand_syntax(self) -> tuple[str, ...]:
        parts = self.syntax.split(" ", 1)
        return tuple(parts[1].split(",")) if len(parts) > 1 else ()

    def matches(self, word: int) -> bool:
        return (word & self.mask) == self.code

    def operands(self, word: int) -> dict[str, int]:
        fields = self.fields
        return {letter: (word >> shift) & ((1 << width) - 1) for letter, shift, width in fields}

    def encode(self, **values: int) -> int:
        word = self.code
        for letter, shift, width in self.fields:
            value = values[letter]
            if not 0 <= value < (1 << width):
                raise ValueError(f"{letter}={value} does not fit in {width} bits")
            word |= value << shift
        for letter, shift, width in self.copies:
            word |= (values[letter] & ((1 << width) - 1)) << shift
        return word


I = Instruction  # noqa: E741 - short alias keeps the table readable

# fmt: off
TABLE: tuple[Instruction, ...] = (
    I("1110 010p pppp", "PSET p",       5,  "pset"),
    I("0000 ssss ssss", "JP s",         5,  "jp"),
    I("0010 ssss ssss", "JP C,s",       5,  "jp_c"),
    I("0011 ssss ssss", "JP NC,s",      5,  "jp_nc"),
    I("0110 ssss ssss", "JP Z,s",       5,  "jp_z"),
    I("0111 ssss ssss", "JP NZ,s",      5,  "jp_nz"),
    I("1111 1110 1000", "JPBA",         5,  "jpba"),
    I("0100 ssss ssss", "CALL s",       7,  "call"),
    I("0101 ssss ssss", "CALZ s",       7,  "calz"),
    I("1111 1101 1111", "RET",          7,  "ret"),
    I("1111 1101 1110", "RETS",         12, "rets"),
    I("0001 eeee eeee", "RETD e",       12, "retd"),
    I("1111 1111 1011", "NOP5",         5,  "nop"),
    I("1111 1111 1111", "NOP7",         7,  "nop"),
    I("1111 1111 1000", "HALT",         5,  "halt"),
    # SLP is not in TamaLIB's table (it stops there as an unknown word). The
    # E0C6S46 has no SLP: MAME executes it as a 5-cycle no-op, and so do we.
    I("1111 1111 1001", "SLP",          5,  "nop"),
    I("1110 1110 0000", "INC X",        5,  "inc_x"),
    I("1110 1111 0000", "INC Y",        5,  "inc_y"),
    I("1011 eeee eeee", "LD X,e",       5,  "ld_x_e"),
    I("1000 eeee eeee", "LD Y,e",       5,  "ld_y_e"),
    I("1110 1000 00rr", "LD XP,r",      5,  "ld_xp_r"),
    I("1110 1000 01rr", "LD XH,r",      5,  "ld_xh_r"),
    I("1110 1000 10rr", "LD XL,r",      5,  "ld_xl_r"),
    I("1110 1001 00rr", "LD YP,r",      5,  "ld_yp_r"),
    I("1110 1001 01rr", "LD YH,r",      5,  "ld_yh_r"),
    I("1110 1001 10rr", "LD YL,r",      5,  "ld_yl_r"),
    I("1110 1010 00rr", "LD r,XP",      5,  "ld_r_xp"),
    I("1110 1010 01rr", "LD r,XH",      5,  "ld_r_xh"),
    I("1110 1010 10rr", "LD r,XL",      5,  "ld_r_xl"),
    I("1110 1011 00rr", "LD r,YP",      5,  "ld_r_yp"),
    I("1110 1011 01rr", "LD r,YH",      5,  "ld_r_yh"),
    I("1110 1011 10rr", "LD r,YL",      5,  "ld_r_yl"),
    I("1010 0000 iiii", "ADC XH,i",     7,  "adc_xh_i"),
    I("1010 0001 iiii", "ADC XL,i",     7,  "adc_xl_i"),
    I("1010 0010 iiii", "ADC YH,i",     7,  "adc_yh_i"),
    I("1010 0011 iiii", "ADC YL,i",     7,  "adc_yl_i"),
    I("1010 0100 iiii", "CP XH,i",      7,  "cp_xh_i"),
    I("1010 0101 iiii", "CP XL,i",      7,  "cp_xl_i"),
    I("1010 0110 iiii", "CP YH,i",      7,  "cp_yh_i"),
    I("1010 0111 iiii", "CP YL,i",      7,  "cp_yl_i"),
    I("1110 00rr iiii", "LD r,i",       5,  "ld_r_i"),
    I("1110 1100 rrqq", "LD r,q",       5,  "ld_r_q"),
    I("1111 1010 nnnn", "LD A,Mn",      5,  "ld_a_mn"),
    I("1111 1011 nnnn", "LD B,Mn",      5,  "ld_b_mn"),
    I("1111 1000 nnnn", "LD Mn,A",      5,  "ld_mn_a"),
    I("1111 1001 nnnn", "LD Mn,B",      5,  "ld_mn_b"),
    I("1110 0110 iiii", "LDPX MX,i",    5,  "ldpx_mx_i"),
    I("1110 1110 rrqq", "LDPX r,q",     5,  "ldpx_r_q"),
    I("1110 0111 iiii", "LDPY MY,i",    5,  "ldpy_my_i"),
    I("1110 1111 rrqq", "LDPY r,q",     5,  "ldpy_r_q"),
    I("1001 eeee eeee", "LBPX MX,e",    5,  "lbpx"),
    I("1111 0100 iiii", "SET F,i",      7,  "set_f"),
    I("1111 0101 iiii", "RST F,i",      7,  "rst_f"),
    I("1111 0100 0001", "SCF",          7,  "set_f", alias=True),
    I("1111 0101 1110", "RCF",          7,  "rst_f", alias=True),
    I("1111 0100 0010", "SZF",          7,  "set_f", alias=True),
    I("1111 0101 1101", "RZF",          7,  "rst_f", alias=True),
    I("1111 0100 0100", "SDF",          7,  "set_f", alias=True),
    I("1111 0101 1011", "RDF",          7,  "rst_f", alias=True),
    I("1111 0100 1000", "EI",           7,  "set_f", alias=True),
    I("1111 0101 0111", "DI",           7,  "rst_f", alias=True),
    I("1111 1101 1011", "INC SP",       5,  "inc_sp"),
    I("1111 1100 1011", "DEC SP",       5,  "dec_sp"),
    I("1111 1100 00rr", "PUSH r",       5,  "push_r"),
    I("1111 1100 0100", "PUSH XP",      5,  "push_xp"),
    I("1111 1100 0101", "PUSH XH",      5,  "push_xh"),
    I("1111 1100 0110", "PUSH XL",      5,  "push_xl"),
    I("1111 1100 0111", "PUSH YP",      5,  "push_yp"),
    I("1111 1100 1000", "PUSH YH",      5,  "push_yh"),
    I("1111 1100 1001", "PUSH YL",      5,  "push_yl"),
    I("1111 1100 1010", "PUSH F",       5,  "push_f"),
    I("1111 1101 00rr", "POP r",        5,  "pop_r"),
    I("1111 1101 0100", "POP XP",       5,  "pop_xp"),
    I("1111 1101 0101", "POP XH",       5,  "pop_xh"),
    I("1111 1101 0110", "POP XL",       5,  "pop_xl"),
    I("1111 1101 0111", "POP YP",       5,  "pop_yp"),
    I("1111 1101 1000", "POP YH",       5,  "pop_yh"),
    I("1111 1101 1001", "POP YL",       5,  "pop_yl"),
    I("1111 1101 1010", "POP F",        5,  "pop_f"),
    I("1111 1110 00rr", "LD SPH,r",     5,  "ld_sph_r"),
    I("1111 1111 00rr", "LD SPL,r",     5,  "ld_spl_r"),
    I("1111 1110 01rr", "LD r,SPH",     5,  "ld_r_sph"),
    I("1111 1111 01rr", "LD r,SPL",     5,  "ld_r_spl"),
    I("1100 00rr iiii", "ADD r,i",      7,  "add_r_i"),
    I("1010 1000 rrqq", "ADD r,q",      7,  "add_r_q"),
    I("1100 01rr iiii", "ADC r,i",      7,  "adc_r_i"),
    I("1010 1001 rrqq", "ADC r,q",      7,  "adc_r_q"),
    I("1010 1010 rrqq", "SUB r,q",      7,  "sub_r_q"),
    I("1101 01rr iiii", "SBC r,i",      7,  "sbc_r_i"),
    I("1010 1011 rrqq", "SBC r,q",      7,  "sbc_r_q"),
    I("1100 10rr iiii", "AND r,i",      7,  "and_r_i"),
    I("1010 1100 rrqq", "AND r,q",      7,  "and_r_q"),
    I("1100 11rr iiii", "OR r,i",       7,  "or_r_i"),
    I("1010 1101 rrqq", "OR r,q",       7,  "or_r_q"),
    I("1101 00rr iiii", "XOR r,i",      7,  "xor_r_i"),
    I("1010 1110 rrqq", "XOR r,q",      7,  "xor_r_q"),
    I("1101 11rr iiii", "CP r,i",       7,  "cp_r_i"),
    I("1111 0000 rrqq", "CP r,q",       7,  "cp_r_q"),
    I("1101 10rr iiii", "FAN r,i",      7,  "fan_r_i"),
    I("1111 0001 rrqq", "FAN r,q",      7,  "fan_r_q"),
    I("1010 1111 RRrr", "RLC r",        7,  "rlc_r"),
    I("1110 1000 11rr", "RRC r",        5,  "rrc_r"),
    I("1111 0110 nnnn", "INC Mn",       7,  "inc_mn"),
    I("1111 0111 nnnn", "DEC Mn",       7,  "dec_mn"),
    I("1111 0010 10rr", "ACPX MX,r",    7,  "acpx"),
    I("1111 0010 11rr", "ACPY MY,r",    7,  "acpy"),
    I("1111 0011 10rr", "SCPX MX,r",    7,  "scpx"),
    I("1111 0011 11rr", "SCPY MY,r",    7,  "scpy"),
    I("1101 00rr 1111", "NOT r",        7,  "xor_r_i", alias=True),
)
# fmt: on

# Words that match no row. TamaLIB stops emulating at one; the chip's behaviour
# is undocumented. We execute them as 5-cycle no-ops so a stray jump cannot
# freeze a pet, and the disassembler shows them as data.
UNKNOWN = Instruction("0000 0000 0000", "NOP5", 5, "unknown")


def _build_decode_table() -> tuple[Instruction, ...]:
    table = []
    for word in range(4096):
        for ins in TABLE:
            if not ins.alias and ins.matches(word):
                table.append(ins)
                break
        else:
            table.append(UNKNOWN)
    return tuple(table)


def _build_name_table() -> tuple[Instruction, ...]:
    """Like DECODE, but an alias that matches names the word (``EI`` over ``SET F,8``)."""
    names = list(DECODE)
    for ins in TABLE:
        if ins.alias:
            for word in range(4096):
                if ins.matches(word):
                    names[word] = ins
    return tuple(names)


DECODE: tuple[Instruction, ...] = _build_decode_table()
NAMES: tuple[Instruction, ...] = _build_name_table()
KINDS: tuple[str, ...] = tuple(sorted({ins.kind for ins in TABLE} | {UNKNOWN.kind}))
CYCLES: bytes = bytes(ins.cycles for ins in DECODE)


def decode(word: int) -> Instruction:
    """The instruction the CPU executes for ``word`` (0..0xFFF)."""
    return DECODE[word & 0xFFF]


def is_known(word: int) -> bool:
    return DECODE[word & 0xFFF] is not UNKNOWN
