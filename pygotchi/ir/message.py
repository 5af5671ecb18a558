"""Typed Connection 2024 messages: a frame plus the meaning of its fields.

A :class:`Message` *is* its 20 bytes; every field is computed from them on demand.
That is what makes decode-then-encode exact: nothing is parsed into a model that
could forget an unknown bit. Edits (:meth:`Message.replace`) rewrite only the bits
of the named fields and then recompute the checksum, as Tamagometer does whenever
it rebuilds a message from its fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pygotchi.ir import fields as F
from pygotchi.ir.errors import FieldError, FileFormatError
from pygotchi.ir.frame import MAGIC_2024, Frame
from pygotchi.ir.timing import TX_2024, TxTiming


@dataclass(frozen=True)
class Message:
    """One Connection 2024 message (20 bytes, MSB-first on air)."""

    frame: Frame

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def from_bytes(cls, data: bytes | Sequence[int]) -> Message:
        return cls(Frame(bytes(data)))

    @classmethod
    def from_bits(cls, bits: str) -> Message:
        return cls(Frame.from_bits(bits))

    @classmethod
    def from_hex(cls, text: str) -> Message:
        return cls(Frame.from_hex(text))

    @classmethod
    def from_durations(cls, durations: Sequence[float]) -> Message:
        return cls(Frame.from_durations(durations))

    @classmethod
    def blank(cls, type_code: int = 0) -> Message:
        """A message with only the format marker and type set (all else zero)."""
        if not 0 <= type_code <= 0xFF:
            raise FieldError(f"a message type is a byte (0-255), not {type_code}")
        data = bytearray(20)
        data[0], data[1] = MAGIC_2024, type_code
        return cls(Frame(bytes(data))).fixed()

    # -- raw views ----------------------------------------------------------------------

    @property
    def data(self) -> bytes:
        return self.frame.data

    @property
    def bits(self) -> str:
        return self.frame.bits

    @property
    def hex(self) -> str:
        return self.frame.hex

    @property
    def checksum_ok(self) -> bool:
        return self.frame.checksum_ok

    def fixed(self) -> Message:
        """The same message with a recomputed checksum."""
        return Message(self.frame.with_checksum())

    def to_durations(self, timing: TxTiming = TX_2024) -> list[int]:
        return self.frame.to_durations(timing)

    # -- fields -------------------------------------------------------------------------

    def get(self, name: str) -> Any:
        return F.field(name).read(self.data)

    def label(self, name: str) -> str | None:
        f = F.field(name)
        return f.describe(f.read(self.data))

    def replace(self, *, fix_checksum: bool = True, **values: Any) -> Message:
        """A copy with some fields changed (values as :func:`fields.parse_value` takes)."""
        return self.with_fields(values, fix_checksum=fix_checksum)

    def with_fields(self, values: Mapping[str, Any], *, fix_checksum: bool = True) -> Message:
        data = bytearray(self.data)
        for name, value in values.items():
            f = F.field(name)
            f.write(data, F.parse_value(name, value))
        msg = Message(Frame(bytes(data)))
        return msg.fixed() if fix_checksum and "checksum" not in values else msg

    @property
    def type(self) -> int:
        return self.data[1]

    @property
    def role(self) -> int | None:
        """1-4: the position in a conversation this message's type implies."""
        return F.role_of(self.type)

    @property
    def activity(self) -> str | None:
        return F.activity_of(self.type)

    @property
    def device_id(self) -> int:
        return self.get("device_id")

    @property
    def character(self) -> int:
        return self.data[4]

    @property
    def name(self) -> str:
        return self.get("name")

    @property
    def is_2024(self) -> bool:
        return self.data[0] == MAGIC_2024

    def fields(self) -> dict[str, Any]:
        """JSON-ready interpretation: every applicable field, names next to codes.

        For each field ``x`` with a name table there is also ``x_name``; bytes that
        no applicable field fully explains are listed under ``unknown`` as
        ``{"b11": 100, ...}``, and under ``unknown_bits`` only the bits no field
        explains, as ``{"b10": {"mask": 252, "value": 0}, ...}``.
        """
        data = self.data
        out: dict[str, Any] = {
            "role": self.role,
            "activity": self.activity,
        }
        for f in F.applicable(data):
            value = f.read(data)
            out[f.name] = list(value) if isinstance(value, tuple) else value
            label = f.describe(value)
            if label is not None:
                out[f"{f.name}_name"] = label
            if f.name == "device_id":
                out["device_id_hex"] = f"{value:04X}"
        out["name_codes"] = list(data[5:10])
        out["checksum_ok"] = self.checksum_ok
        out["unknown"] = {f"b{i}": v for i, v in F.unexplained_bytes(data).items()}
        out["unknown_bits"] = {f"b{i}": {"mask": mask, "value": data[i] & mask}
                               for i, mask in F.unexplained_bits(data).items()}
        return out

    def summary(self) -> str:
        """One line for people: ``msg 1 DE5A Pipotchi "ALICE" ...``."""
        parts = [
            f"msg {self.role or '?'}",
            f"{F.field('type').describe(self.type)}",
            f"id {self.device_id:04X}",
            f"{self.label('character')}",
            f'"{self.name}"',
        ]
        extras = {
            "gender": "gender",
            "visit_activity": "activity",
            "gift_item": "gift",
            "pregift_activity": "before gift",
            "wager": "wager",
            "points_winner": "winner",
        }
        applicable = {f.name for f in F.applicable(self.data)}
        for name, title in extras.items():
            if name in applicable:
                parts.append(f"{title}: {self.label(name) or self.get(name)}")
        if self.activity == "game" or (self.type in (0, 1) and self.data[17] & 7):
            parts.append(f"game: {self.label('game_type')}")
        if not self.checksum_ok:
            parts.append(f"BAD CHECKSUM (should be {self.frame.expected_checksum:02X})")
        if not self.is_2024:
            parts.append(f"unusual first byte {self.data[0]:02X}")
        return ", ".join(parts)

    # -- storage ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "hex": self.hex,
            "bits": self.bits,
            "checksum_ok": self.checksum_ok,
            "fields": self.fields(),
        }

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any] | str) -> Message:
        """Inverse of :meth:`to_dict`; the bytes (``hex`` or ``bits``) are the truth.

        With neither, the message is built from ``fields`` on a blank message with
        a fresh checksum. A bare string is taken as bits or hex.
        """
        if isinstance(obj, str):
            return cls.from_text(obj)
        if not isinstance(obj, Mapping):
            raise FileFormatError(f"a message must be an object or a string, not {obj!r}")
        if obj.get("hex"):
            return cls.from_hex(str(obj["hex"]))
        if obj.get("bits"):
            return cls.from_bits(str(obj["bits"]))
        values = obj.get("fields")
        if not isinstance(values, Mapping):
            raise FileFormatError("a message needs 'hex', 'bits' or 'fields'")
        writable = {k: v for k, v in values.items() if k in _WRITABLE}
        return cls.blank(F.parse_code("type", writable.pop("type", 0))).with_fields(writable)

    @classmethod
    def from_text(cls, text: str) -> Message:
        """160 bits or 20 hex bytes, whichever the text is."""
        compact = "".join(text.split())
        # Mostly 0s and 1s and longer than 20 bytes of hex can be: bits, perhaps with a
        # typo, which from_bits then points at instead of a confusing hex error.
        binary = sum(1 for ch in compact if ch in "01")
        if len(compact) > 40 and binary >= 0.9 * len(compact):
            return cls.from_bits(compact)
        return cls.from_hex(text)

    def __str__(self) -> str:
        return self.hex


_WRITABLE = {f.name for f in F.FIELDS} - {"checksum"}
