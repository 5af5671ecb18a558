"""Frames of the older Connection generations (SPEC.md §7), LSB-first on air.

Two encodings are known, both with a byte-sum checksum in the last byte:

* ``0x0C`` "compatibility" frames (V2/V3/V4 talking to each other): identity
  frames of 18 (V2), 20 (V3) or 24 (V4) bytes, then 9-byte action frames.
* ``0xAC`` V4/V4.5 native frames: a 24-byte request/response and 9-byte confirms.

Much less is known about them than about 2024 frames, so the field view is modest
and says how sure each guess is; the bytes are always kept as received.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pygotchi.ir.errors import FileFormatError, LengthError
from pygotchi.ir.frame import SummedBytes, pack_bits, parse_hex, unpack_bits
from pygotchi.ir.timing import LEGACY, TX_LEGACY, TxTiming, decode_bits, encode_bits

MAGIC_COMPAT = 0x0C
MAGIC_V4 = 0xAC
LEGACY_LENGTHS = LEGACY.byte_counts

IDENTITY_GENERATION = {18: "V2", 20: "V3", 24: "V4"}

COMPAT_ACTIONS: dict[int, str] = {
    0x04: "tug-of-war game (inferred)",
    0x06: "balloon/jumping game",
    0x08: "speed-eating game",
    0x0A: "gift (the receiving toy picks the item)",
}


def _compat_type_label(code: int, length: int) -> str:
    if code in (0, 1) and length > 9:
        side = "initiator" if code == 0 else "responder"
        return f"{side} identity ({IDENTITY_GENERATION.get(length, '?')})"
    base = code & ~1
    if base in COMPAT_ACTIONS:
        side = "request" if code == base else "reply"
        return f"{COMPAT_ACTIONS[base]} {side}"
    return f"unknown type 0x{code:02X}"


def decode_v4_name(codes: bytes) -> str:
    """V4 letters: A = 1 ... Z = 26, 0 = blank (KW); other codes as ``[n]``."""
    return "".join(
        "_" if c == 0 else chr(ord("A") + c - 1) if 1 <= c <= 26 else f"[{c}]" for c in codes
    )


@dataclass(frozen=True)
class LegacyFrame(SummedBytes):
    """One legacy frame (9, 18, 20 or 24 bytes), bytes as values, LSB-first on air."""

    data: bytes

    def __post_init__(self) -> None:
        data = bytes(self.data)
        if len(data) not in LEGACY_LENGTHS:
            raise LengthError(
                f"wrong length: {len(data)} bytes, legacy frames have "
                f"{', '.join(map(str, LEGACY_LENGTHS))} bytes"
            )
        object.__setattr__(self, "data", data)

    @classmethod
    def from_hex(cls, text: str) -> LegacyFrame:
        return cls(parse_hex(text))

    @classmethod
    def from_bits(cls, bits: str) -> LegacyFrame:
        """From bits in air order (LSB of each byte first)."""
        return cls(pack_bits(bits, msb_first=False))

    @classmethod
    def from_durations(cls, durations: Sequence[float]) -> LegacyFrame:
        return cls.from_bits(decode_bits(durations, LEGACY).bits)

    @property
    def bits(self) -> str:
        return unpack_bits(self.data, msb_first=False)

    def fixed(self) -> LegacyFrame:
        return LegacyFrame(self.data[:-1] + bytes([self.expected_checksum]))

    def to_durations(self, timing: TxTiming = TX_LEGACY) -> list[int]:
        return encode_bits(self.bits, timing)

    @property
    def encoding(self) -> str:
        return {MAGIC_COMPAT: "0x0C compatibility", MAGIC_V4: "0xAC V4 native"}.get(
            self.data[0], f"unknown legacy format (first byte 0x{self.data[0]:02X})"
        )

    def fields(self) -> dict[str, Any]:
        d = self.data
        n = len(d)
        out: dict[str, Any] = {
            "format": "legacy",
            "encoding": self.encoding,
            "length": n,
            "magic": d[0],
            "type": d[1],
            "id": d[2] << 8 | d[3],
            "id_hex": f"{d[2]:02X}{d[3]:02X}",
        }
        if d[0] == MAGIC_COMPAT:
            out["type_name"] = _compat_type_label(d[1], n)
            if n > 9 and d[1] in (0, 1):
                out["generation"] = IDENTITY_GENERATION.get(n)
            if n == 9:
                out["result"] = d[4]
                out["result_name"] = {0: "lost", 1: "won"}.get(d[4], "unknown")
                out["result_note"] = "0 loser / 1 winner in every labelled sample; not proven"
                out["peer_b2"] = d[7]
                out["copied_b6"] = d[6]
        elif d[0] == MAGIC_V4:
            if n == 24:
                out["type_name"] = "request" if d[1] == 0 else "response" if d[1] == 1 else None
                out["name"] = decode_v4_name(d[4:9])
                out["position"] = d[14]
                out["character_bits"] = f"{d[15] & 0xC0:02X} {d[16] & 0x0F:02X}"
                out["v45"] = d[15] == 0x40 and d[16] == 0x0E
                out["v45_character"] = f"{d[20]:02X} {d[21]:02X}"
                out["gender_bit"] = (d[3] >> 5) & 1
            else:
                out["type_name"] = "confirm"
        out["checksum"] = d[-1]
        out["checksum_ok"] = self.checksum_ok
        return out

    def summary(self) -> str:
        f = self.fields()
        parts = [f"legacy {f['encoding']}", f"{len(self.data)} bytes", f"type {self.data[1]:02X}"]
        if f.get("type_name"):
            parts.append(str(f["type_name"]))
        if f.get("name"):
            parts.append(f'"{f["name"]}"')
        parts.append(f"id {f['id_hex']}")
        if not self.checksum_ok:
            parts.append(f"BAD CHECKSUM (should be {self.expected_checksum:02X})")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "hex": self.hex,
            "bits": self.bits,
            "checksum_ok": self.checksum_ok,
            "fields": self.fields(),
        }

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> LegacyFrame:
        if obj.get("hex"):
            return cls.from_hex(str(obj["hex"]))
        if obj.get("bits"):
            return cls.from_bits(str(obj["bits"]))
        raise FileFormatError("a legacy frame needs 'hex' or 'bits'")

    def __str__(self) -> str:
        return self.hex
