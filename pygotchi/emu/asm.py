"""Assembler for E0C6200 source, driven by the same table as the decoder.

Source lines look like Epson's, one instruction per line::

    ; comment
    BLINK   = 0x3          ; a constant (also: BLINK EQU 3)
            ORG 0x100      ; the reset vector
    start:  LD   A,BLINK
            LD   X,0x00    ; X low byte
            LDPX MX,A
            JP   start     ; same page as this instruction
            JPF  far_away  ; PSET + JP for a label in another page
            CALLF sub      ; PSET + CALL
            DW   0x123, 0x456

Numbers are decimal, ``0x1F``, ``1Fh`` or ``0b1010``; expressions may use
labels, constants, ``+ - * // % & | ^ << >> ~`` and parentheses. Registers
are A, B, MX (memory at X), MY; ``Mn`` is RAM nibble n (``M3``, ``M(3)``).

Jumps and calls only carry the low 8 bits of the target: the page comes from
NP, which is the jump's own page unless a PSET comes right before it. The
assembler checks this and says which PSET (or JPF/CALLF) is missing, rather
than silently jumping elsewhere.
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass, field

from pygotchi.emu.errors import AsmError
from pygotchi.emu.isa import OPERAND_BITS, REG_NAMES, TABLE, Instruction

MAX_ADDR = 0x2000
RESERVED = {
    "A",
    "B",
    "MX",
    "MY",
    "X",
    "Y",
    "XP",
    "XH",
    "XL",
    "YP",
    "YH",
    "YL",
    "F",
    "SP",
    "SPH",
    "SPL",
    "C",
    "NC",
    "Z",
    "NZ",
}
_LITERALS = RESERVED
_BY_MNEMONIC: dict[str, list[Instruction]] = {}
for _ins in TABLE:
    _BY_MNEMONIC.setdefault(_ins.mnemonic, []).append(_ins)

# Source is user text: every pattern here is applied to one line or one operand and
# cannot backtrack more than linearly (tests/emu/test_linear.py counts the work).
_NAME = re.compile(r"[A-Za-z_.][\w.]*+")
_WS = re.compile(r"\s*+")
_NUM_H = re.compile(r"\b([0-9][0-9A-Fa-f]*+)[hH]\b")
_MN = re.compile(r"^M(?:([0-9A-Fa-f])|\((.+)\))$", re.I)
_PLAIN_NUMBER = re.compile(r"\s*+(?:0[xXbB])?[0-9A-Fa-f]++[hH]?\s*+")
MAX_EXPRESSION = 200  # characters in one operand or constant
MAX_VALUE = 1 << 32  # intermediate results: far beyond any operand, far below a slow bignum

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
}
_UNOPS = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert}


@dataclass
class Program:
    """Assembled words by address, and the labels that placed them."""

    words: dict[int, int] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)

    def image(self, size: int = 6144, fill: int = 0xFFF) -> list[int]:
        """The program as a list of ``size`` words, gaps filled (NOP7 by default)."""
        if self.words and max(self.words) >= size:
            raise AsmError(
                f"the program reaches address {max(self.words):#06x}, past a {size}-word ROM"
            )
        out = [fill] * size
        for addr, word in self.words.items():
            out[addr] = word
        return out


@dataclass
class _Line:
    number: int
    addr: int
    mnemonic: str
    operands: list[str]
    text: str


class _Evaluator:
    def __init__(self, symbols: dict[str, int], line: int, source: str | None):
        self.symbols = symbols
        self.line = line
        self.source = source

    def fail(self, message: str) -> AsmError:
        return AsmError(message, self.line, self.source)

    def __call__(self, text: str) -> int:
        if len(text.strip()) > MAX_EXPRESSION:
            raise self.fail(f"the expression {text.strip()[:20]!r}... is longer than "
                            f"{MAX_EXPRESSION} characters")
        expr = _NUM_H.sub(lambda m: str(int(m.group(1), 16)), text.strip())
        try:
            tree = ast.parse(expr, mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            raise self.fail(f"cannot read the expression {text.strip()!r}") from None
        try:
            return self._eval(tree.body, text)
        except RecursionError:
            raise self.fail(f"the expression {text.strip()!r} is nested too deeply") from None

    def _eval(self, node: ast.AST, text: str) -> int:
        value = self._value(node, text)
        if not -MAX_VALUE < value < MAX_VALUE:
            raise self.fail(f"{text.strip()!r} is out of range (a value or a step of its "
                            f"computation reaches {MAX_VALUE:#x})")
        return value

    def _value(self, node: ast.AST, text: str) -> int:
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Name):
            if node.id.upper() in RESERVED:
                raise self.fail(f"{node.id} is a register, not a value")
            if node.id not in self.symbols:
                raise self.fail(f"unknown label or constant {node.id!r}")
            return self.symbols[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right = self._eval(node.left, text), self._eval(node.right, text)
            if isinstance(node.op, ast.LShift) and right >= 64:
                raise self.fail(f"cannot compute {text.strip()!r}: shift by {right}")
            try:
                return _BINOPS[type(node.op)](left, right)
            except (ZeroDivisionError, ValueError):
                raise self.fail(f"cannot compute {text.strip()!r}") from None
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNOPS:
            return _UNOPS[type(node.op)](self._eval(node.operand, text))
        raise self.fail(f"unsupported expression {text.strip()!r}")


def _split_operands(text: str) -> list[str]:
    """Split at commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    if text[start:].strip():
        parts.append(text[start:].strip())
    return parts


def _constant(text: str) -> tuple[str, str] | None:
    """``(name, expression)`` of ``NAME = expr`` or ``NAME EQU expr``, else None."""
    name = _NAME.match(text)
    if not name:
        return None
    gap = _WS.match(text, name.end()).end()
    if text.startswith("=", gap) and text[gap + 1 :].strip():
        return name.group(), text[gap + 1 :]
    if gap > name.end() and text[gap : gap + 3].upper() == "EQU":
        rest = text[gap + 3 :]
        if rest[:1].isspace() and rest.strip():
            return name.group(), rest
    return None


def _strip_comment(raw: str) -> str:
    return raw.split(";", 1)[0].strip()


def _size_of(mnemonic: str, operands: list[str]) -> int:
    if mnemonic == "DW":
        return len(operands)
    if mnemonic in ("JPF", "CALLF"):
        return 2
    return 1


def assemble(source: str, name: str | None = None) -> Program:
    """Assemble ``source``; raise AsmError naming the line of the first mistake."""
    symbols: dict[str, int] = {}
    lines: list[_Line] = []
    addr = 0
    # Pass 1: addresses of every label and line; constants as they come.
    for number, raw in enumerate(source.splitlines(), 1):
        text = _strip_comment(raw)
        at = 0
        while m := _NAME.match(text, at):  # labels: "start:", "a: b:" (one pass, no copies)
            colon = _WS.match(text, m.end()).end()
            if not text.startswith(":", colon):
                break
            label = m.group()
            if label.upper() in RESERVED:
                raise AsmError(f"{label!r} cannot be a label: it names a register", number, name)
            if label in symbols:
                raise AsmError(f"label {label!r} is defined twice", number, name)
            symbols[label] = addr
            at = _WS.match(text, colon + 1).end()
        text = text[at:]
        if not text:
            continue
        const = _constant(text)
        if const and const[0].upper() not in _BY_MNEMONIC:
            if const[0] in symbols:
                raise AsmError(f"{const[0]!r} is defined twice", number, name)
            symbols[const[0]] = _Evaluator(symbols, number, name)(const[1])
            continue
        parts = text.split(None, 1)
        mnem = parts[0].upper()
        operands = _split_operands(parts[1]) if len(parts) > 1 else []
        if mnem == "ORG":
            if len(operands) != 1:
                raise AsmError("ORG takes one address", number, name)
            addr = _Evaluator(symbols, number, name)(operands[0])
            if not 0 <= addr < MAX_ADDR:
                raise AsmError(f"ORG {addr:#x} is outside program memory (0-0x1FFF)", number, name)
            continue
        if mnem not in _BY_MNEMONIC and mnem not in ("DW", "JPF", "CALLF"):
            raise AsmError(f"unknown instruction {parts[0]!r}", number, name)
        lines.append(_Line(number, addr, mnem, operands, raw.strip()))
        addr += _size_of(mnem, operands)
        if addr > MAX_ADDR:
            raise AsmError("the program runs past the end of program memory (0x1FFF)", number, name)
    # Pass 2: encode.
    program = Program(labels={k: v for k, v in symbols.items()})
    prev_pset: int | None = None
    for line in lines:
        ev = _Evaluator(symbols, line.number, name)
        words = _encode_line(line, ev, prev_pset)
        for i, word in enumerate(words):
            at = line.addr + i
            if at in program.words:
                raise ev.fail(f"address {at:#06x} is assembled twice (overlapping ORG)")
            program.words[at] = word
        last = words[-1]
        prev_pset = last & 0x1F if (last & 0xFE0) == 0xE40 and line.mnemonic != "DW" else None
    return program


def _encode_line(line: _Line, ev: _Evaluator, prev_pset: int | None) -> list[int]:
    mnem, operands = line.mnemonic, line.operands
    if mnem == "DW":
        if not operands:
            raise ev.fail("DW needs at least one value")
        out = []
        for op in operands:
            value = ev(op)
            if not 0 <= value <= 0xFFF:
                raise ev.fail(f"DW value {value} does not fit in 12 bits")
            out.append(value)
        return out
    if mnem in ("JPF", "CALLF"):
        if len(operands) != 1:
            raise ev.fail(f"{mnem} takes one target")
        target = _address(ev, operands[0])
        if mnem == "CALLF" and (target & 0x1000) != ((line.addr + 2) & 0x1000):
            raise ev.fail(f"CALLF cannot reach {target:#06x}: a call stays in its bank")
        pset = TABLE_BY_SYNTAX["PSET p"].encode(p=target >> 8)
        branch = TABLE_BY_SYNTAX["JP s" if mnem == "JPF" else "CALL s"].encode(s=target & 0xFF)
        return [pset, branch]
    errors = []
    for ins in _BY_MNEMONIC[mnem]:
        if len(ins.operand_syntax) != len(operands):
            continue
        try:
            values = _match(ins, operands, ev)
        except _NoMatch as exc:
            errors.append(str(exc))
            continue
        _check_branch(ins, values, line, ev, prev_pset)
        return [ins.encode(**{k: v for k, v in values.items() if not k.startswith("_")})]
    forms = " or ".join(f"'{ins.syntax}'" for ins in _BY_MNEMONIC[mnem])
    detail = f" ({errors[-1]})" if errors else ""
    raise ev.fail(f"'{line.text}' does not match {forms}{detail}")


class _NoMatch(Exception):
    pass


def _match(ins: Instruction, operands: list[str], ev: _Evaluator) -> dict[str, int]:
    values: dict[str, int] = {}
    for part, token in zip(ins.operand_syntax, operands, strict=True):
        upper = token.upper().replace(" ", "")
        if part in ("r", "q"):
            if upper not in REG_NAMES:
                raise _NoMatch(f"{token!r} is not A, B, MX or MY")
            values[part] = REG_NAMES.index(upper)
        elif part == "Mn":
            m = _MN.match(token.replace(" ", ""))
            if not m:
                raise _NoMatch(f"{token!r} is not a RAM nibble M0..MF")
            n = int(m.group(1), 16) if m.group(1) else ev(m.group(2))
            if not 0 <= n <= 15:
                raise ev.fail(f"M({n}) is outside M0..MF")
            values["n"] = n
        elif part in OPERAND_BITS:
            if upper in _LITERALS or _MN.match(token.replace(" ", "")):
                raise _NoMatch(f"{token!r} is a register, not a value")
            value = ev(token)
            if part == "s":
                values["_target"] = value
                value &= 0xFF
            bits = OPERAND_BITS[part]
            if not 0 <= value < (1 << bits):
                raise ev.fail(
                    f"{token.strip()} = {value} does not fit in {bits} bits "
                    f"(operand {part} of '{ins.syntax}')"
                )
            values[part] = value
        elif upper != part:
            raise _NoMatch(f"expected {part}, got {token!r}")
    return values


def _address(ev: _Evaluator, token: str) -> int:
    value = ev(token)
    if not 0 <= value < MAX_ADDR:
        raise ev.fail(f"{token.strip()} = {value:#x} is outside program memory")
    return value


def _check_branch(
    ins: Instruction, values: dict[str, int], line: _Line, ev: _Evaluator, prev_pset: int | None
) -> None:
    """A jump's target must be in the page NP will hold when it executes."""
    target = values.get("_target")
    if target is None:
        return
    if target < 0x100 and not _looks_like_label(line):
        return  # a bare step number, as the disassembler writes it: no page to check
    here = line.addr
    if ins.kind == "calz":
        if (target & ~0xFF) != ((here + 1) & 0x1000):
            raise ev.fail(f"CALZ {target:#06x}: CALZ only reaches page 0 of its bank")
        return
    page = prev_pset if prev_pset is not None else (here >> 8) & 0x1F
    if ins.kind == "call":
        reach = ((here + 1) & 0x1000) | ((page & 0xF) << 8)
    else:
        reach = page << 8
    if target & ~0xFF != reach:
        hint = "use JPF/CALLF, or put 'PSET target' before it"
        raise ev.fail(
            f"{ins.mnemonic} to {target:#06x} from {here:#06x}: NP points at page "
            f"{reach >> 8:#04x}; {hint}"
        )


def _looks_like_label(line: _Line) -> bool:
    last = line.operands[-1] if line.operands else ""
    return not _PLAIN_NUMBER.fullmatch(last)


TABLE_BY_SYNTAX = {ins.syntax: ins for ins in TABLE}
