"""Raw mark/space durations <-> bits (SPEC.md §1 and §7).

A frame on air is "nearly NEC": a leader mark and space, one short mark per bit
followed by a short space (``0``) or a long space (``1``), and one longer trailing
mark. The decoder classifies every duration into a *window* and refuses to guess:
anything outside the windows is an error that names the duration index, the bit it
belonged to, the measured value and the windows it missed.

Windows are derived from the measured ranges in SPEC.md §1.3/§7, widened so that
every tool's transmit timings (§1.4) and every known receiver's acceptance windows
(§1.5) fit inside them:

* leader mark 7000-12000 µs: real toys measure 9450-9924 µs, tools send 9500-9600;
  about ±25 % around 9.5 ms, wider than both the Pico (8-10 ms) and the Flipper
  (7.6-11.6 ms) windows.
* leader space: 3500-7500 µs for 2024 frames (measured ~6.05-6.12 ms; the Flipper
  sends 5.0 ms and toys accept it) and 1700-3300 µs for legacy frames (measured
  2.43-2.49 ms). The two do not overlap, so the leader space alone tells the
  generation apart.
* data mark 200-900 µs: measured 458-678 µs plus a histogram tail to ~350 µs.
  Anything from 900 µs up is a trailing mark (measured 1083-1221 µs), exactly the
  rule the Pico uses to find the end of a frame.
* data space 200-2000 µs, as in both tools: a longer "space" means a mark went
  missing, a shorter one is a glitch.
* ``0`` or ``1`` is decided by the bit's *period*, mark plus space, against the
  midpoint of the nominal periods: 600 + 700 = 1300 µs and 600 + 1300 = 1900 µs
  give 1600 µs for 2024 toys; the legacy captures' 1.20-1.30 ms and 1.80-1.92 ms
  give 1550 µs. Pulse-distance coding puts the information in the distance from
  one mark to the next, and that distance is what a receiver preserves: its
  demodulator delays the start and the end of a mark differently, so marks come
  out longer or shorter and the following spaces shorter or longer by the same
  amount (the Pico captures are shifted ~60 µs against the Flipper one, SPEC.md
  §1.3). A fixed space threshold (the tools use 1000/1050 µs) misreads a ``0``
  once that shift passes ~200 µs; the period does not move. On every real
  capture the periods cluster at 1192-1354 and 1818-1926 µs, far from 1600.

Bits are returned in air order; :mod:`pygotchi.ir.frame` packs them MSB-first
(2024) or LSB-first (legacy).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pygotchi.ir.errors import DecodeError, LeaderError, LengthError, MarkError, SpaceError


@dataclass(frozen=True)
class Window:
    """A half-open range of durations in µs: ``lo <= t < hi``."""

    lo: float
    hi: float

    def __contains__(self, t: object) -> bool:
        return isinstance(t, int | float) and self.lo <= t < self.hi

    def __str__(self) -> str:
        return f"{self.lo:g}-{self.hi:g} µs"


@dataclass(frozen=True)
class Framing:
    """Everything the decoder needs to know about one generation's frames."""

    name: str
    leader_mark: Window
    leader_space: Window
    data_mark: Window
    data_space: Window
    bit_period: float  # mark + space at or above this is a 1
    trailing_mark: Window
    msb_first: bool
    byte_counts: tuple[int, ...]

    @property
    def bit_counts(self) -> tuple[int, ...]:
        return tuple(8 * n for n in self.byte_counts)

    def describe_lengths(self) -> str:
        counts = [str(n) for n in self.bit_counts]
        return counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + " or " + counts[-1]


CONNECTION_2024 = Framing(
    name="Connection 2024",
    leader_mark=Window(7000, 12000),
    leader_space=Window(3500, 7500),
    data_mark=Window(200, 900),
    data_space=Window(200, 2000),
    bit_period=1600,
    trailing_mark=Window(900, 2000),
    msb_first=True,
    byte_counts=(20,),
)

LEGACY = Framing(
    name="legacy (0x0C/0xAC)",
    leader_mark=Window(7000, 12000),
    leader_space=Window(1700, 3300),
    data_mark=Window(200, 900),
    data_space=Window(200, 2000),
    bit_period=1550,
    trailing_mark=Window(900, 2000),
    msb_first=False,
    byte_counts=(9, 18, 20, 24),
)

FRAMINGS = (CONNECTION_2024, LEGACY)


@dataclass(frozen=True)
class TxTiming:
    """Durations (µs) used to *send* a frame."""

    leader_mark: int
    leader_space: int
    mark: int
    space0: int
    space1: int
    trailing_mark: int


# The middle of what real toys emit (SPEC.md §1.4 recommendation).
TX_2024 = TxTiming(9500, 6000, 600, 700, 1300, 1150)
# The middle of the measured legacy captures (SPEC.md §7).
TX_LEGACY = TxTiming(9700, 2450, 500, 750, 1350, 1200)


@dataclass(frozen=True)
class DecodedBits:
    """Bits recovered from one signal, in air order."""

    bits: str
    framing: Framing
    end: int  # index just after the last duration that belongs to the frame
    trailing_mark: bool  # False when the signal ended without one (tolerated)


def check_durations(durations: Iterable[object]) -> list[float]:
    """Validate a duration list: finite positive numbers (µs)."""
    out: list[float] = []
    for i, t in enumerate(durations):
        if isinstance(t, bool) or not isinstance(t, int | float):
            raise DecodeError(f"duration {i} is {t!r}, not a number of microseconds", index=i)
        if not math.isfinite(t) or t <= 0:
            raise DecodeError(f"duration {i} is {t!r}; durations must be positive", index=i)
        out.append(t)
    return out


def match_leader(durations: Sequence[float], framing: Framing | None = None) -> Framing:
    """Return the framing whose leader starts ``durations``, or say why none does."""
    if not durations:
        raise LeaderError("leader missing: the signal is empty", index=0)
    first = durations[0]
    candidates = (framing,) if framing else FRAMINGS
    if not any(first in f.leader_mark for f in candidates):
        window = " or ".join(sorted({str(f.leader_mark) for f in candidates}))
        raise LeaderError(
            f"leader missing: duration 0 is a {first:g} µs mark, a leader mark is {window}",
            index=0,
        )
    if len(durations) < 2:
        raise LeaderError("leader incomplete: the signal ends after the leader mark", index=1)
    space = durations[1]
    for f in candidates:
        if space in f.leader_space:
            return f
    if framing is not None:
        other = next((f for f in FRAMINGS if space in f.leader_space), None)
        hint = f" (that is a {other.name} leader)" if other else ""
        raise LeaderError(
            f"leader space at index 1 is {space:g} µs, a {framing.name} leader space is "
            f"{framing.leader_space}{hint}",
            index=1,
        )
    windows = ", ".join(f"{f.name} {f.leader_space}" for f in FRAMINGS)
    raise LeaderError(
        f"leader space at index 1 is {space:g} µs, outside every leader window ({windows})",
        index=1,
    )


def decode_bits(durations: Sequence[float], framing: Framing | None = None) -> DecodedBits:
    """Decode one frame from durations that start with its leader mark.

    ``framing=None`` picks the generation from the leader space. The signal may end
    on the last space (missing trailing mark) and anything after the trailing mark is
    ignored; everything else must fit a window and the bit count must be a valid
    frame length for the generation.
    """
    d = check_durations(durations)
    f = match_leader(d, framing)
    bits: list[str] = []
    n = len(d)
    i = 2
    trailing = False
    ended_by = "the signal ended"
    while i < n:
        mark = d[i]
        if mark in f.data_mark:
            if i + 1 >= n:
                # A signal ending on a mark: that mark carries no bit, so it is the
                # trailing mark, only shorter than usual.
                trailing = True
                i += 1
                ended_by = f"the signal ended on a {mark:g} µs mark"
                break
            space = d[i + 1]
            if space not in f.data_space:
                raise SpaceError(
                    f"space at index {i + 1} (bit {len(bits)}) is {space:g} µs, outside "
                    f"the data-space window {f.data_space}",
                    index=i + 1,
                )
            bits.append("1" if mark + space >= f.bit_period else "0")
            i += 2
            continue
        if mark in f.trailing_mark or len(bits) in f.bit_counts:
            # A long mark ends the frame; after a complete frame anything does.
            trailing = mark in f.trailing_mark
            ended_by = f"a {mark:g} µs mark at index {i} ended it"
            i += 1 if trailing else 0
            break
        raise MarkError(
            f"mark at index {i} (bit {len(bits)}) is {mark:g} µs, outside the data-mark "
            f"window {f.data_mark} and the trailing-mark window {f.trailing_mark}",
            index=i,
        )
    if len(bits) not in f.bit_counts:
        raise LengthError(
            f"wrong length: {len(bits)} bits ({ended_by}); a {f.name} frame has "
            f"{f.describe_lengths()} bits",
            index=len(bits),
        )
    return DecodedBits("".join(bits), f, i, trailing)


def encode_bits(bits: str, timing: TxTiming = TX_2024) -> list[int]:
    """Durations for one frame: leader, one mark/space pair per bit, trailing mark."""
    if any(b not in "01" for b in bits):
        raise DecodeError("bits to encode must be a string of 0 and 1")
    out = [timing.leader_mark, timing.leader_space]
    for b in bits:
        out += [timing.mark, timing.space1 if b == "1" else timing.space0]
    out.append(timing.trailing_mark)
    return out


# -- streams holding several frames ---------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """A slice of a longer duration stream that should hold one frame."""

    start: int
    durations: list[float]


def _is_leader(d: Sequence[float], i: int) -> bool:
    return i + 1 < len(d) and any(
        d[i] in f.leader_mark and d[i + 1] in f.leader_space for f in FRAMINGS
    )


def split_signals(durations: Sequence[float]) -> tuple[list[Signal], int]:
    """Cut a stream of durations at every leader.

    A valid frame holds nothing as long as a leader mark followed by anything as
    long as a leader space, so every such pair starts a frame, wherever it is:
    streams made by joining captures that each start with a mark (two marks meet),
    or that start with the receiver's idle time (a space first), split correctly.
    Returns the signals and how many durations before the first leader were
    skipped: they cannot be part of a frame, and receivers often emit a few glitches
    when they wake up. A stream without any leader is returned whole, so the decoder
    can say what is wrong with its start.
    """
    d = check_durations(durations)
    starts: list[int] = []
    for i in range(len(d) - 1):
        if _is_leader(d, i) and (not starts or i > starts[-1] + 1):
            starts.append(i)
    if not starts:
        return ([Signal(0, d)] if d else []), 0
    ends = [*starts[1:], len(d)]
    return [Signal(a, d[a:b]) for a, b in zip(starts, ends, strict=True)], starts[0]
