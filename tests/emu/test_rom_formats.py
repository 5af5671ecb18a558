"""ROM files: the formats in circulation, model identification, and refusals.

Formats (pygotchi/emu/rom.py docstring, ../shared/roms/README.md): TamaTool/MAME
``rom.bin`` (one big-endian 16-bit word per instruction), the packed 12-bit form
(two instructions in three bytes), a C header holding the packed bytes
(``g_program_b12[]``, as Arduino ports ship it) and a C header of 12-bit words
(``g_program[]`` of ``u12_t``, what TamaTool's ``-H`` prints). The encoders below
are written from those descriptions, not taken from rom.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pygotchi.emu import Rom, RomError, load_rom, load_rom_file


def rombin(words: list[int]) -> bytes:
    return b"".join(w.to_bytes(2, "big") for w in words)


def packed(words: list[int]) -> bytes:
    out = bytearray()
    for w1, w2 in zip(words[0::2], words[1::2], strict=True):
        out += bytes((w1 >> 4, ((w1 & 0xF) << 4) | (w2 >> 8), w2 & 0xFF))
    return bytes(out)


def b12_header(words: list[int]) -> bytes:
    data = packed(words)
    rows = [", ".join(f"0x{b:02X}" for b in data[i : i + 12]) for i in range(0, len(data), 12)]
    return ("// ROM dump\nstatic const unsigned char g_program_b12[] PROGMEM = {\n  "
            + ",\n  ".join(rows) + "\n};\n").encode()


def u12_header(words: list[int]) -> bytes:
    """TamaTool's program_to_header(): 16 words a line, a trailing comma."""
    text = "static const u12_t g_program[] = {"
    for i, w in enumerate(words):
        text += ("\n\t" if i % 16 == 0 else " ") + f"0x{w:03X},"
    return (text + "\n};\n").encode()


def random_words(n: int, seed: int = 7) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(4096) for _ in range(n)]


FORMATS = {"rombin": rombin, "packed12": packed, "c-header-packed": b12_header,
           "c-header-words": u12_header}


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize(("count", "model", "chip"), [
    (6144, "e0c6s46", "E0C6S46"), (8192, "e0c6s48", "E0C6S48"), (4096, "e0c6s46", "E0C6S46")])
def test_every_format_gives_the_same_program(fmt: str, count: int, model: str,
                                             chip: str) -> None:
    words = random_words(count)
    rom = load_rom(FORMATS[fmt](words))
    assert list(rom.words) == words
    assert rom.source_format == fmt
    assert (rom.model.id, rom.chip) == (model, chip)
    assert rom.data == rombin(words)  # the canonical form hashes are taken over


def test_packed_file_of_a_p1_size() -> None:
    words = random_words(6144)
    data = packed(words)
    assert len(data) == 9216
    assert list(load_rom(data).words) == words


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_p1_is_identified_in_every_format(p1_rom: Path, fmt: str) -> None:
    words = list(load_rom(p1_rom.read_bytes()).words)
    assert len(words) == 6144
    rom = load_rom(FORMATS[fmt](words))
    assert (rom.model.id, rom.chip) == ("p1", "E0C6S46")
    assert rom.sha256 == "67b6388f26e2e3f15674932baf2fc2fb1c6f388cc0f16ea1aa0f441db1a4f43c"


def test_yasashii_is_identified(yasashii_rom: Path) -> None:
    rom = load_rom(yasashii_rom.read_bytes())
    assert (rom.model.id, rom.chip, len(rom.words)) == ("yasashii", "E0C6S48", 8192)


def test_forcing_a_model() -> None:
    words = random_words(6144)
    assert load_rom(rombin(words), model="p2").model.id == "p2"
    with pytest.raises(RomError, match="unknown model"):
        load_rom(rombin(words), model="tamagotchi9000")
    with pytest.raises(RomError, match="6144"):
        load_rom(rombin(random_words(8192)), model="p1")


def _header(body: str, decl: str = "static const unsigned char g_program_b12[] = ") -> bytes:
    return (decl + "{" + body + "};\n").encode()


BAD_FILES = {
    "empty": (b"", "empty"),
    "prose": (b"Dear diary, today my Tamagotchi ate a hamburger.\n" * 20, "g_program_b12"),
    "odd_binary": (random.Random(3).randbytes(12_289), "12,288"),
    "too_few_words": (b"\x0f\xff" * 256, "6,144"),
    "too_many_words": (b"\x0f\xff" * 8193, "8,192"),
    "non_number_in_header": (_header("0x01, 0x02, banana"), "banana"),
    "packed_header_not_triples": (_header(", ".join(["0x01"] * 10)), "multiple of 3"),
    "packed_header_over_a_byte": (_header(", ".join(["0x01"] * 1000) + ", 0x100"), "byte"),
    "word_header_over_12_bits": (
        _header(", ".join(["0x123"] * 300) + ", 0x1000", "static const u12_t g_program[] = "),
        "12-bit"),
    "short_word_header": (_header(", ".join(["0x123"] * 10), "static const u12_t g_p[] = "),
                          "10 instructions"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_wrong_files_are_refused_with_a_clear_message(name: str) -> None:
    data, hint = BAD_FILES[name]
    with pytest.raises(RomError) as info:
        load_rom(data)
    message = str(info.value)
    assert hint in message
    assert "\n" not in message


def test_c_header_with_octal_numbers() -> None:
    """C reads 012 as octal 10. Either that, or a RomError; never a bare ValueError."""
    words = random_words(300)
    data = bytearray(packed(words))
    data[0] = 0o12
    body = "012, " + ", ".join(f"0x{b:02X}" for b in data[1:])
    try:
        rom = load_rom(_header(body))
    except RomError:
        return
    assert rom.words[0] >> 4 == 0o12


def test_load_rom_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.bin"
    with pytest.raises(RomError, match="nope.bin"):
        load_rom_file(missing)
    with pytest.raises(RomError):
        load_rom_file(tmp_path)  # a directory
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * ((1 << 20) + 1))
    with pytest.raises(RomError, match="large"):
        load_rom_file(big)
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x01\x02\x03\x04\x05")
    with pytest.raises(RomError, match="bad.bin"):
        load_rom_file(bad)
    good = tmp_path / "good.bin"
    good.write_bytes(rombin(random_words(6144)))
    assert isinstance(load_rom_file(good), Rom)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=20_000))
def test_any_bytes_give_a_rom_or_a_rom_error(data: bytes) -> None:
    try:
        rom = load_rom(data)
    except RomError as exc:
        assert str(exc)
    else:
        assert 0x101 <= len(rom.words) <= 8192


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_gives_a_rom_or_a_rom_error(text: str) -> None:
    try:
        load_rom(text.encode())
    except RomError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.integers(0x81, 4096), st.integers(0, 2**32))
def test_rombin_and_packed_round_trip(pairs: int, seed: int) -> None:
    words = random_words(2 * pairs, seed)
    assert list(load_rom(rombin(words)).words) == words
    # A packed file can be mistaken for a rom.bin only when every even byte is < 0x10.
    data = packed(words)
    if len(data) % 2 or any(b >= 0x10 for b in data[0::2]):
        assert list(load_rom(data).words) == words


def test_comments_inside_a_c_array_are_skipped() -> None:
    words = random_words(6144, seed=3)
    text = u12_header(words).decode()
    head, body = text.split("{", 1)
    rows = body.split("\n")
    rows[1] += " // a line comment, with 0x123, and /* inside"
    rows[2] = "/* a block\n comment */ " + rows[2] + " /* 0xFFF, */ /*/ still a comment */"
    rom = load_rom((head + "{" + "\n".join(rows)).encode())
    assert list(rom.words) == words


def test_an_unclosed_comment_in_a_c_array_is_named() -> None:
    text = u12_header(random_words(6144)).decode().replace("0x", "/* 0x", 1)
    with pytest.raises(RomError, match="never closed"):
        load_rom(text.encode())
