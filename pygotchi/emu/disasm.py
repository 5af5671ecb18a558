"""Disassembler: ROM words back to E0C6200 source our assembler accepts.

Operands print as the assembler reads them (``0x`` hex), so that every word
disassembles to a line that assembles back to the same word. Jumps and calls
also get the full target address in a comment, worked out from the page in
force (the word's own page, or a PSET just before it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pygotchi.emu.isa import NAMES, REG_NAMES, UNKNOWN, Instruction

_BRANCH_KINDS = {"jp", "jp_c", "jp_nc", "jp_z", "jp_nz", "call", "calz"}


def format_operand(letter: str, value: int) -> str:
    if letter in "rq":
        return REG_NAMES[value]
    if letter == "i":
        return f"0x{value:X}"
    if letter == "n":
        return f"M{value:X}"
    return f"0x{value:02X}"


def mnemonic(word: int) -> str:
    """Assembly text for one 12-bit word (``DW`` for words no instruction has)."""
    word &= 0xFFF
    ins = NAMES[word]
    if ins is UNKNOWN:
        return f"DW 0x{word:03X}"
    values = ins.operands(word)
    if ins.encode(**values) != word:
        # RLC encodes its register twice; a word whose copies disagree still runs
        # (the CPU reads the low copy) but has no source form of its own.
        return f"DW 0x{word:03X}       ; = {render(ins, values)}"
    return render(ins, values)


def render(ins: Instruction, values: dict[str, int]) -> str:
    ops = []
    for part in ins.operand_syntax:
        if part == "Mn":
            ops.append(format_operand("n", values["n"]))
        elif len(part) == 1 and part in values:
            ops.append(format_operand(part, values[part]))
        else:
            ops.append(part)
    return ins.mnemonic + (" " + ",".join(ops) if ops else "")


def branch_target(addr: int, word: int, pset: int | None) -> int | None:
    """Where a jump or call at ``addr`` goes, given a PSET value just before it."""
    ins = NAMES[word & 0xFFF]
    if ins.kind not in _BRANCH_KINDS:
        return None
    step = word & 0xFF
    if ins.kind == "calz":
        return ((addr + 1) & 0x1000) | step
    page = pset if pset is not None else (addr >> 8) & 0x1F
    if ins.kind == "call":
        return ((addr + 1) & 0x1000) | ((page & 0xF) << 8) | step
    return (page << 8) | step


def disassemble(words: Iterable[int], start: int = 0) -> Iterator[tuple[int, int, str]]:
    """(address, word, text) for each word; text carries a ``; -> target`` comment."""
    pset: int | None = None
    for offset, word in enumerate(words):
        addr = start + offset
        text = mnemonic(word)
        target = branch_target(addr, word, pset)
        if target is not None:
            text = f"{text:<16} ; -> 0x{target:04X}"
        ins = NAMES[word & 0xFFF]
        pset = word & 0x1F if ins.kind == "pset" else None
        yield addr, word, text


def listing(words: Iterable[int], start: int = 0) -> Iterator[str]:
    for addr, word, text in disassemble(words, start):
        yield f"{addr:04X}  {word:03X}  {text}"
