"""Anything a user hands over -> frames: the format is guessed from the content.

Accepted: a Flipper ``.ir`` file (or bare ``data:`` lines from one), a ``.tgir``
export or other JSON (a duration list, a list of them, a list of bit/hex strings,
an object with ``timings_us``/``durations``/``data``), a text file of µs durations
(plain, signed, LIRC ``pulse``/``space``, C or Python arrays), hex or bit strings
(one frame per line), a saved serial log with ``[PICO]`` reports, or the string
itself. :func:`load_frames` returns one :class:`Item` per frame found, decoded or
carrying the error that stopped it, so one bad frame never hides the others.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from pygotchi.ir import codec
from pygotchi.ir.conversation import Conversation
from pygotchi.ir.errors import DecodeError, FileFormatError
from pygotchi.ir.files import (
    FLIPPER_HEADER,
    classify_text,
    clean_text,
    parse_durations,
    read_flipper_ir,
)
from pygotchi.ir.frame import check_bit_string, parse_hex
from pygotchi.ir.message import Message
from pygotchi.ir.stream import parse_transcript
from pygotchi.ir.timing import split_signals


def _keyed(line: str, key: str) -> bool:
    """Is ``line`` a Flipper-style ``key: value`` line (any case, any spacing)?"""
    head, sep, _ = line.partition(":")
    return bool(sep) and head.strip().lower() == key


MAX_ITEMS = 2000  # frames in one input handed to load_text (the CLI reads files whole)
_limit: ContextVar[int | None] = ContextVar("max_items", default=None)


class _Items(list):
    """The frames found so far; refuses to grow past the caller's limit, so a
    megabyte of one-line frames is refused after a few thousand, not decoded whole."""

    def append(self, item: Item) -> None:
        limit = _limit.get()
        if limit is not None and len(self) >= limit:
            raise FileFormatError(f"the input holds more than {limit:,} frames; split it "
                                  "into smaller files")
        super().append(item)


@dataclass(frozen=True)
class Item:
    """One frame found in the input, or the reason it could not be decoded."""

    source: str
    frame: codec.AnyFrame | None = None
    error: DecodeError | None = None


@dataclass
class Loaded:
    """What was found: frames (``items``), the input's kind, conversations (from a
    ``.tgir``) and notes about input that was skipped on purpose."""

    kind: str = ""
    items: list[Item] = field(default_factory=_Items)
    conversations: list[Conversation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def durations(self, durations: Sequence[float], label: str = "") -> None:
        """Decode a duration stream that may hold several frames."""
        try:
            signals, skipped = split_signals(durations)
        except DecodeError as exc:
            self.items.append(Item(f"{label}durations".strip(), error=exc))
            return
        if skipped:
            self.notes.append(
                f"{label}durations 0-{skipped - 1}: {skipped} durations before the first "
                "leader ignored (receiver noise)"
            )
        for sig in signals:
            where = f"{label}durations {sig.start}-{sig.start + len(sig.durations) - 1}"
            try:
                self.items.append(Item(where, codec.decode_durations(sig.durations)))
            except DecodeError as exc:
                if exc.index is not None and sig.start:
                    exc = type(exc)(
                        f"{exc} (counting from duration {sig.start}, where this frame starts)",
                        index=exc.index,
                    )
                self.items.append(Item(where, error=exc))

    def text_frame(self, text: str, kind: str, source: str) -> None:
        """One frame from a bit or hex string."""
        try:
            if kind == "bits":
                bits = "".join(text.split())
                check_bit_string(bits)
                frame = codec.from_bits(bits)
                self.items.append(Item(source, frame))
                if not frame.checksum_ok:
                    self._polarity_hint(bits, source)
            else:
                self.items.append(Item(source, codec.from_bytes(parse_hex(text))))
        except DecodeError as exc:
            self.items.append(Item(source, error=exc))

    def _polarity_hint(self, bits: str, source: str) -> None:
        """Say so when a bad frame is a good one written with short space = 1 (the
        true-NEC convention the first blog decode used); never fix it silently."""
        inverted = bits.translate(str.maketrans("01", "10"))
        if len(inverted) == 160:
            other = Message.from_bits(inverted)
            if other.checksum_ok and other.is_2024:
                self.notes.append(
                    f"{source}: the bits look inverted (short space written as 1); "
                    f"inverted they are a valid frame: {other.hex}"
                )


def load_text(text: str, origin: str = "", max_items: int | None = MAX_ITEMS) -> Loaded:
    """Decode text in any supported format (see the module docstring); at most
    ``max_items`` frames (None: no limit)."""
    token = _limit.set(max_items)
    try:
        return _load_text(text, origin)
    finally:
        _limit.reset(token)


def _load_text(text: str, origin: str) -> Loaded:
    text = text.lstrip("\ufeff")
    stripped = text.strip()
    prefix = f"{origin}: " if origin else ""
    if stripped.startswith("Filetype:"):
        return _load_flipper(text, prefix)
    lines = text.splitlines() if ":" in text else []
    if any(_keyed(ln, "data") for ln in lines) and not stripped.startswith(("[", "{")):
        return _load_flipper(_as_flipper(lines), prefix)
    if stripped[:1] in "[{":
        loaded = _load_json(stripped, prefix)
        if loaded is not None:
            return loaded
    kind = classify_text(text)
    out = Loaded(kind)
    if kind == "serial":
        for n, event in enumerate(parse_transcript(text), 1):
            if event.kind == "frame":
                out.text_frame(event.bits, "bits", f"{prefix}report {n}")
            elif event.kind == "garbled":
                error = DecodeError(f"garbled report of {len(event.text)} characters")
                out.items.append(Item(f"{prefix}report {n}", error=error))
        return out
    if kind in ("durations", "mode2"):
        out.kind = "durations"
        blocks = parse_durations(text)
        for n, block in enumerate(blocks, 1):
            out.durations(block, f"{prefix}block {n} " if len(blocks) > 1 else prefix)
        return out
    lines = [ln for ln in clean_text(text).splitlines() if ln and not ln.isspace()]
    for n, line in enumerate(lines, 1):
        source = f"{prefix}line {n}" if len(lines) > 1 else prefix.rstrip(": ") or "input"
        out.text_frame(line, kind, source)
    return out


def _as_flipper(lines: list[str]) -> str:
    """Bare ``data:`` lines (as printed in blog posts) as a Flipper file."""
    if any(_keyed(ln, "name") for ln in lines):
        return "\n".join([FLIPPER_HEADER, *lines])
    out = [FLIPPER_HEADER]
    for n, line in enumerate(ln for ln in lines if _keyed(ln, "data")):
        out += [f"name: data line {n + 1}", "type: raw", line.strip()]
    return "\n".join(out)


def _load_flipper(text: str, prefix: str) -> Loaded:
    out = Loaded("flipper")
    for s in read_flipper_ir(text):
        label = f"{prefix}signal {s.name!r}"
        if s.kind != "raw":
            error = DecodeError(f"signal {s.name!r} is a {s.kind} signal, not a raw capture")
            out.items.append(Item(label, error=error))
        elif not s.durations:
            out.items.append(Item(label, error=DecodeError("the raw signal has no data")))
        else:
            out.durations(s.durations, label + " ")
    return out


def _numbers(data: Any) -> bool:
    return isinstance(data, list) and all(
        isinstance(x, int | float) and not isinstance(x, bool) for x in data
    )


_TIMING_KEYS = ("timings_us", "durations", "timings", "data")


def _load_json(text: str, prefix: str) -> Loaded | None:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None  # maybe "[9485, 6071, ...]" with a trailing comma: plain text
    if not data:
        raise FileFormatError("the JSON input holds nothing to decode")
    if _numbers(data):
        out = Loaded("durations")
        out.durations(data, prefix)
        return out
    if isinstance(data, list) and all(_numbers(x) for x in data):
        out = Loaded("durations")
        for n, block in enumerate(data, 1):
            out.durations(block, f"{prefix}capture {n} ")
        return out
    if isinstance(data, list) and all(isinstance(x, str) for x in data):
        out = Loaded("strings")
        for n, s in enumerate(data, 1):
            kind = "bits" if set("".join(s.split())) <= {"0", "1"} else "hex"
            out.text_frame(s, kind, f"{prefix}string {n}")
        return out
    if isinstance(data, list) and all(
        isinstance(x, dict) and any(f"message{k}" in x for k in (1, 2, 3, 4)) for x in data
    ):
        return _load_tgir(data, prefix)
    out = Loaded("json")
    try:
        _walk(data, prefix.rstrip(": ") or "json", out)
    except RecursionError:
        raise FileFormatError("the JSON input is nested too deeply") from None
    if not out.items:
        raise FileFormatError(
            "nothing to decode in this JSON: expected a .tgir array, durations (a list "
            "of numbers, or objects with 'timings_us'/'durations') or bit strings"
        )
    return out


def _walk(node: Any, path: str, out: Loaded) -> None:
    """Any other JSON document: decode every duration list and 160-bit string in it
    (captures exported by scripts, or test-vector files)."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}"
            if key in _TIMING_KEYS and _numbers(value) and value:
                out.durations(value, where + " ")
            elif key == "bits" and isinstance(value, str):
                out.text_frame(value, "bits", where)
            else:
                _walk(value, where, out)
    elif isinstance(node, list):
        for n, value in enumerate(node):
            _walk(value, f"{path}[{n}]", out)


def _load_tgir(data: list[dict[str, Any]], prefix: str) -> Loaded:
    """Like :func:`files.read_tgir`, but a bad message becomes an item, not a stop."""
    out = Loaded("tgir")
    for n, obj in enumerate(data, 1):
        if not any(f"message{k}" in obj for k in (1, 2, 3, 4)):
            raise FileFormatError(f"entry {n} has no message1..message4: not a .tgir file")
        title = f"{prefix}conversation {n}" + (f" {obj['name']!r}" if obj.get("name") else "")
        msgs: list[Message | None] = []
        for k in (1, 2, 3, 4):
            bits, source = obj.get(f"message{k}"), f"{title} message {k}"
            msg = None
            if isinstance(bits, str):
                try:
                    msg = Message.from_bits(bits)
                    out.items.append(Item(source, msg))
                except DecodeError as exc:
                    out.items.append(Item(source, error=exc))
            elif bits is not None:
                out.items.append(Item(source, error=DecodeError(f"message{k} is not a string")))
            msgs.append(msg)
        name = str(obj.get("name") or "")
        out.conversations.append(Conversation(tuple(msgs), name))
    return out


def load_frames(arg: str) -> Loaded:
    """Frames from a path, or from the string itself (bits, hex or durations)."""
    if os.path.isfile(arg):
        try:
            with open(arg, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError as exc:
            raise FileFormatError(f"cannot read {arg}: {exc.strerror}") from None
        return load_text(text, os.path.basename(arg), max_items=None)
    if os.path.isdir(arg):
        raise FileFormatError(f"{arg} is a directory, not a capture file")
    try:
        return load_text(arg, max_items=None)
    except FileFormatError:
        if "/" in arg or arg.endswith((".ir", ".tgir", ".json", ".txt")):
            raise FileFormatError(f"no such file: {arg}") from None
        raise
