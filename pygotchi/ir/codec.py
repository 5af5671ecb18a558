"""Any generation in, the right frame type out.

Captures and pasted strings do not say which generation they are. The leader space
tells for durations (SPEC.md §1.5); for bits and bytes the first byte does: 2024
frames start with ``0x0E`` read MSB-first, legacy frames with ``0x0C``/``0xAC``
read LSB-first, and no string can look like both.
"""

from __future__ import annotations

from collections.abc import Sequence

from pygotchi.ir.errors import LengthError
from pygotchi.ir.frame import FRAME_BITS, FRAME_BYTES, MAGIC_2024, check_bit_string, pack_bits
from pygotchi.ir.legacy import LEGACY_LENGTHS, MAGIC_COMPAT, MAGIC_V4, LegacyFrame
from pygotchi.ir.message import Message
from pygotchi.ir.timing import CONNECTION_2024, Framing, decode_bits

AnyFrame = Message | LegacyFrame


def decode_durations(durations: Sequence[float], framing: Framing | None = None) -> AnyFrame:
    """One frame from raw µs durations starting with its leader."""
    decoded = decode_bits(durations, framing)
    if decoded.framing is CONNECTION_2024:
        return Message.from_bits(decoded.bits)
    return LegacyFrame.from_bits(decoded.bits)


def _legacy_bits(bits: str) -> bool:
    if len(bits) % 8 or len(bits) // 8 not in LEGACY_LENGTHS:
        return False
    return pack_bits(bits[:8], msb_first=False)[0] in (MAGIC_COMPAT, MAGIC_V4)


def from_bits(bits: str) -> AnyFrame:
    """A frame from a bit string in air order."""
    check_bit_string(bits)
    if len(bits) == FRAME_BITS and bits[:8] == f"{MAGIC_2024:08b}":
        return Message.from_bits(bits)
    if _legacy_bits(bits):
        return LegacyFrame.from_bits(bits)
    if len(bits) == FRAME_BITS:
        return Message.from_bits(bits)
    raise LengthError(
        f"wrong length: {len(bits)} bits, a Connection 2024 frame has {FRAME_BITS} "
        "(legacy frames: 72, 144, 160 or 192 bits starting with 0x0C or 0xAC)",
        index=len(bits),
    )


def from_bytes(data: bytes) -> AnyFrame:
    """A frame from byte values (as printed in hex)."""
    if data[:1] in (bytes([MAGIC_COMPAT]), bytes([MAGIC_V4])) and len(data) in LEGACY_LENGTHS:
        return LegacyFrame(data)
    if len(data) == FRAME_BYTES:
        return Message.from_bytes(data)
    raise LengthError(
        f"wrong length: {len(data)} bytes, a Connection 2024 frame has {FRAME_BYTES} "
        "(legacy frames: 9, 18, 20 or 24 bytes starting with 0C or AC)",
        index=len(data),
    )
