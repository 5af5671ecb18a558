"""The websocket wire format (see API.md): binary screen, buzzer and status messages.

Each message is built once per pet and the same bytes go to every viewer.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable

from pygotchi.emu import BuzzerEvent

SCREEN = 0x01
BUZZER = 0x02
STATUS = 0x03

_SCREEN_HEAD = struct.Struct(">BI")
_BUZZER_HEAD = struct.Struct(">BH")
_BUZZER_EVENT = struct.Struct(">QBI")
MAX_EVENTS = 0xFFFF


def screen_message(seq: int, frame: bytes) -> bytes:
    """``u8 0x01 | u32 seq | 65-byte frame``: 70 bytes."""
    return _SCREEN_HEAD.pack(SCREEN, seq & 0xFFFFFFFF) + frame


def buzzer_messages(events: Iterable[BuzzerEvent]) -> list[bytes]:
    """``u8 0x02 | u16 count | count x (u64 tick, u8 on, u32 freq_dhz)``, split if huge."""
    events = list(events)
    out = []
    for start in range(0, len(events), MAX_EVENTS):
        chunk = events[start : start + MAX_EVENTS]
        body = b"".join(_BUZZER_EVENT.pack(e.tick, 1 if e.on else 0, e.freq_dhz) for e in chunk)
        out.append(_BUZZER_HEAD.pack(BUZZER, len(chunk)) + body)
    return out


def status_message(status: dict) -> bytes:
    return bytes((STATUS,)) + json.dumps(status, separators=(",", ":")).encode()


def decode_buzzer(message: bytes) -> list[tuple[int, bool, int]]:
    """For tests and the benchmark: the events of a buzzer message."""
    _, count = _BUZZER_HEAD.unpack_from(message)
    return [(t, bool(on), f) for t, on, f in
            (_BUZZER_EVENT.unpack_from(message, 3 + i * _BUZZER_EVENT.size)
             for i in range(count))]


def frame_pixels(frame: bytes) -> list[str]:
    """16 rows of 32 characters, '#' for a dark dot."""
    return ["".join("#" if frame[4 * y + x // 8] & (0x80 >> (x % 8)) else "."
                    for x in range(32)) for y in range(16)]


def frame_icons(frame: bytes) -> list[bool]:
    return [bool(frame[64] & (1 << i)) for i in range(8)]
