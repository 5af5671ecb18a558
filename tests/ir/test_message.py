"""Frames and typed messages: exact round trips, field edits that touch only their bits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pygotchi.ir import codec, fields
from pygotchi.ir.errors import CharacterError, ChecksumError, DecodeError, FieldError, LengthError
from pygotchi.ir.frame import Frame, format_hex, pack_bits, parse_hex, unpack_bits
from pygotchi.ir.legacy import LegacyFrame
from pygotchi.ir.message import Message

frames20 = st.binary(min_size=20, max_size=20)
BLOG = "0E 00 BF 22 01 19 00 02 07 81 02 00 22 00 00 00 00 07 00 BE"


@given(st.binary(max_size=30), st.booleans())
def test_bits_round_trip(data: bytes, msb_first: bool) -> None:
    bits = unpack_bits(data, msb_first=msb_first)
    assert len(bits) == 8 * len(data)
    assert pack_bits(bits, msb_first=msb_first) == data


@given(frames20)
def test_frame_round_trips(data: bytes) -> None:
    frame = Frame(data)
    assert Frame.from_bits(frame.bits) == frame
    assert Frame.from_hex(frame.hex) == frame
    assert Frame.from_hex(frame.hex.replace(" ", "").lower()) == frame
    assert Frame.from_durations(frame.to_durations()) == frame
    fixed = frame.with_checksum()
    assert fixed.checksum_ok and fixed.data[:19] == data[:19]
    assert frame.checksum_ok == (frame == fixed)


@given(frames20)
def test_message_decode_encode_is_exact(data: bytes) -> None:
    """Every field read and written back, in any order, reproduces the bytes."""
    msg = Message.from_bytes(data)
    values = {f.name: f.read(msg.data) for f in fields.FIELDS}
    again = msg.with_fields(values, fix_checksum=False)
    assert again.data == data
    assert Message.from_dict(msg.to_dict()) == msg


@settings(max_examples=200)
@given(
    frames20, st.sampled_from([f for f in fields.FIELDS if f.name not in ("checksum",)]), st.data()
)
def test_field_write_touches_only_its_bits(data: bytes, f: fields.Field, draw) -> None:
    msg = Message.from_bytes(data)
    if f.kind == "name":
        value = draw.draw(st.text(alphabet="ABCXYZ!?&\u25cb\u00d7_\u2665\u2605\u25a1",
                                  max_size=5))
    elif f.kind == "notes":
        value = tuple(draw.draw(st.lists(st.integers(0, 3), min_size=4, max_size=4)))
    else:
        value = draw.draw(st.integers(0, f.max_value))
    edited = msg.with_fields({f.name: value})
    assert edited.checksum_ok
    read = edited.get(f.name)
    if f.kind == "name":
        assert read.rstrip("_") == value.replace(" ", "_").rstrip("_")
    else:
        assert read == value
    # bytes outside the field are unchanged (except the checksum), and so are the
    # bits of partly-known bytes that the field does not own
    for i in range(19):
        if i not in f.bytes_used:
            assert edited.data[i] == data[i]
        elif f.kind in ("int", "enum") and not f.modulo:
            assert edited.data[i] & ~f.mask & 0xFF == data[i] & ~f.mask & 0xFF


def test_example_from_spec() -> None:
    """SPEC.md §2.5, message by message."""
    m1 = Message.from_hex("0E 00 DE 5A 28 00 0B 08 02 04 02 00 23 00 06 00 00 00 0A BC")
    assert (m1.role, m1.device_id, m1.label("character"), m1.name) == (
        1,
        0xDE5A,
        "Pipotchi",
        "ALICE",
    )
    assert m1.label("gender") == "boy" and m1.get("initiator_flag") == 1
    assert m1.fields()["unknown"]["b11"] == 0 and m1.fields()["unknown"]["b14"] == 6
    # b10 holds gender (bit 0) and the initiator flag (bit 1): only the rest is unknown.
    bits = m1.fields()["unknown_bits"]
    assert bits["b10"] == {"mask": 0xFC, "value": 0} and bits["b11"] == {"mask": 0xFF, "value": 0}
    assert bits["b12"]["mask"] == 0xFF & ~0x2F and "b5" not in bits
    m2 = Message.from_hex("0E 01 BF 22 2C 01 0E 01 A0 A0 00 64 22 00 00 00 00 00 0A FC")
    assert (m2.role, m2.name, m2.label("character")) == (2, "BOB__", "Wooltchi")
    m3 = Message.from_hex("0E 08 DE 5A 28 00 0B 08 02 04 03 00 00 00 00 00 00 00 00 92")
    assert m3.activity == "visit" and m3.label("visit_activity") == "Music"
    assert "gender" not in m3.fields() and "visit_activity" in m3.fields()


def test_replace_keeps_unknown_bytes() -> None:
    msg = Message.from_hex(BLOG)
    edited = msg.replace(name="ZOE", character="Mametchi", gender="girl")
    assert edited.name == "ZOE__" and edited.character == 19 and edited.get("gender") == 1
    assert edited.data[10] == 0x03  # the role flag bit survived
    assert edited.data[11:19] == msg.data[11:19]
    assert edited.checksum_ok
    kept = msg.replace(name="ZOE", fix_checksum=False)
    assert kept.data[19] == msg.data[19] and not kept.checksum_ok


def test_name_letters() -> None:
    msg = Message.from_hex(BLOG)
    assert msg.name == "ZACH\u2605"
    assert msg.replace(name="A[200]*").data[5:10] == bytes([0, 200, 129, 0xA0, 0xA0])
    assert msg.replace(name="[0x19]").name.startswith("Z")
    assert msg.replace(name="alice").name == "ALICE"  # the toy has capitals only
    with pytest.raises(FieldError, match="alphabet"):
        msg.replace(name="al\u00efce")
    with pytest.raises(FieldError, match="6 letters"):
        msg.replace(name="ABCDEF")


def test_field_errors() -> None:
    msg = Message.from_hex(BLOG)
    with pytest.raises(FieldError, match="0-65535"):
        msg.replace(device_id=70000)
    with pytest.raises(FieldError, match="unknown field"):
        msg.replace(colour=3)
    with pytest.raises(FieldError, match="0-9"):
        msg.replace(pregift_activity=12)
    with pytest.raises(FieldError, match="not a known"):
        msg.replace(gift_item="Spaceship")


def test_pregift_is_modulo_ten() -> None:
    msg = Message.blank(0x05).replace(pregift_activity=3)
    assert msg.get("pregift_activity") == 3
    data = bytearray(msg.data)
    data[15] = 47
    odd = Message.from_bytes(data)
    assert odd.get("pregift_activity") == 7
    assert odd.replace(pregift_activity=2).data[15] == 42  # the tens are kept


def test_game_fields() -> None:
    m = Message.blank(0x02).replace(
        game_type="Trumpet", trumpet_notes="right,left,middle,left", trumpet_first_note="middle"
    )
    assert m.data[17] == 0x44 and m.data[18] == 0b10_00_01_00
    assert m.fields()["trumpet_notes_name"] == "right, left, middle, left"
    p = Message.blank(0x02).replace(game_type="Points", wager=60, points_winner="responder")
    assert (p.data[16], p.data[18] & 1) == (60, 1)
    assert {"wager", "points_winner"} <= set(p.fields())


def test_bad_strings() -> None:
    with pytest.raises(CharacterError, match="position 3"):
        Message.from_bits("000x" + "0" * 156)
    with pytest.raises(LengthError, match="19 bytes"):
        Message.from_hex(BLOG[:-3])
    with pytest.raises(CharacterError, match="not a hex byte"):
        parse_hex("0E ZZ")
    with pytest.raises(ChecksumError, match="should|gives 0xBE"):
        Frame.from_hex(BLOG[:-2] + "00").verify()
    assert format_hex(b"\x0e\xab") == "0E AB"


def test_any_generation_from_strings() -> None:
    legacy = LegacyFrame.from_hex("0C 06 1B D6 01 00 00 05 09")
    assert codec.from_bits(legacy.bits) == legacy
    assert codec.from_bytes(legacy.data) == legacy
    assert isinstance(codec.from_bytes(bytes.fromhex(BLOG.replace(" ", ""))), Message)
    with pytest.raises(LengthError, match="8 bits"):
        codec.from_bits("10010101")
    with pytest.raises(DecodeError):
        codec.from_bytes(b"\x0e\x00")


@given(st.text(max_size=200))
def test_arbitrary_text_gives_clean_errors(text: str) -> None:
    for parse in (Message.from_bits, Message.from_hex, Message.from_text, codec.from_bits):
        try:
            parse(text)
        except DecodeError as exc:
            assert str(exc)


def test_a_bit_string_with_a_typo_is_reported_as_one() -> None:
    """Not as a hex string of the wrong length: the error points at the bad bit."""
    import pytest

    from pygotchi.ir.errors import IrError
    from pygotchi.ir.message import Message

    with pytest.raises(IrError) as info:
        Message.from_text("0" * 159 + "2")
    assert "159" in str(info.value) or "character" in str(info.value).lower()


def test_names_read_small_letters_as_capitals_and_say_which_letters_exist() -> None:
    from pygotchi.ir.errors import FieldError

    assert fields.encode_name("alice") == fields.encode_name("ALICE")
    assert fields.decode_name(fields.encode_name("bob\u26f6")) == "BOB\u25a1_"  # old square
    with pytest.raises(FieldError) as caught:
        fields.encode_name("zo\u00e9")
    message = str(caught.value)
    assert "\u26f6" not in message  # the unreadable square is gone from what people read
    for glyph in fields.SYMBOLS.split():
        assert glyph in message
