"""The transceivers' report tokens, found in an unstructured byte stream (SPEC.md §3.3).

Pico and Flipper firmwares mix their reports with command echo, prompts, debug
prints, NUL bytes and line breaks, and a token may arrive split across reads. The
parser therefore treats input as one growing text and only ever *searches* it for
complete tokens: ``[PICO]<160 bits>[END]`` (a frame), ``[PICO]timed out[END]``,
the enhanced companion's ``[TAMAGOMETER]...[END]``/``[TAMALEGACY]...[END]``/
``[TAMAFRIENDS]...[END]``, and any other ``[PICO]...[END]`` (a garbled report: the
Pico prints whatever bit count it collected, and that ends its listen window).
Plain-text complaints a driver must react to (``Error``, ``command not found``,
``Invalid 160-bit message.``) are reported too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FRAME_BITS = 160
MAX_BUFFER = 8192  # keep memory bounded on a line that never stops talking

_TOKEN = re.compile(
    r"\[PICO\](?P<pico>[^\[\]]*)\[END\]"
    r"|\[(?P<tag>TAMAGOMETER|TAMALEGACY|TAMAFRIENDS)\](?P<body>[^\[\]]*)\[END\]"
    r"|(?P<error>(?m:^Error\r?$))"
    r"|(?P<notfound>command not found)"
    r"|(?P<badsend>Invalid 160-bit message\.)"
    r"|(?P<badargs>Invalid argument\(s\)[^\r\n]*)"
)
_OPENERS = ("[PICO]", "[TAMAGOMETER]", "[TAMALEGACY]", "[TAMAFRIENDS]")
_LONGEST_PLAIN = max(len(s) for s in ("command not found", "Invalid 160-bit message."))


@dataclass(frozen=True)
class Event:
    """One thing the device said.

    ``kind``: ``frame`` (``bits`` holds exactly 160 bits), ``timeout``, ``garbled``
    (a ``[PICO]`` report that is neither: ``text`` holds it), ``info``,
    ``legacy``, ``friends`` (enhanced companion; ``text`` holds the body),
    ``error`` (Pico send failure), ``not_found`` (Flipper app closed),
    ``bad_send``, ``bad_args``.
    """

    kind: str
    bits: str = ""
    text: str = ""


class StreamParser:
    """Feed it whatever arrives; it returns the complete events found so far."""

    def __init__(self) -> None:
        self._buffer = ""

    def reset(self) -> None:
        self._buffer = ""

    def feed(self, data: bytes | str) -> list[Event]:
        text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
        self._buffer += text.replace("\0", "")
        events: list[Event] = []
        consumed = 0
        for match in _TOKEN.finditer(self._buffer):
            events.append(_event(match))
            consumed = match.end()
        rest = self._buffer[consumed:]
        self._buffer = _keep_tail(rest)
        return events


def _event(match: re.Match[str]) -> Event:
    if match.group("pico") is not None:
        body = match.group("pico")
        if body == "timed out":
            return Event("timeout")
        if len(body) == FRAME_BITS and set(body) <= {"0", "1"}:
            return Event("frame", bits=body)
        return Event("garbled", text=body)
    if match.group("tag"):
        kind = {"TAMAGOMETER": "info", "TAMALEGACY": "legacy", "TAMAFRIENDS": "friends"}
        return Event(kind[match.group("tag")], text=match.group("body"))
    if match.group("error"):
        return Event("error", text="Error")
    if match.group("notfound"):
        return Event("not_found", text=match.group(0))
    if match.group("badsend"):
        return Event("bad_send", text=match.group(0))
    return Event("bad_args", text=match.group(0).strip())


def _keep_tail(rest: str) -> str:
    """What might still become a token once more bytes arrive."""
    start = max(rest.rfind(opener) for opener in _OPENERS)
    if start >= 0 and len(rest) - start <= MAX_BUFFER:
        return rest[start:]
    # No token open: keep only enough text to complete a split opener or phrase.
    return rest[-_LONGEST_PLAIN:]


def parse_transcript(text: str) -> list[Event]:
    """All events in a saved serial log."""
    return StreamParser().feed(text)
