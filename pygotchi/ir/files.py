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

_COMMENT = re.compile(r"(#|//).*$", re.M)
# "data: 9485 ...", "rawData[323]: ...", "timings = [...]": a label before the values
_LABEL = re.compile(r"^\s*[A-Za-z_][\w\[\] ]{2,}\s*[:=]", re.M)
_BRACES = re.compile(r"\{([^{}]*)\}")
_SIGN_GAP = re.compile(r"([+-])\s+(?=\d)")
_SPLIT = re.compile(r"[\s,;\[\]()]+")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_HEX_BYTE = re.compile(r"(0[xX])?[0-9A-Fa-f]{1,2}")
_HEX_RUN = re.compile(r"(0[xX])?([0-9A-Fa-f]{2})+")
_MODE2 = re.compile(r"^\s*(pulse|space|timeout)\s+(\d+)\s*$", re.I | re.M)


def _tokens(text: str) -> list[str]:
    return [t for t in _SPLIT.split(text) if t]


def clean_text(text: str) -> str:
    """Strip what surrounds values in hand-made files: comments, ``label:`` prefixes,
    C array declarations (only the ``{...}`` contents count), ``+ 600`` spacing."""
    text = _COMMENT.sub("", text)
    groups = _BRACES.findall(text)
    if groups:
        text = "\n\n".join(groups)
    return _SIGN_GAP.sub(r"\1", _LABEL.sub("", text))


def classify_text(text: str) -> str:
    """``bits``, ``hex``, ``durations``, ``mode2`` or ``serial``; or an error."""
    if "[PICO]" in text:
        return "serial"
    if _MODE2.search(text):
        return "mode2"
    body = clean_text(text)
    tokens = _tokens(body)
    if not tokens:
        raise FileFormatError("the input is empty")
    if all(set(t) <= {"0", "1"} for t in tokens) and max(map(len, tokens)) >= 8:
        return "bits"
    if all(len(t) >= 16 and sum(c in "01" for c in t) >= 0.9 * len(t) for t in tokens):
        return "bits"  # a bit string with a typo: let the bit parser say where
    if all(_HEX_BYTE.fullmatch(t) for t in tokens):
        return "hex"
    if all(_NUMBER.fullmatch(t) for t in tokens):
        return "durations"
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    if all(_HEX_RUN.fullmatch("".join(_tokens(ln))) for ln in lines):
        return "hex"
    bad = next(t for t in tokens if not (_NUMBER.fullmatch(t) or _HEX_BYTE.fullmatch(t)))
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
    if _MODE2.search(text):
        signed = [
            (1 if kind.lower() == "pulse" else -1) * float(value)
            for kind, value in _MODE2.findall(text)
            if kind.lower() != "timeout"
        ]
        return [_from_signed(signed)] if signed else []
    blocks = re.split(r"\n\s*\n", clean_text(text))
    out = []
    for block in blocks:
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
