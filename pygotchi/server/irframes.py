"""IR frames in and out of the API: one JSON shape for a frame everywhere, and the
parsing of frames people send (hex or bits), with errors as sentences.

Every endpoint of the IR lab (decode, encode, edit, saved items, sessions) shows
frames through :func:`frame_json` and conversations through
:func:`conversation_json`, so the web app has exactly one thing to render. The
bytes (``hex``) are the truth; ``fields`` and ``summary`` are computed from them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from pygotchi.ir import codec
from pygotchi.ir import fields as F
from pygotchi.ir.conversation import Conversation
from pygotchi.ir.errors import DecodeError, IrError
from pygotchi.ir.frame import check_bit_string, parse_hex
from pygotchi.ir.legacy import LegacyFrame
from pygotchi.ir.message import Message
from pygotchi.server.errors import ApiError

AnyFrame = codec.AnyFrame
FORMATS = ("2024", "legacy")


@contextmanager
def user_errors(code: str = "invalid") -> Iterator[None]:
    """Turn the IR toolkit's deliberate errors into 422 answers with its own sentence."""
    try:
        yield
    except IrError as exc:
        raise ApiError(422, code, str(exc)) from None


# -- frames -> JSON -----------------------------------------------------------------------------


def expected_checksum(frame: AnyFrame) -> int:
    return frame.frame.expected_checksum if isinstance(frame, Message) else frame.expected_checksum


def frame_json(frame: AnyFrame) -> dict[str, Any]:
    """Everything the lab shows about one frame."""
    is_2024 = isinstance(frame, Message)
    return {
        "format": "2024" if is_2024 else "legacy",
        "hex": frame.hex,
        "bits": frame.bits,
        "length": len(frame.data),
        "checksum": frame.data[-1],
        "expected_checksum": expected_checksum(frame),
        "checksum_ok": frame.checksum_ok,
        "role": frame.role if is_2024 else None,
        "summary": frame.summary(),
        "fields": frame.fields(),
        "error": None,
    }


def error_json(source: str, exc: DecodeError) -> dict[str, Any]:
    """A frame that could not be decoded: where, why, and nothing else."""
    return {"source": source, "format": None, "hex": None, "bits": None, "checksum_ok": None,
            "fields": None, "error": str(exc), "error_kind": exc.kind, "error_index": exc.index}


def conversation_json(conv: Conversation) -> dict[str, Any]:
    issues = conv.check()
    return {
        "activity": conv.activity,
        "complete": conv.complete,
        "consistent": not any(i.severity == "error" for i in issues),
        "issues": [{"severity": i.severity, "message": i.message, "text": i.text}
                   for i in issues],
        "frames": [frame_json(m) if m is not None else None for m in conv.messages],
    }


# -- what people send -> frames -------------------------------------------------------------------


def _looks_like_bits(compact: str) -> bool:
    """Longer than 20 hex bytes and (nearly) all 0/1: bits, perhaps with a typo that the
    bit parser should point at, rather than a hex string of the wrong length."""
    return len(compact) > 40 and sum(c in "01" for c in compact) >= 0.9 * len(compact)


def parse_frame(text: str, fmt: str | None = None, what: str = "the frame") -> AnyFrame:
    """A frame from hex or bits. ``fmt`` forces the generation; otherwise the bytes say
    (2024 frames start with 0E, legacy ones with 0C/AC, see :mod:`pygotchi.ir.codec`)."""
    try:
        compact = "".join(text.split())
        if _looks_like_bits(compact):
            check_bit_string(compact)
            if fmt == "2024":
                return Message.from_bits(compact)
            return LegacyFrame.from_bits(compact) if fmt == "legacy" else codec.from_bits(compact)
        data = parse_hex(text)
        if fmt == "2024":
            return Message.from_bytes(data)
        return LegacyFrame(data) if fmt == "legacy" else codec.from_bytes(data)
    except DecodeError as exc:
        raise ApiError(422, "bad_frame", f"{what}: {exc}") from None


def parse_message(text: str, what: str = "the frame") -> Message:
    """A Connection 2024 message (the only kind the editor's fields and the toys know)."""
    frame = parse_frame(text, "2024", what)
    assert isinstance(frame, Message)
    return frame


def stored_frame(hex_text: str, kind: str) -> AnyFrame:
    """A frame as saved by this server: conversation slots are always 2024 messages."""
    return parse_message(hex_text) if kind == "conversation" else parse_frame(hex_text)


def conversation_of(slots: Sequence[str | None], name: str = "") -> Conversation:
    return Conversation(tuple(None if s is None else parse_message(s) for s in slots), name)


def flip_bits(frame: AnyFrame, positions: Sequence[int]) -> AnyFrame:
    """The frame with the bits at ``positions`` (air order, from 0) inverted; the checksum
    byte is left alone, as a person flipping bits by hand would expect."""
    bits = list(frame.bits)
    for i in positions:
        if not 0 <= i < len(bits):
            raise ApiError(422, "bad_bit", f"bit {i} does not exist: this frame has bits "
                                           f"0-{len(bits) - 1}")
        bits[i] = "1" if bits[i] == "0" else "0"
    return type(frame).from_bits("".join(bits))


# -- field descriptions for selectors --------------------------------------------------------------


def _bit_positions(f: F.Field) -> list[int]:
    """Where the field's bits are in the 160-bit string (first on air = 0)."""
    mask = f.mask if f.kind in ("int", "enum") else 0xFF
    return [8 * b + (7 - k) for b in f.bytes_used for k in range(7, -1, -1) if mask >> k & 1]


def _choices(name: str) -> list[dict[str, Any]]:
    return [{"value": c.value, "label": c.label} for c in F.choices(name)]


def fields_json() -> dict[str, Any]:
    """Every known field of a Connection 2024 message, where it lives and its named values."""
    out = []
    for f in F.FIELDS:
        if f.name == "type":
            choices = _choices("message_type")
        else:
            choices = _choices(f.name) if f.kind == "enum" else None
        out.append({
            "name": f.name, "label": f.label, "kind": f.kind, "byte": f.byte,
            "bytes": list(f.bytes_used), "mask": f.mask, "bits": _bit_positions(f),
            "max": f.max_value, "source": f.source, "note": f.note, "choices": choices,
        })
    return {"fields": out, "letters": _choices("letter"), "name_hint": F.ALPHABET_HINT}


def check_field_names(values: Mapping[str, Any]) -> None:
    """Unknown field names are an error here (``Message.from_dict`` skips them quietly)."""
    with user_errors("bad_field"):
        for name in values:
            F.field(name)
