"""File formats: Tamagometer ``.tgir``, Flipper ``.ir``, duration lists, hex and bits.

Readers are strict about structure (a clear :class:`FileFormatError` naming the
line or entry) but lenient about harmless variations (comments, commas, brackets,
``label:`` prefixes, ``pulse``/``space`` lines, signed durations), because capture
files are often hand-made. :mod:`pygotchi.ir.loader` picks the format for a file
or string the user hands over.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pygotchi.ir import codec
from pygotchi.ir.conversation import Conversation
from pygotchi.ir.errors import FileFormatError, IrError

# -- .tgir ----------------------------------------------------------------------------------


def read_tgir(text: str) -> list[Conversation]:
    """Parse a Tamagometer export: a JSON array of conversation objects.

    Bit strings are validated (an invalid one is an error naming the entry); bad
    checksums are kept as they are and show up in ``Conversation.check()``.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"not a .tgir file: invalid JSON ({exc})") from None
    if not isinstance(data, list):
        raise FileFormatError("not a .tgir file: expected a JSON array of conversations")
    out = []
    for n, obj in enumerate(data, 1):
        if not isinstance(obj, dict):
            raise FileFormatError(f"entry {n} of the .tgir array is not an object")
        try:
            out.append(Conversation.from_tgir(obj))
        except IrError as exc:
            raise FileFormatError(f"entry {n} ({obj.get('name')!r}): {exc}") from None
    return out


def dumps_tgir(conversations: Iterable[Conversation], *, indent: int | None = None) -> str:
    """A Tamagometer export (no ``id`` keys, so importing never overwrites)."""
    return json.dumps([c.to_tgir() for c in conversations], indent=indent, ensure_ascii=False)


# -- Flipper .ir ------------------------------------------------------------------------------

FLIPPER_HEADER = "Filetype: IR signals file"


@dataclass(frozen=True)
class FlipperSignal:
    name: str
    durations: tuple[int, ...] = ()
    frequency: int = 38000
    duty_cycle: float = 0.33
    kind: str = "raw"  # "parsed" signals (protocol/address/command) carry no durations
    line: int = 0


def read_flipper_ir(text: str) -> list[FlipperSignal]:
    """Signals of a Flipper ``.ir`` file (parsed signals are returned without data)."""
    lines = text.splitlines()
    if not lines or not lines[0].strip().startswith("Filetype:"):
        raise FileFormatError("not a Flipper .ir file: the first line must be 'Filetype: ...'")
    signals: list[FlipperSignal] = []
    current: dict[str, Any] | None = None

    def close() -> None:
        if current is not None:
            signals.append(_flipper_signal(current))

    for number, raw in enumerate(lines[1:], 2):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise FileFormatError(f"line {number}: expected 'key: value', got {line[:40]!r}")
        key, value = key.strip().lower(), value.strip()
        if key == "name":
            close()
            current = {"name": value, "line": number, "data": []}
        elif current is None:
            continue  # header keys such as Version
        elif key == "data":
            try:
                current["data"] += [int(v) for v in value.split()]
            except ValueError:
                raise FileFormatError(f"line {number}: data must be whole µs values") from None
        else:
            current[key] = value
    close()
    if not signals:
        raise FileFormatError("the Flipper .ir file holds no signals")
    return signals


def _flipper_signal(fields: dict[str, Any]) -> FlipperSignal:
    kind = str(fields.get("type", "raw")).lower()
    try:
        frequency = int(fields.get("frequency", 38000))
        duty = float(fields.get("duty_cycle", 0.33))
    except ValueError:
        raise FileFormatError(f"line {fields['line']}: bad frequency or duty_cycle") from None
    return FlipperSignal(
        fields["name"], tuple(fields["data"]), frequency, duty, kind, fields["line"]
    )


def dumps_flipper_ir(signals: Iterable[FlipperSignal]) -> str:
    out = [FLIPPER_HEADER, "Version: 1"]
    for s in signals:
        if s.kind != "raw":
            raise FileFormatError(f"signal {s.name!r}: only raw signals can be written")
        out += [
            "# ",
            f"name: {s.name}",
            "type: raw",
            f"frequency: {s.frequency}",
            f"duty_cycle: {s.duty_cycle:.6f}",
            "data: " + " ".join(str(int(round(t))) for t in s.durations),
        ]
    return "\n".join(out) + "\n"


def frames_to_flipper(frames: Sequence[codec.AnyFrame], prefix: str = "message") -> str:
    """One raw signal per frame (a whole conversation is too long for one signal)."""
    return dumps_flipper_ir(
        FlipperSignal(f"{prefix}{n}", tuple(f.to_durations())) for n, f in enumerate(frames, 1)
    )


def conversation_to_flipper(conversation: Conversation) -> str:
    return frames_to_flipper([m for m in conversation.messages if m is not None])


# -- plain text: durations, hex, bits -------------------------------------------------------------
#
# Users paste anything here, so every reader below takes time linear in its input: text
# is cut into lines with str methods, and the only regular expressions are single-pass
# ones (a run of one character class, or a fixed token) that cannot backtrack across
# lines. tests/ir/test_linear.py counts the work on adversarial inputs.

# "+ 600" -> "+600", within a line (possessive: no backtracking)
_SIGN_GAP = re.compile(r"([+-])[^\S\n]++(?=\d)")
_SPLIT = re.compile(r"[\s,;\[\]()]+")
_NUMBER = re.compile(r"[+-]?+\d++(?:\.\d++)?+")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_BRACE = re.compile(r"[{}]")
_MODE2_KINDS = ("pulse", "space", "timeout")


def _tokens(text: str) -> list[str]:
    return [t for t in _SPLIT.split(text) if t]


def _is_hex_byte(token: str) -> bool:
    """``0x1F``, ``1F`` or ``F``."""
    digits = token[2:] if token[:2] in ("0x", "0X") else token
    return 1 <= len(digits) <= 2 and all(c in _HEX_DIGITS for c in digits)


def _is_hex_run(token: str) -> bool:
    """``0x0E00DE``, ``0E00DE``: whole bytes of hex digits."""
    digits = token[2:] if token[:2] in ("0x", "0X") else token
    return len(digits) >= 2 and not len(digits) % 2 and all(c in _HEX_DIGITS for c in digits)


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0].split("//", 1)[0]


def _strip_label(line: str) -> str:
    """Drop a ``label:`` or ``name =`` prefix ("data: 9485 ...", "rawData[323]: ...",
    "timings = [...]"): a word of at least three characters (brackets and spaces
    allowed after the first) before the line's first ``:`` or ``=``."""
    cut = min((i for i in (line.find(":"), line.find("=")) if i >= 0), default=-1)
    if cut < 0:
        return line
    label = line[:cut].lstrip()
    word = label.rstrip()
    spaces = len(label) - len(word) - len(label[len(word) :].lstrip(" "))
    if (word and (word[0] == "_" or word[0].isascii() and word[0].isalpha())
            and len(word) - 1 + spaces >= 2
            and all(c.isalnum() or c in "_[] " for c in word[1:])):
        return line[cut + 1 :]
    return line


def _brace_groups(text: str) -> list[str]:
    """The contents of every ``{...}`` that holds no other brace (C array initialisers)."""
    groups = []
    last = None
    for brace in _BRACE.finditer(text):
        if last is not None and last.group() == "{" and brace.group() == "}":
            groups.append(text[last.end() : brace.start()])
        last = brace
    return groups


def clean_text(text: str) -> str:
    """Strip what surrounds values in hand-made files: comments, ``label:`` prefixes,
    C array declarations (only the ``{...}`` contents count), ``+ 600`` spacing."""
    # Each pass runs only when the text holds what it looks for: a pasted megabyte of
    # blank lines costs a few scans in C, not a few Python calls per line.
    if "#" in text or "//" in text:
        text = "\n".join(_strip_comment(line) for line in text.splitlines())
    groups = _brace_groups(text) if "{" in text else []
    if groups:
        text = "\n\n".join(groups)
    if ":" in text or "=" in text:
        text = "\n".join(_strip_label(line) for line in text.splitlines())
    return _SIGN_GAP.sub(r"\1", text) if "+" in text or "-" in text else text


def _mode2_line(line: str) -> tuple[str, str] | None:
    """``("pulse", "9500")`` for an LIRC ``mode2`` line, else None."""
    parts = line.split()
    if len(parts) == 2 and parts[0].lower() in _MODE2_KINDS and parts[1].isdecimal():
        return parts[0].lower(), parts[1]
    return None


def _mode2(text: str) -> list[tuple[str, str]]:
    folded = text.lower()
    if not any(kind in folded for kind in _MODE2_KINDS):
        return []
    return [p for p in map(_mode2_line, text.splitlines()) if p is not None]


def _blocks(text: str) -> list[str]:
    """Runs of lines separated by blank lines."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return ["\n".join(b) for b in blocks if b]


def classify_text(text: str) -> str:
    """``bits``, ``hex``, ``durations``, ``mode2`` or ``serial``; or an error."""
    if "[PICO]" in text:
        return "serial"
    if _mode2(text):
        return "mode2"
    body = clean_text(text)
    tokens = _tokens(body)
    if not tokens:
        raise FileFormatError("the input is empty")
    if all(set(t) <= {"0", "1"} for t in tokens) and max(map(len, tokens)) >= 8:
        return "bits"
    if all(len(t) >= 16 and sum(c in "01" for c in t) >= 0.9 * len(t) for t in tokens):
        return "bits"  # a bit string with a typo: let the bit parser say where
    if all(map(_is_hex_byte, tokens)):
        return "hex"
    if all(_NUMBER.fullmatch(t) for t in tokens):
        return "durations"
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    if all(_is_hex_run("".join(_tokens(ln))) for ln in lines):
        return "hex"
    bad = next(t for t in tokens if not (_NUMBER.fullmatch(t) or _is_hex_byte(t)))
    raise FileFormatError(
        f"cannot tell what the input is ({bad[:30]!r} is not a bit string, hex byte or "
        "duration); expected a Flipper .ir file, a .tgir file, µs durations, hex or bits"
    )


def parse_durations(text: str) -> list[list[float]]:
    """Duration blocks (separated by blank lines), alternating mark/space.

    Unsigned values start with a mark. Signed values (``+9500 -6000``) and LIRC
    ``pulse``/``space`` lines say which is which: same-kind neighbours are merged
    and a leading space (receiver idle time) is dropped.
    """
    mode2 = _mode2(text)
    if mode2:
        signed = [
            (1 if kind == "pulse" else -1) * float(value)
            for kind, value in mode2
            if kind != "timeout"
        ]
        return [_from_signed(signed)] if signed else []
    out = []
    for block in _blocks(clean_text(text)):
        tokens = _tokens(block)
        if not tokens:
            continue
        for t in tokens:
            if not _NUMBER.fullmatch(t):
                raise FileFormatError(f"{t!r} is not a duration in microseconds")
        if any(t[0] in "+-" for t in tokens):
            out.append(_from_signed([float(t) for t in tokens]))
        else:
            out.append([_num(t) for t in tokens])
    return out


def _num(token: str) -> float:
    value = float(token)
    return int(value) if value.is_integer() else value


def _from_signed(values: Sequence[float]) -> list[float]:
    merged: list[float] = []
    last_sign = 0
    for v in values:
        sign = 1 if v > 0 else -1
        if not merged and sign < 0:
            continue  # idle time before the first mark
        if sign == last_sign:
            merged[-1] += abs(v)
        else:
            merged.append(abs(v))
        last_sign = sign
    return [int(v) if float(v).is_integer() else v for v in merged]
