"""Every vector in ../shared/ir/vectors: good ones decode to what the files say, bad
ones fail with the right error."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pygotchi.ir import codec, files, loader
from pygotchi.ir.conversation import Conversation
from pygotchi.ir.errors import CharacterError, DecodeError, LengthError, MarkError
from pygotchi.ir.legacy import LegacyFrame
from pygotchi.ir.message import Message
from pygotchi.ir.stream import StreamParser
from pygotchi.ir.timing import decode_bits

from .conftest import VECTORS, load_vectors, vector_file, vectors_or_empty

MESSAGES = vectors_or_empty("connection2024_messages.json", "messages")
CONVERSATIONS = vectors_or_empty("connection2024_conversations.json", "conversations")
LEGACY_FRAMES = vectors_or_empty("legacy_frames.json", "frames")


def test_vectors_present() -> None:
    if not VECTORS.is_dir():
        pytest.skip(f"no IR vectors at {VECTORS} (set PYGOTCHI_SHARED)")
    assert len(MESSAGES) == 94 and len(CONVERSATIONS) == 19 and len(LEGACY_FRAMES) == 19


def _label(entry: dict[str, Any]) -> str:
    return f"{entry['source_label'][:40]}/{entry.get('role')}"


# -- 2024 messages ------------------------------------------------------------------------


@pytest.mark.parametrize("entry", MESSAGES, ids=_label)
def test_message_vector(entry: dict[str, Any]) -> None:
    bits = entry["bits"]
    if entry["n_bits"] != 160:
        with pytest.raises(LengthError) as err:
            Message.from_bits(bits)
        assert f"{entry['n_bits']} bits" in str(err.value)
        return
    if entry["checksum"].startswith("n/a (not a bit string)"):
        bad = next(i for i, ch in enumerate(bits) if ch not in "01")
        with pytest.raises(CharacterError) as err:
            Message.from_bits(bits)
        assert err.value.index == bad
        assert f"position {bad}" in str(err.value)
        return
    msg = Message.from_bits(bits)
    assert msg.bits == bits
    decoded = entry["decoded"]
    assert msg.hex == decoded["hex"]
    assert msg.checksum_ok == (entry["checksum"] == "ok")
    if not msg.checksum_ok:
        stored, computed = re.findall(r"0x([0-9A-F]{2})", entry["checksum"])
        assert msg.data[19] == int(stored, 16)
        assert msg.frame.expected_checksum == int(computed, 16)
    _check_decoded(msg, decoded)


def _code(text: str) -> int:
    return int(text.split()[0], 0)


def _check_decoded(msg: Message, decoded: dict[str, Any]) -> None:
    """Compare with the vector's `decoded` block (derived from the same tables)."""
    assert msg.data[0] == _code(decoded["byte0_magic"])
    assert msg.type == _code(decoded["byte1_type"])
    assert msg.device_id == decoded["bytes2_3_device_id"]
    assert msg.character == _code(decoded["byte4_appearance"])
    character = re.search(r"\((.*)\)", decoded["byte4_appearance"]).group(1)
    if msg.character <= 53:
        assert msg.label("character") == character
    if "\ufffd" not in decoded["bytes5_9_name"]:
        assert msg.name == decoded["bytes5_9_name"]
    assert msg.get("game_type") == _code(decoded["byte17_low3_game_type"])
    if "byte10_lsb_gender" in decoded:
        assert msg.label("gender") == decoded["byte10_lsb_gender"]
    if "byte10_low2_visit_activity" in decoded:
        assert msg.label("visit_activity").lower() == decoded["byte10_low2_visit_activity"].lower()
    if "byte14_gift_item" in decoded:
        assert msg.get("gift_item") == _code(decoded["byte14_gift_item"])
    if "byte15_pregift_activity" in decoded:
        assert msg.get("pregift_activity") == _code(decoded["byte15_pregift_activity"])
    if "byte16_wager" in decoded:
        assert msg.data[16] == decoded["byte16_wager"]
    if "byte18" in decoded:
        assert msg.data[18] == decoded["byte18"]
    fields = msg.fields()
    assert fields["device_id"] == decoded["bytes2_3_device_id"]
    assert fields["checksum_ok"] == msg.checksum_ok


def test_blog_string_is_inverted_polarity(messages: list[dict[str, Any]]) -> None:
    """SPEC §1.2: only the long-space-is-1 convention gives valid checksums."""
    printed = next(m for m in messages if "AS PRINTED" in m["source_label"])
    fixed = next(m for m in messages if "inverted to the project" in m["source_label"])
    inverted = "".join("1" if b == "0" else "0" for b in printed["bits"])
    assert inverted == fixed["bits"]
    assert not Message.from_bits(printed["bits"]).checksum_ok
    assert Message.from_bits(inverted).checksum_ok


def test_spurious_leading_bit_vector(messages: list[dict[str, Any]]) -> None:
    long = next(m for m in messages if m["n_bits"] == 161 and "giftrp2" in m["source_label"])
    with pytest.raises(LengthError):
        codec.from_bits(long["bits"])
    repaired = Message.from_bits(long["bits"][1:])
    assert repaired.checksum_ok and repaired.get("gift_item") == 25


# -- conversations --------------------------------------------------------------------------


def _conversation(entry: dict[str, Any]) -> Conversation:
    return Conversation(
        tuple(None if b is None else Message.from_bits(b) for b in entry["messages"]),
        entry["name"],
        entry.get("timestamp"),
    )


@pytest.mark.parametrize("entry", CONVERSATIONS, ids=lambda e: e["name"][:40])
def test_conversation_vector(entry: dict[str, Any]) -> None:
    conv = _conversation(entry)
    upstream_cone = entry["name"] == "Cone gift (experimental)"
    assert conv.consistent == (not upstream_cone)
    errors = [i for i in conv.check() if i.severity == "error"]
    if upstream_cone:
        assert len(errors) == 1 and errors[0].message == 4
        assert "0x06" in errors[0].text and "0x07" in errors[0].text
    for n, bits in enumerate(entry["messages"], 1):
        if bits is not None:
            assert conv[n].role == n
    assert Conversation.from_dict(conv.to_dict()) == conv
    if conv.complete:
        again = Conversation.from_tgir(conv.to_tgir())
        assert (again.messages, again.name) == (conv.messages, conv.name)
        assert again.timestamp == conv.timestamp or conv.timestamp is None


def test_starter_pack_tgir_opens() -> None:
    text = vector_file("starter-pack_5b43470.tgir").read_text(encoding="utf-8")
    convs = files.read_tgir(text)
    assert [c.name for c in convs] == [
        "visit with music notes",
        "cone gift (experimental)",
        "game, second player wins $60",
    ]
    assert all(c.consistent and c.complete for c in convs)
    assert [c.activity for c in convs] == ["visit", "gift+visit", "game"]
    assert convs[1][4].get("gift_item") == 0x84
    assert all(c.timestamp == 1731966171091 for c in convs)
    again = files.read_tgir(files.dumps_tgir(convs))
    assert again == convs


# -- raw captures ------------------------------------------------------------------------------


def _captures() -> list[tuple[str, dict[str, Any]]]:
    path = VECTORS / "raw_captures.json"
    if not path.is_file():
        return []
    data = load_vectors("raw_captures.json")
    return [(sec, c) for sec in ("connection2024", "legacy") for c in data[sec]]


@pytest.mark.parametrize(
    ("section", "capture"),
    _captures(),
    ids=lambda v: v if isinstance(v, str) else str(v.get("n_timings")),
)
def test_raw_capture(section: str, capture: dict[str, Any]) -> None:
    timings = capture["timings_us"]
    if capture.get("expected_hex") is None:
        with pytest.raises(DecodeError) as err:
            codec.decode_durations(timings)
        assert isinstance(err.value, MarkError) and err.value.index == 8
        items = loader.load_text(" ".join(map(str, timings))).items
        assert items and all(i.frame is None or not i.frame.checksum_ok for i in items)
        return
    frame = codec.decode_durations(timings)
    assert frame.hex == capture["expected_hex"]
    assert frame.checksum_ok
    if section == "connection2024":
        assert isinstance(frame, Message)
        assert frame.bits == capture["expected_bits"]
        assert decode_bits(timings).trailing_mark
    else:
        assert isinstance(frame, LegacyFrame)
    # the same capture as a Flipper .ir file and as a plain text file
    flipper = files.dumps_flipper_ir([files.FlipperSignal("capture", tuple(timings))])
    assert [i.frame.hex for i in loader.load_text(flipper).items] == [capture["expected_hex"]]
    text = "\n".join(str(t) for t in timings)
    assert [i.frame.hex for i in loader.load_text(text).items] == [capture["expected_hex"]]


def test_raw_capture_without_trailing_mark(raw_captures: dict[str, Any]) -> None:
    timings = raw_captures["connection2024"][0]["timings_us"]
    frame = codec.decode_durations(timings[:-1])
    assert frame.hex == raw_captures["connection2024"][0]["expected_hex"]


def test_raw_captures_in_one_stream(raw_captures: dict[str, Any]) -> None:
    """Several captures back to back (with idle gaps) split into their frames."""
    stream: list[float] = []
    expected = []
    for capture in raw_captures["connection2024"] + raw_captures["legacy"]:
        if stream:
            stream.append(100_000)  # idle space between frames
        stream += capture["timings_us"]
        expected.append(capture.get("expected_hex"))
    items = _decode_stream(stream)
    decoded = [i.frame.hex if i.frame else None for i in items]
    # the damaged legacy capture becomes an error; the rest decode in order
    assert [h for h in decoded if h] == [h for h in expected if h]
    assert any(i.error is not None for i in items)


# -- legacy byte frames -----------------------------------------------------------------------


@pytest.mark.parametrize("entry", LEGACY_FRAMES, ids=lambda e: e["source_label"][:40])
def test_legacy_frame_vector(entry: dict[str, Any]) -> None:
    frame = codec.from_bytes(bytes.fromhex(entry["hex"]))
    assert isinstance(frame, LegacyFrame)
    if entry["checksum"] == "ok":
        assert frame.checksum_ok
    elif entry["checksum"].startswith("FAIL"):
        assert not frame.checksum_ok
        stored, computed = re.findall(r"0x([0-9A-F]{2})", entry["checksum"])
        assert frame.expected_checksum == int(computed, 16)
    if entry.get("as_transmitted"):
        assert frame.fixed().hex == entry["as_transmitted"]
    # LSB-first on air: bits, durations and back
    bits = frame.bits
    assert bits[:8] == f"{frame.data[0]:08b}"[::-1]
    assert codec.from_bits(bits) == frame
    assert codec.decode_durations(frame.to_durations()) == frame


def test_v4_name_letters() -> None:
    nana = next(e for e in LEGACY_FRAMES if "NANA" in e["source_label"]) if LEGACY_FRAMES else None
    if nana is None:
        pytest.skip("legacy vectors absent")
    fields = LegacyFrame.from_hex(nana["hex"]).fields()
    assert fields["name"].startswith("NANA")
    assert fields["encoding"] == "0xAC V4 native"


# -- serial streams ------------------------------------------------------------------------------


def test_serial_stream_cases() -> None:
    data = load_vectors("serial_transcripts.json")
    for case in data["stream_parser_cases"]:
        parser = StreamParser()
        events = [e for chunk in case["chunks"] for e in parser.feed(chunk)]
        kinds = [e.kind for e in events if e.kind in ("frame", "timeout")]
        expect = case["expect"]
        if expect["kind"] == "none":
            assert kinds == [], case["name"]
        else:
            assert kinds == [expect["kind"]], case["name"]
            if expect["kind"] == "frame":
                assert events[0].bits == expect["bits"]


def test_serial_tokens_and_commands() -> None:
    data = load_vectors("serial_transcripts.json")
    tokens = data["device_to_host_tokens"]
    parser = StreamParser()
    assert [e.kind for e in parser.feed(tokens["frame"])] == ["frame"]
    assert [e.kind for e in parser.feed(tokens["timeout"])] == ["timeout"]
    info = parser.feed(tokens["enhanced_info_example"])
    assert info[0].kind == "info" and "connection_ir" in info[0].text
    send = data["host_to_device"][1]["bytes"]
    bits = send[len("tamagometer send") :].strip()
    assert Message.from_bits(bits).checksum_ok


def _decode_stream(durations):
    loaded = loader.Loaded()
    loaded.durations(durations)
    return loaded.items
