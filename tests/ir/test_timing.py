"""Durations <-> bits: tolerant windows, exact errors, and no crash on any input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pygotchi.ir import codec, loader
from pygotchi.ir.errors import DecodeError, LeaderError, LengthError, MarkError, SpaceError
from pygotchi.ir.frame import Frame, checksum, pack_bits
from pygotchi.ir.legacy import LegacyFrame
from pygotchi.ir.message import Message
from pygotchi.ir.timing import (
    CONNECTION_2024,
    LEGACY,
    TX_2024,
    TX_LEGACY,
    TxTiming,
    decode_bits,
    encode_bits,
    split_signals,
)

VISIT = Message.from_hex("0E 00 DE 5A 28 00 0B 08 02 04 02 00 23 00 06 00 00 00 0A BC")


def test_transmit_timings_of_every_tool_decode() -> None:
    """SPEC.md §1.4: what each existing tool sends must decode here too."""
    tools = [
        TxTiming(9500, 6000, 600, 600, 1200, 1200),  # Tamagometer Pico, current
        TxTiming(9500, 6000, 500, 700, 1200, 1200),  # Tamagometer Pico, first firmware
        TxTiming(9600, 6000, 600, 750, 1250, 1100),  # CONTRIBUTING
        TxTiming(9600, 5000, 550, 600, 1500, 1100),  # Flipper apps
        TX_2024,
    ]
    for timing in tools:
        assert Message.from_durations(encode_bits(VISIT.bits, timing)) == VISIT


def test_measured_extremes_decode() -> None:
    """SPEC.md §1.3: the extremes measured on real toys fall in the right windows."""
    slow = TxTiming(9504, 6122, 672, 808, 1400, 1151)
    fast = TxTiming(9450, 6053, 496, 608, 1207, 1098)
    for timing in (slow, fast):
        assert Message.from_durations(encode_bits(VISIT.bits, timing)) == VISIT
    legacy = LegacyFrame.from_hex("0C 06 1B D6 01 00 00 05 09")
    for timing in (TxTiming(9924, 2490, 533, 810, 1431, 1221), TX_LEGACY):
        assert codec.decode_durations(encode_bits(legacy.bits, timing)) == legacy


def test_leader_missing() -> None:
    d = VISIT.to_durations()[2:]
    with pytest.raises(LeaderError, match="leader missing: duration 0 is a 600 µs mark") as err:
        decode_bits(d)
    assert err.value.index == 0 and err.value.kind == "leader"


def test_leader_space_between_generations() -> None:
    d = VISIT.to_durations()
    d[1] = 3400
    with pytest.raises(LeaderError, match="index 1 is 3400 µs, outside every leader") as err:
        decode_bits(d)
    assert err.value.index == 1


def test_leader_of_the_other_generation() -> None:
    d = VISIT.to_durations()
    d[1] = 2450
    with pytest.raises(LeaderError, match="legacy"):
        decode_bits(d, CONNECTION_2024)
    # auto-detection reads it as a (160-bit, LSB-first) legacy frame instead
    assert decode_bits(d).framing is LEGACY


def test_space_outside_every_window() -> None:
    d = VISIT.to_durations()
    d[51] = 2600  # the space of bit 24: a mark went missing
    with pytest.raises(SpaceError) as err:
        decode_bits(d)
    assert err.value.index == 51
    assert "space at index 51 (bit 24) is 2600 µs, outside the data-space window" in str(err.value)


def test_glitch_mark() -> None:
    d = VISIT.to_durations()
    d[50] = 90
    with pytest.raises(MarkError, match=r"mark at index 50 \(bit 24\) is 90 µs") as err:
        decode_bits(d)
    assert err.value.index == 50


def test_wrong_length() -> None:
    d = VISIT.to_durations()
    short = d[: 2 + 2 * 100] + [1150]
    with pytest.raises(LengthError, match="wrong length: 100 bits") as err:
        decode_bits(short)
    assert err.value.index == 100
    long = d[:-1] + [600, 700, 1150]
    with pytest.raises(LengthError, match="161 bits"):
        decode_bits(long)


def test_long_mark_inside_frame_is_reported_with_its_position() -> None:
    d = VISIT.to_durations()
    d[40] = 1500  # looks like a trailing mark after 19 bits
    with pytest.raises(LengthError, match="19 bits .*1500 µs mark at index 40"):
        decode_bits(d)


def test_missing_trailing_mark_and_trailing_junk_are_tolerated() -> None:
    d = VISIT.to_durations()
    assert Message.from_durations(d[:-1]) == VISIT
    assert not decode_bits(d[:-1]).trailing_mark
    assert Message.from_durations(d + [50000, 300, 20000]) == VISIT
    # ends on a short final mark: that mark carries no bit, so it is the trailing one
    assert Message.from_durations(d[:-1] + [600]) == VISIT


def test_bad_values() -> None:
    with pytest.raises(LeaderError, match="empty"):
        decode_bits([])
    with pytest.raises(DecodeError, match="duration 3 is -5"):
        decode_bits([9500, 6000, 600, -5])
    with pytest.raises(DecodeError, match="not a number"):
        decode_bits([9500, "x"])  # type: ignore[list-item]
    with pytest.raises(DecodeError, match="positive"):
        decode_bits([9500, float("nan")])


def test_split_signals() -> None:
    a, b = VISIT.to_durations(), VISIT.replace(name="BOB").to_durations()
    stream = [120, 30000] + a + [80000] + b  # a noise blip before the first frame
    signals, skipped = split_signals(stream)
    assert skipped == 2 and [s.start for s in signals] == [2, 2 + len(a) + 1]
    frames = [codec.decode_durations(s.durations) for s in signals]
    assert [f.name for f in frames] == ["ALICE", "BOB__"]
    loaded = loader.load_text(" ".join(map(str, stream)))
    assert [i.frame.name for i in loaded.items] == ["ALICE", "BOB__"]
    assert loaded.notes == [
        "durations 0-1: 2 durations before the first leader ignored (receiver noise)"
    ]
    idle_first = loader.load_text(" ".join(map(str, [250000, *a])))  # starts with a space
    assert [i.frame for i in idle_first.items] == [VISIT] and idle_first.notes
    no_leader, skipped = split_signals([600, 700, 600])
    assert skipped == 0 and [s.start for s in no_leader] == [0]  # kept, to be reported


# -- properties ----------------------------------------------------------------------------------


def _jittered(bits: str, draw, legacy: bool) -> list[float]:
    """A frame as a receiver delivers it: per-frame transmitter timing and receiver
    bias (marks longer, spaces shorter by the same amount, or the reverse), plus
    independent jitter on every edge."""
    if legacy:
        mark, zero, one = st.integers(450, 550), st.integers(700, 800), st.integers(1300, 1420)
        leader_space = st.integers(1900, 3100)
    else:
        mark, zero, one = st.integers(500, 650), st.integers(600, 750), st.integers(1250, 1450)
        leader_space = st.integers(4000, 7200)
    m, z, o = draw(mark), draw(zero), draw(one)
    bias = draw(st.integers(-150, 150))
    n = 2 * len(bits)
    jitter = draw(st.lists(st.integers(-60, 60), min_size=n, max_size=n))
    d: list[float] = [draw(st.integers(8000, 11500)), draw(leader_space)]
    for k, b in enumerate(bits):
        d.append(m + bias + jitter[2 * k])
        d.append((o if b == "1" else z) - bias + jitter[2 * k + 1])
    d.append(draw(st.integers(950, 1900)))
    return d


def test_receiver_bias_that_defeats_a_space_threshold() -> None:
    """Short marks, long spaces (a weak signal): the 0-spaces pass 1000 µs, where the
    tools' fixed threshold would read them as 1s; the periods are unchanged."""
    biased = TxTiming(9500, 6000, 380, 1020, 1620, 1150)
    assert Message.from_durations(encode_bits(VISIT.bits, biased)) == VISIT
    strong = TxTiming(9500, 6000, 850, 450, 1050, 1150)  # long marks, short spaces
    assert Message.from_durations(encode_bits(VISIT.bits, strong)) == VISIT


@settings(max_examples=150, deadline=None)
@given(data=st.binary(min_size=19, max_size=19), draw=st.data())
def test_round_trip_with_jitter_2024(data: bytes, draw: st.DataObject) -> None:
    frame = Frame(data + bytes([checksum(data)]))
    durations = _jittered(frame.bits, draw.draw, legacy=False)
    assert Frame.from_durations(durations) == frame
    assert codec.decode_durations(durations) == Message(frame)


@settings(max_examples=100, deadline=None)
@given(
    length=st.sampled_from(LEGACY.byte_counts),
    magic=st.sampled_from([0x0C, 0xAC]),
    body=st.binary(min_size=23, max_size=23),
    draw=st.data(),
)
def test_round_trip_with_jitter_legacy(
    length: int, magic: int, body: bytes, draw: st.DataObject
) -> None:
    raw = bytes([magic]) + body[: length - 2]
    frame = LegacyFrame(raw + bytes([checksum(raw)]))
    durations = _jittered(frame.bits, draw.draw, legacy=True)
    assert codec.decode_durations(durations) == frame
    assert pack_bits(decode_bits(durations).bits, msb_first=False) == frame.data


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 30000) | st.floats(0.5, 30000), max_size=400))
def test_random_durations_never_crash(durations: list[float]) -> None:
    try:
        decode_bits(durations)
    except DecodeError as exc:
        assert str(exc)
    for item in _decode_stream(durations):
        assert (item.frame is None) != (item.error is None)


def _mutate(d: list[float], draw) -> list[float]:
    d = list(d)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(d) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "scale", "insert", "truncate", "swap"]))
        if op == "delete":
            del d[i]
        elif op == "duplicate":
            d.insert(i, d[i])
        elif op == "scale":
            d[i] = max(1, d[i] * draw(st.floats(0.2, 4.0)))
        elif op == "insert":
            d.insert(i, draw(st.integers(1, 12000)))
        elif op == "truncate":
            d = d[: max(1, i)]
        else:
            j = draw(st.integers(0, len(d) - 1))
            d[i], d[j] = d[j], d[i]
        if not d:
            d = [1]
    return d


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draw=st.data())
def test_mutated_captures_never_crash(draw: st.DataObject) -> None:
    base = draw.draw(
        st.sampled_from(
            [
                VISIT.to_durations(),
                VISIT.to_durations(TxTiming(9600, 5000, 550, 600, 1500, 1100)),
                LegacyFrame.from_hex("0C 08 05 D6 00 00 05 1B 0F").to_durations(),
            ]
        )
    )
    mutated = _mutate(base, draw.draw)
    try:
        frame = codec.decode_durations(mutated)
    except DecodeError as exc:
        assert exc.kind in ("leader", "mark", "space", "length", "decode")
        return
    # whatever decodes is a whole frame of a valid length
    assert len(frame.data) in (20, *LEGACY.byte_counts)


def _decode_stream(durations):
    loaded = loader.Loaded()
    loaded.durations(durations)
    return loaded.items
