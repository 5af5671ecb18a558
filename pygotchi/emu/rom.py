"""ROM images: the three file formats in circulation, and which toy a ROM is.

Formats accepted (see ``load_rom``):

* TamaTool/MAME ``rom.bin``: one 12-bit instruction per 16-bit big-endian word
  (12,288 bytes for a P1/P2, 16,384 for the E0C6S48 models);
* the packed 12-bit form: two instructions in three bytes (9,216 bytes for a
  P1/P2), as Arduino ports keep them;
* a C header holding such a packed array (``g_program_b12[]``), or an array of
  12-bit words (``g_program[]``, what TamaTool's ``-H`` prints).

A ROM is identified by the SHA-1 of its ``rom.bin`` form against the dumps
whose hashes are public (``../shared/roms/README.md``); any other program still
runs, as a generic E0C6S46 (up to 6,144 words) or E0C6S48 (up to 8,192).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

from pygotchi.emu.errors import RomError
from pygotchi.emu.lcd import YASASHII_SEG_TO_X

MAX_WORDS = 8192  # the 13-bit PC
MIN_WORDS = 0x101  # the reset vector is at 0x100
S46_WORDS = 6144  # E0C6S46 program ROM: bank 0 pages 0-F, bank 1 pages 0-7

# Input pins: K00-K03 = 0-3, K10-K13 = 4-7.
K00, K01, K02, K03, K10, K11, K12, K13 = range(8)


@dataclass(frozen=True)
class Model:
    """What differs between toys running on the same chip."""

    id: str
    name: str
    chip: str  # "E0C6S46" or "E0C6S48"
    buttons: dict[str, int]  # button name -> input pin
    icons: tuple[str, ...] = (
        "food",
        "light",
        "game",
        "medicine",
        "toilet",
        "status",
        "discipline",
        "attention",
    )
    # (seg, com) pairs lighting each of the 8 icons; any of them lights it.
    icon_map: tuple[tuple[tuple[int, int], ...], ...] = (
        ((8, 0),),
        ((8, 1),),
        ((8, 2),),
        ((8, 3),),
        ((28, 12),),
        ((28, 13),),
        ((28, 14),),
        ((28, 15),),
    )
    sha1: str | None = None
    background: str = "generic"
    seg_to_x: tuple[int, ...] | None = None  # None: the P1 glass (lcd.SEG_TO_X)
    flip_y: bool = False  # COM 0 is the bottom row

    @property
    def s48(self) -> bool:
        return self.chip == "E0C6S48"


_ABC = {"A": K02, "B": K01, "C": K00}
_ABC_TAP = {**_ABC, "TAP": K03}
# Umino, Mothra, Genjintch and Tamaotch wire their icons to other segments than
# the P1 glass (TamaLIB's hw.c notes and the tamagotchi-carebot project list
# them); each icon is lit by whichever of its known positions the ROM drives.
_ALT_ICONS = (
    ((18, 3), (19, 2)),
    ((17, 0), (19, 3)),
    ((17, 1), (37, 12), (38, 13), (39, 14)),
    ((17, 2), (18, 1), (19, 0)),
    ((37, 13), (38, 14), (39, 15)),
    ((37, 14), (38, 15)),
    ((37, 15), (39, 12)),
    ((38, 12), (39, 13)),
)

MODELS: tuple[Model, ...] = (
    Model(
        "p1",
        "Tamagotchi P1",
        "E0C6S46",
        _ABC,
        sha1="4b4979cf92dc9d2fb6d7295a38f209f3da144f72",
        background="p1",
    ),
    Model(
        "p1j",
        "Tamagotchi P1 (Japan)",
        "E0C6S46",
        _ABC,
        sha1="15763f806c9c792f6a6458538dbd932a3c6668a3",
        background="p1",
    ),
    Model(
        "p2",
        "Tamagotchi P2",
        "E0C6S46",
        _ABC,
        sha1="09e5101b37636a314fc599d5d69b4846721b3c88",
        background="p2",
    ),
    Model(
        "angel",
        "Tamagotchi Angel (Tenshitchi)",
        "E0C6S48",
        _ABC_TAP,
        icons=("status", "food", "game", "toilet", "praise", "medicine", "light", "attention"),
        sha1="f5899bb7717756ac581451cf16cf97d909961c5c",
        background="angel",
    ),
    Model(
        "mothra",
        "Mothra Tamagotchi",
        "E0C6S48",
        _ABC,
        icon_map=_ALT_ICONS,
        sha1="74c1f6761724b7cbda8bca3113db78586b786d2d",
        background="mothra",
    ),
    Model(
        "morino",
        "Mori de Hakken! Tamagotchi (Morino)",
        "E0C6S48",
        _ABC_TAP,
        icons=("status", "food", "game", "toilet", "predator", "medicine", "light", "attention"),
        sha1="4b578ea5dd328fd49fc7a664abeca79e35d573b2",
        background="morino",
    ),
    Model(
        "umino",
        "Umi de Hakken! Tamagotchi (Umino)",
        "E0C6S48",
        _ABC_TAP,
        icon_map=_ALT_ICONS,
        sha1="69d916819f8f4aa4be9194e6c78f099bf8199f37",
        background="umino",
    ),
    Model(
        "genjintch",
        "Genjintch",
        "E0C6S48",
        _ABC_TAP,
        icon_map=_ALT_ICONS,
        sha1="e317eac80c3360b766b92a2da253bda32fd50273",
        background="genjintch",
    ),
    Model(
        "tamaotch",
        "Tamaotch",
        "E0C6S48",
        _ABC_TAP,
        icon_map=_ALT_ICONS,
        sha1="d4ea15fa2abb16bd844c79e3b095a6f6cf21a98f",
        background="tamaotch",
    ),
    Model(
        "yasashii",
        "Yasashii Tamagotchi",
        "E0C6S48",
        {
            "FOOD": K13,
            "SMILE": K12,
            "HEART": K11,
            "CLEAN": K10,
            "LIGHT": K03,
            "WEIGHT": K02,
            "SELECT": K01,
            "CANCEL": K00,
        },
        icons=(),
        icon_map=(),
        seg_to_x=YASASHII_SEG_TO_X,
        flip_y=True,
        sha1="bf52d35667556d2236aa066e13118c01fe1e3f8b",
        background="yasashii",
    ),
)
# pygotchi's own demo (pygotchi/demo): an E0C6S46 program that ends with a signature.
DEMO = Model("demo", "pygotchi demo (Sprout)", "E0C6S46", _ABC_TAP, background="demo")
DEMO_SIGNATURE_AT = 0x17F0
DEMO_SIGNATURE = tuple(b"PYGOTCHI DEMO")
GENERIC_S46 = Model("e0c6s46", "Unknown E0C6S46 program", "E0C6S46", _ABC_TAP)
GENERIC_S48 = Model("e0c6s48", "Unknown E0C6S48 program", "E0C6S48", _ABC_TAP)
MODELS_BY_ID = {m.id: m for m in (*MODELS, DEMO, GENERIC_S46, GENERIC_S48)}
_MODELS_BY_SHA1 = {m.sha1: m for m in MODELS if m.sha1}


@dataclass(frozen=True)
class Rom:
    """A loaded program: its words, canonical bytes, hashes and model."""

    words: tuple[int, ...]
    model: Model
    source_format: str

    @functools.cached_property
    def program(self):
        """The padded program the CPU runs; one copy shared by every machine."""
        from pygotchi.emu.cpu import make_program

        return make_program(self.words)

    # Cached: checkpoints call save_state (which names the ROM by sha256) for
    # every pet every few seconds.
    @functools.cached_property
    def data(self) -> bytes:
        """The ``rom.bin`` form: what hashes are taken over and what is stored."""
        return words_to_rombin(self.words)

    @functools.cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @functools.cached_property
    def sha1(self) -> str:
        return hashlib.sha1(self.data).hexdigest()

    @property
    def chip(self) -> str:
        return self.model.chip


def words_to_rombin(words) -> bytes:
    out = bytearray(2 * len(words))
    for i, w in enumerate(words):
        out[2 * i] = (w >> 8) & 0x0F
        out[2 * i + 1] = w & 0xFF
    return bytes(out)


def words_to_packed(words) -> bytes:
    if len(words) % 2:
        words = [*words, 0]
    out = bytearray()
    for i in range(0, len(words), 2):
        w1, w2 = words[i], words[i + 1]
        out += bytes(((w1 >> 4) & 0xFF, ((w1 & 0xF) << 4) | (w2 >> 8), w2 & 0xFF))
    return bytes(out)


def _unpack12(data: bytes) -> list[int]:
    words = []
    for i in range(0, len(data) - 2, 3):
        b0, b1, b2 = data[i], data[i + 1], data[i + 2]
        words.append((b0 << 4) | (b1 >> 4))
        words.append(((b1 & 0xF) << 8) | b2)
    return words


def _check_count(words: int, what: str) -> None:
    if not MIN_WORDS <= words <= MAX_WORDS:
        raise RomError(
            f"{what} holds {words} instructions; a first-generation Tamagotchi ROM has "
            f"{MIN_WORDS} to {MAX_WORDS} (6,144 for a P1/P2: a 12,288-byte rom.bin or a "
            f"9,216-byte packed file; 8,192 for the E0C6S48 models: 16,384 bytes)"
        )


# The C header reader runs in time linear in its input (a header is user text, uploaded
# to the server): it scans with str.find and single-pass patterns that cannot backtrack.
_WS = re.compile(r"\s*+")
_C_COMMENT = re.compile(r"//|/\*|\*/|\n")
_C_SEPARATORS = re.compile(r"[\s,]+")
_C_NUMBER = re.compile(r"(?:0[xX][0-9a-fA-F]++|0[bB][01]++|\d++)[uUlL]*+")


def _c_int(token: str) -> int:
    """A C integer literal: 0x hex, 0b binary, a leading 0 for octal, U/L suffixes."""
    token = token.rstrip("uUlL")
    try:
        if token[:2].lower() in ("0x", "0b"):
            return int(token, 0)
        if len(token) > 1 and token[0] == "0":
            return int(token, 8)
        return int(token)
    except ValueError:
        raise RomError(f"{token!r} in the C array is not a valid C number") from None


def _c_array(text: str) -> tuple[int, int, int] | None:
    """Where the first ``[] = {...}`` (or ``[] PROGMEM = {...}``) is: the declaration's
    ``[`` and the body's start and end. Each try scans from one ``[`` to the first
    character that breaks the pattern, which is never past the next ``[``."""
    at = text.find("[")
    while at >= 0:
        i = _WS.match(text, at + 1).end()
        if text.startswith("]", i):
            i = _WS.match(text, i + 1).end()
            if text.startswith("PROGMEM", i):
                i = _WS.match(text, i + 7).end()
            if text.startswith("=", i):
                i = _WS.match(text, i + 1).end()
                if text.startswith("{", i):
                    end = text.find("}", i + 1)
                    return (at, i + 1, end) if end >= 0 else None
        at = text.find("[", at + 1)
    return None


def _strip_c_comments(body: str) -> str:
    """``body`` with ``// ...`` and ``/* ... */`` comments turned into spaces."""
    out = []
    start = 0  # of the text being kept
    closing = None  # what ends the comment we are in
    for mark in _C_COMMENT.finditer(body):
        token = mark.group()
        if closing is None and token in ("//", "/*"):
            out.append(body[start : mark.start()])
            closing = "\n" if token == "//" else "*/"
        elif token == closing:
            start = mark.end() if closing == "*/" else mark.start()
            out.append(" ")
            closing = None
    if closing == "*/":
        raise RomError("a /* comment in the C array is never closed")
    if closing is None:
        out.append(body[start:])
    return "".join(out)


def _parse_c_header(text: str) -> tuple[list[int], str]:
    found = _c_array(text)
    if not found:
        raise RomError(
            "this text file has no C array: expected a header like "
            "'static const unsigned char g_program_b12[] = {0x01, 0x0F, ...};'"
        )
    decl_end, body_start, body_end = found
    body = _strip_c_comments(text[body_start:body_end])
    tokens = [t for t in _C_SEPARATORS.split(body) if t]
    values = []
    for tok in tokens:
        if not _C_NUMBER.fullmatch(tok):
            raise RomError(f"unexpected {tok[:20]!r} in the C array: only numbers are allowed")
        values.append(_c_int(tok))
    decl = text[:decl_end]
    packed = "b12" in decl or ("u12" not in decl and max(values, default=0) <= 0xFF)
    if not packed:
        if max(values, default=0) > 0xFFF:
            raise RomError("a value in the C array is larger than a 12-bit instruction")
        return values, "c-header-words"
    if max(values, default=0) > 0xFF:
        raise RomError("the packed g_program_b12[] array holds a value larger than a byte")
    if len(values) % 3:
        raise RomError(
            f"the packed array in this C header has {len(values)} bytes, "
            "not a multiple of 3 (two 12-bit instructions per 3 bytes)"
        )
    return _unpack12(bytes(values)), "c-header-packed"


def _looks_like_text(data: bytes) -> bool:
    """Program bytes are full of control bytes; text (a header, or a wrong file) is not."""
    sample = data[:4096]
    printable = sum(1 for b in sample if b in (9, 10, 13) or 32 <= b < 127)
    return printable >= 0.97 * len(sample)


def parse_rom_words(data: bytes) -> tuple[list[int], str]:
    """The program words in ``data`` and the name of the format they came in."""
    if not data:
        raise RomError(
            "the file is empty: expected a ROM image (rom.bin, packed 12-bit or C header)"
        )
    if _looks_like_text(data):
        words, fmt = _parse_c_header(data.decode("utf-8", "replace"))
        _check_count(len(words), "the C header")
        return words, fmt
    if len(data) % 2 == 0 and all(b < 0x10 for b in data[0::2]):
        words = [((data[i] & 0x0F) << 8) | data[i + 1] for i in range(0, len(data), 2)]
        _check_count(len(words), "this rom.bin")
        return words, "rombin"
    if len(data) % 3 == 0:
        words = _unpack12(data)
        _check_count(len(words), "this packed 12-bit file")
        return words, "packed12"
    raise RomError(
        f"this {len(data):,}-byte file is not a ROM image: expected a rom.bin (16-bit words, "
        "12,288 or 16,384 bytes, each first byte below 0x10), a packed 12-bit file "
        "(9,216 or 12,288 bytes) or a C header with a g_program_b12[] array"
    )


def identify(words) -> Model:
    """The toy a program belongs to; a generic model for unknown programs."""
    sha1 = hashlib.sha1(words_to_rombin(words)).hexdigest()
    model = _MODELS_BY_SHA1.get(sha1)
    if model is not None:
        return model
    end = DEMO_SIGNATURE_AT + len(DEMO_SIGNATURE)
    if len(words) == S46_WORDS and tuple(words[DEMO_SIGNATURE_AT:end]) == DEMO_SIGNATURE:
        return DEMO
    return GENERIC_S46 if len(words) <= S46_WORDS else GENERIC_S48


def load_rom(data: bytes, model: str | None = None) -> Rom:
    """Parse a ROM file's bytes; ``model`` forces a model id for unknown programs."""
    words, fmt = parse_rom_words(bytes(data))
    found = identify(words)
    if model is not None:
        if model not in MODELS_BY_ID:
            raise RomError(f"unknown model {model!r}; known: {', '.join(MODELS_BY_ID)}")
        found = MODELS_BY_ID[model]
        if found.chip == "E0C6S46" and len(words) > S46_WORDS:
            raise RomError(f"{found.name} is an E0C6S46: its ROM has at most {S46_WORDS} words")
    return Rom(tuple(words), found, fmt)


def load_rom_file(path) -> Rom:
    try:
        with open(path, "rb") as fh:
            data = fh.read(1 << 20)
            if fh.read(1):
                raise RomError(f"{path}: larger than 1 MiB, far too large for a ROM image")
    except OSError as exc:
        raise RomError(f"cannot read ROM {path}: {exc.strerror or exc}") from None
    try:
        return load_rom(data)
    except RomError as exc:
        raise RomError(f"{path}: {exc}") from None
