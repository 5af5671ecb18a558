"""Bits and bytes <-> 20-byte Connection 2024 frames, with the byte-sum checksum.

A frame is only bytes: no interpretation happens here (that is
:mod:`pygotchi.ir.message`), so any 20 bytes, including a corrupt capture, can be
held, shown and re-sent exactly as received. Checksums are verified on request and
recomputed only when asked, never silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pygotchi.ir.errors import CharacterError, ChecksumError, DecodeError, LengthError
from pygotchi.ir.timing import CONNECTION_2024, TX_2024, TxTiming, decode_bits, encode_bits

FRAME_BYTES = 20
FRAME_BITS = 8 * FRAME_BYTES
MAGIC_2024 = 0x0E


def checksum(data: bytes | Sequence[int]) -> int:
    """The last byte of every frame: the sum of all the others, modulo 256."""
    return sum(data) & 0xFF


def check_bit_string(bits: str) -> None:
    for i, ch in enumerate(bits):
        if ch not in "01":
            raise CharacterError(
                f"invalid character {ch!r} at position {i} of the bit string "
                "(only 0 and 1 are allowed)",
                index=i,
            )


def pack_bits(bits: str, *, msb_first: bool = True) -> bytes:
    """Pack a string of 0/1 in air order into bytes."""
    check_bit_string(bits)
    if len(bits) % 8:
        raise LengthError(f"wrong length: {len(bits)} bits is not a whole number of bytes")
    out = bytearray()
    for k in range(0, len(bits), 8):
        chunk = bits[k : k + 8]
        out.append(int(chunk if msb_first else chunk[::-1], 2))
    return bytes(out)


def unpack_bits(data: bytes | Sequence[int], *, msb_first: bool = True) -> str:
    """Bytes to a string of 0/1 in air order."""
    parts = (f"{b:08b}" for b in data)
    return "".join(p if msb_first else p[::-1] for p in parts)


def format_hex(data: bytes | Sequence[int]) -> str:
    """``"0E 00 DE ..."``: upper-case two-digit bytes separated by single spaces."""
    return " ".join(f"{b:02X}" for b in data)


_HEX_SEPARATORS = re.compile(r"[\s,:;]+")


def parse_hex(text: str) -> bytes:
    """Parse ``"0E 00 DE 5A"``, ``"0e00de5a"``, ``"0x0E, 0x00"`` or ``"0E:00"``."""
    tokens = [t for t in _HEX_SEPARATORS.split(text.strip()) if t]
    if not tokens:
        raise DecodeError("no hex bytes given")
    out = bytearray()
    for token in tokens:
        digits = token[2:] if token[:2].lower() == "0x" else token
        if not digits or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise CharacterError(f"{token!r} is not a hex byte")
        if len(digits) % 2 and len(tokens) > 1:
            digits = "0" + digits  # "0xE" in a list of bytes
        if len(digits) % 2:
            raise LengthError(f"{token!r} has an odd number of hex digits")
        out += bytes.fromhex(digits)
    return bytes(out)


class SummedBytes:
    """Bytes whose last one is the sum of the others (every generation's checksum).

    Shared by 2024 frames and legacy frames, which differ in length and bit order
    but not in how the checksum works.
    """

    data: bytes

    @property
    def hex(self) -> str:
        return format_hex(self.data)

    @property
    def expected_checksum(self) -> int:
        return checksum(self.data[:-1])

    @property
    def checksum_ok(self) -> bool:
        return self.data[-1] == self.expected_checksum

    def verify(self):
        """Return self, or raise :class:`ChecksumError` saying what the sum should be."""
        if not self.checksum_ok:
            last = len(self.data) - 1
            raise ChecksumError(
                f"bad checksum: byte {last} is 0x{self.data[-1]:02X}, the sum of bytes "
                f"0-{last - 1} gives 0x{self.expected_checksum:02X}",
                index=last,
            )
        return self


@dataclass(frozen=True)
class Frame(SummedBytes):
    """One 20-byte Connection 2024 frame, exactly as sent or received."""

    data: bytes

    def __post_init__(self) -> None:
        data = bytes(self.data)
        if len(data) != FRAME_BYTES:
            raise LengthError(
                f"wrong length: {len(data)} bytes, a Connection 2024 frame has {FRAME_BYTES}"
            )
        object.__setattr__(self, "data", data)

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def from_bits(cls, bits: str) -> Frame:
        """From Tamagometer's 160-character string (first bit on air first, MSB-first)."""
        check_bit_string(bits)
        if len(bits) != FRAME_BITS:
            raise LengthError(
                f"wrong length: {len(bits)} bits, a Connection 2024 frame has {FRAME_BITS}",
                index=len(bits),
            )
        return cls(pack_bits(bits))

    @classmethod
    def from_hex(cls, text: str) -> Frame:
        return cls(parse_hex(text))

    @classmethod
    def from_durations(cls, durations: Sequence[float]) -> Frame:
        """Decode raw µs durations (starting with the leader mark)."""
        decoded = decode_bits(durations, CONNECTION_2024)
        return cls(pack_bits(decoded.bits))

    # -- views --------------------------------------------------------------------------

    @property
    def bits(self) -> str:
        return unpack_bits(self.data)


    def with_checksum(self) -> Frame:
        """The same frame with byte 19 recomputed."""
        return Frame(self.data[:-1] + bytes([self.expected_checksum]))

    def to_durations(self, timing: TxTiming = TX_2024) -> list[int]:
        return encode_bits(self.bits, timing)

    def __getitem__(self, index: int) -> int:
        return self.data[index]

    def __str__(self) -> str:
        return self.hex
