""".tgir, Flipper .ir, duration lists, hex and bits: readers, writers, and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pygotchi.ir import files, loader
from pygotchi.ir.builders import Game, Gift, Identity, Visit, build_conversation
from pygotchi.ir.conversation import Conversation
from pygotchi.ir.errors import FileFormatError, IrError
from pygotchi.ir.legacy import LegacyFrame
from pygotchi.ir.message import Message

ALICE = Identity("ALICE", "Pipotchi", "girl", 0x8CF6)
BOB = Identity("BOB", "Wooltchi", "boy", 0xBF22)
CONVS = [
    build_conversation(ALICE, BOB, Visit("Music"), name="visit", timestamp=1731966171091),
    build_conversation(ALICE, BOB, Gift("Hamburger"), name="gift", timestamp=1731966171092),
    build_conversation(BOB, ALICE, Game("Points", wager=5), name="game", timestamp=3),
]


def test_tgir_export_is_what_tamagometer_reads() -> None:
    text = files.dumps_tgir(CONVS)
    data = json.loads(text)
    assert isinstance(data, list) and len(data) == 3
    for obj, conv in zip(data, CONVS, strict=True):
        assert set(obj) == {"message1", "message2", "message3", "message4", "name", "timestamp"}
        assert all(len(obj[f"message{n}"]) == 160 for n in (1, 2, 3, 4))
        assert obj["name"] == conv.name and obj["timestamp"] == conv.timestamp
    assert files.read_tgir(text) == CONVS
    assert files.read_tgir(files.dumps_tgir(CONVS, indent=4)) == CONVS


def test_tgir_import_ignores_ids_and_keeps_bad_checksums() -> None:
    obj = CONVS[0].to_tgir()
    bits = list(obj["message2"])
    bits[-1] = "1" if bits[-1] == "0" else "0"
    obj.update(message2="".join(bits), id=7, extra="x")
    conv = files.read_tgir(json.dumps([obj]))[0]
    assert not conv[2].checksum_ok  # kept as it was, not silently fixed
    assert any("bad checksum" in str(i) for i in conv.check())


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{", "invalid JSON"),
        ('{"a": 1}', "JSON array"),
        ("[1]", "entry 1 of the .tgir array is not an object"),
        ('[{"message1": "0101", "name": "x"}]', r"entry 1 \('x'\): message1: wrong length: 4"),
        ('[{"message1": 5}]', "message1 must be a string"),
        ('[{"message1": null, "timestamp": "soon"}]', "timestamp"),
    ],
)
def test_tgir_errors(text: str, match: str) -> None:
    with pytest.raises(FileFormatError, match=match):
        files.read_tgir(text)


def test_flipper_round_trip() -> None:
    conv = CONVS[1]
    text = files.conversation_to_flipper(conv)
    assert text.startswith("Filetype: IR signals file\nVersion: 1\n")
    assert "duty_cycle: 0.330000" in text and "frequency: 38000" in text
    signals = files.read_flipper_ir(text)
    assert [s.name for s in signals] == ["message1", "message2", "message3", "message4"]
    assert all(len(s.durations) == 323 for s in signals)
    loaded = loader.load_text(text)
    assert [i.frame for i in loaded.items] == list(conv.messages)


def test_flipper_file_with_parsed_and_odd_signals() -> None:
    legacy = LegacyFrame.from_hex("0C 06 1B D6 01 00 00 05 09")
    text = (
        "Filetype: IR signals file\nVersion: 1\n#\nname: Power\ntype: parsed\n"
        "protocol: NEC\naddress: 01 00 00 00\ncommand: 0A 00 00 00\n#\n"
        f"name: old toy\ntype: raw\nfrequency: 38000\nduty_cycle: 0.33\n"
        f"data: {' '.join(map(str, legacy.to_durations()))}\n"
    )
    items = loader.load_text(text).items
    assert items[0].error is not None and "parsed signal" in str(items[0].error)
    assert items[1].frame == legacy
    with pytest.raises(FileFormatError, match="line 3"):
        files.read_flipper_ir("Filetype: IR signals file\nVersion: 1\nname x\n")
    with pytest.raises(FileFormatError, match="whole"):
        files.read_flipper_ir("Filetype: IR signals file\nname: a\ndata: 1 2 x\n")
    with pytest.raises(FileFormatError, match="no signals"):
        files.read_flipper_ir("Filetype: IR signals file\nVersion: 1\n")


def test_duration_text_variants() -> None:
    msg = CONVS[0][1]
    d = msg.to_durations()
    plain = " ".join(map(str, d))
    assert _frames(plain) == [msg]
    assert _frames(", ".join(map(str, d))) == [msg]
    assert _frames(f"# a capture\n[{', '.join(map(str, d))}]\n") == [msg]
    signed = " ".join(f"{'+' if i % 2 == 0 else '-'}{t}" for i, t in enumerate(d))
    assert _frames("-50000 " + signed) == [msg]  # leading idle time dropped
    mode2 = "\n".join(f"{'pulse' if i % 2 == 0 else 'space'} {t}" for i, t in enumerate(d))
    assert _frames("space 16777215\n" + mode2 + "\ntimeout 100000\n") == [msg]
    two = plain + "\n\n" + " ".join(map(str, CONVS[0][2].to_durations()))
    assert _frames(two) == [msg, CONVS[0][2]]


def test_hand_made_capture_files() -> None:
    """The shapes captures take in blog posts, sketches and scripts."""
    msg = CONVS[0][1]
    d = msg.to_durations()
    csv = ", ".join(map(str, d))
    assert _frames(f"data: {' '.join(map(str, d))}\n") == [msg]  # a bare Flipper data line
    assert _frames(f"uint16_t rawData[{len(d)}] = {{{csv}}};  // captured\n") == [msg]
    assert _frames(f"visit_response2 = [{csv}]\n") == [msg]
    irremote = ",".join(f"{'+' if i % 2 == 0 else '-'} {t}" for i, t in enumerate(d))
    assert _frames(f"rawData[{len(d)}]: \n -3276750\n {irremote}\n") == [msg]
    assert _frames(f"message1: {msg.hex}") == [msg]


def _frames(text: str) -> list:
    items = loader.load_text(text).items
    assert all(i.error is None for i in items), [str(i.error) for i in items]
    return [i.frame for i in items]


def test_hex_and_bit_text() -> None:
    msg = CONVS[0][3]
    assert _frames(msg.hex) == [msg]
    assert _frames(msg.hex.replace(" ", "")) == [msg]
    assert _frames(", ".join(f"0x{b:02x}" for b in msg.data)) == [msg]
    assert _frames(msg.bits) == [msg]
    assert _frames(" ".join(msg.bits[i : i + 8] for i in range(0, 160, 8))) == [msg]
    many = "\n".join(m.bits for m in CONVS[0].messages)
    assert _frames(many) == list(CONVS[0].messages)
    serial_log = "tamagometer listen\r\n[PICO]" + msg.bits + "[END]\r\n>: [PICO]timed out[END]"
    assert _frames(serial_log) == [msg]
    short = loader.load_text("0101").items
    assert short[0].error is not None


def test_json_inputs() -> None:
    msg = CONVS[0][1]
    assert _frames(json.dumps(msg.to_durations())) == [msg]
    assert _frames(json.dumps({"timings_us": msg.to_durations()})) == [msg]
    assert _frames(json.dumps([msg.to_durations(), msg.to_durations()])) == [msg, msg]
    assert _frames(json.dumps([msg.bits, msg.hex])) == [msg, msg]
    loaded = loader.load_text(files.dumps_tgir(CONVS[:1]))
    assert loaded.kind == "tgir" and loaded.conversations[0].messages == CONVS[0].messages


def test_any_json_document_with_captures() -> None:
    msg = CONVS[1][4]
    doc = {"captures": [{"timings_us": msg.to_durations(), "note": "x"}, {"bits": msg.bits}]}
    loaded = loader.load_text(json.dumps(doc))
    assert [i.frame for i in loaded.items] == [msg, msg]
    assert loaded.items[0].source.startswith("json.captures[0].timings_us")
    for empty in ('{"a": 1}', "[]", "{}"):
        with pytest.raises(FileFormatError, match="nothing to decode"):
            loader.load_text(empty)


def test_inverted_polarity_is_noted_not_fixed() -> None:
    msg = CONVS[0][1]
    inverted = msg.bits.translate(str.maketrans("01", "10"))
    loaded = loader.load_text(inverted)
    assert not loaded.items[0].frame.checksum_ok  # kept as given
    assert loaded.notes and msg.hex in loaded.notes[0] and "inverted" in loaded.notes[0]


def test_load_frames_from_paths(tmp_path: Path) -> None:
    path = tmp_path / "capture.ir"
    path.write_text(files.conversation_to_flipper(CONVS[0]), encoding="utf-8")
    loaded = loader.load_frames(str(path))
    assert [i.source for i in loaded.items][0].startswith("capture.ir: signal 'message1'")
    with pytest.raises(FileFormatError, match="no such file"):
        loader.load_frames(str(tmp_path / "missing.ir"))
    with pytest.raises(FileFormatError, match="directory"):
        loader.load_frames(str(tmp_path))
    with pytest.raises(FileFormatError, match="cannot tell"):
        loader.load_frames("hello world")
    with pytest.raises(FileFormatError, match="empty"):
        loader.load_text("   \n")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_items_or_a_clear_error(text: str) -> None:
    try:
        loaded = loader.load_text(text)
    except IrError as exc:
        assert str(exc)
        return
    for item in loaded.items:
        assert (item.frame is None) != (item.error is None)


def test_message_from_dict_variants() -> None:
    msg = CONVS[2][3]
    assert Message.from_dict({"bits": msg.bits}) == msg
    assert Message.from_dict(msg.hex) == msg
    assert Message.from_dict({"fields": msg.fields()}) == msg
    with pytest.raises(FileFormatError):
        Message.from_dict({"nothing": 1})


_messages = st.binary(min_size=18, max_size=18).map(
    lambda b: Message.from_bytes(b"\x0e" + b + b"\0").fixed()
)


@settings(max_examples=50, deadline=None)
@given(
    msgs=st.lists(_messages, min_size=4, max_size=4),
    name=st.text(max_size=30),
    timestamp=st.integers(0, 2**53),
)
def test_file_round_trips(msgs: list[Message], name: str, timestamp: int) -> None:
    conv = Conversation(tuple(msgs), name, timestamp)
    assert files.read_tgir(files.dumps_tgir([conv])) == [conv]
    flipper = files.conversation_to_flipper(conv)
    assert [i.frame for i in loader.load_text(flipper).items] == msgs
    text = "\n".join(" ".join(map(str, m.to_durations())) for m in msgs)
    assert [i.frame for i in loader.load_text(text).items] == msgs
    assert [i.frame for i in loader.load_text("\n".join(m.hex for m in msgs)).items] == msgs
