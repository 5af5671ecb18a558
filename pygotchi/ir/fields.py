"""The known fields of a Connection 2024 message (SPEC.md §2.3), as data.

Every field is a view on a few bits of the 20 bytes: reading never loses anything
and writing changes only the field's own bits, so unknown bytes and unknown bits of
partly-known bytes survive every edit. Which fields *mean* something depends on the
message type (a gift item only in a gift reply, a wager only in a game request);
``applies`` says so, but every field can be read and written on any message because
research on the unknowns needs exactly that.

Public helpers for user interfaces: :func:`field` (look a field up), :data:`FIELDS`
(all of them, in byte order), :func:`choices` (value/label pairs for a selector) and
:func:`parse_value` (turn what a user typed, ``"Pipotchi"`` or ``"0x28"``, into a
value).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pygotchi.ir import tables
from pygotchi.ir.errors import FieldError

NAME_LENGTH = 5


# -- which message types a field belongs to -------------------------------------------


def is_hello(data: bytes) -> bool:
    return data[1] in (tables.HELLO_INITIATOR, tables.HELLO_RESPONDER)


def activity_of(type_code: int) -> str | None:
    """``"visit"``, ``"gift"``... for a message 3 or 4 type code, else None."""
    if type_code in tables.ACTIVITIES:
        return tables.ACTIVITIES[type_code]
    if type_code - 1 in tables.ACTIVITIES:
        return tables.ACTIVITIES[type_code - 1]
    return None


def role_of(type_code: int) -> int | None:
    """Position in the conversation (1-4) implied by a type code, None if unknown."""
    if type_code == tables.HELLO_INITIATOR:
        return 1
    if type_code == tables.HELLO_RESPONDER:
        return 2
    if type_code in tables.ACTIVITIES:
        return 3
    if type_code - 1 in tables.ACTIVITIES:
        return 4
    return None


def _always(data: bytes) -> bool:
    return True


def _types(*codes: int) -> Callable[[bytes], bool]:
    return lambda data: data[1] in codes


def _game(*games: int) -> Callable[[bytes], bool]:
    return lambda data: data[1] == 0x02 and (data[17] & 0x07) in games


# -- names --------------------------------------------------------------------------------

_RAW_LETTER = re.compile(r"\[(\d{1,3}|0x[0-9a-fA-F]{1,2})\]")


# The letters as people read and type them: the research table's names, except
# three that fonts or the capitals rule get in the way of.
GLYPHS: dict[int, str] = {**tables.LETTERS, 125: "\u25cb", 126: "\u00d7", 132: "\u25a1"}
SYMBOLS = " ".join(g for c, g in sorted(GLYPHS.items()) if c >= 26 and g != "_")
# What a person may type in a name, for messages and form hints (one place).
ALPHABET_HINT = f"A-Z (small letters become capitals), {SYMBOLS}, _ or a space for a blank"


def decode_name(codes: bytes) -> str:
    """Letter codes to text; codes without a known glyph appear as ``[n]``."""
    return "".join(GLYPHS.get(c, f"[{c}]") for c in codes)


def encode_name(text: str) -> bytes:
    """Text to exactly five letter codes, padded with blanks (``_``)."""
    codes: list[int] = []
    i = 0
    while i < len(text):
        raw = _RAW_LETTER.match(text, i)
        if raw:
            value = int(raw.group(1), 0)
            if value > 255:
                raise FieldError(f"letter code {value} in {text!r} is not a byte")
            codes.append(value)
            i = raw.end()
            continue
        ch = text[i]
        if "a" <= ch <= "z":
            ch = ch.upper()  # the toy has capitals only
        if ch not in tables.LETTER_CODES:
            raise FieldError(
                f"{ch!r} in name {text!r} is not in the toy's alphabet: use "
                f"{ALPHABET_HINT}, or [n] for a raw letter code"
            )
        codes.append(tables.LETTER_CODES[ch])
        i += 1
    if len(codes) > NAME_LENGTH:
        raise FieldError(f"name {text!r} has {len(codes)} letters, the toy keeps {NAME_LENGTH}")
    codes += [tables.BLANK_LETTER] * (NAME_LENGTH - len(codes))
    return bytes(codes)


# -- the field model -------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A named group of bits in a message.

    ``kind`` is one of ``int`` (masked integer), ``enum`` (integer with a name table),
    ``u16`` (two bytes, big-endian), ``name`` (five letter codes) and ``notes`` (four
    2-bit positions). ``source`` says how sure the research is (SPEC.md's
    "Confidence" column).
    """

    name: str
    label: str
    byte: int
    kind: str = "int"
    mask: int = 0xFF
    table: Mapping[int, str] | None = None
    describe_fn: Callable[[int], str] | None = None
    modulo: int | None = None
    applies: Callable[[bytes], bool] = _always
    source: str = "TG"
    note: str = ""

    @property
    def shift(self) -> int:
        return (self.mask & -self.mask).bit_length() - 1

    @property
    def bytes_used(self) -> range:
        width = {"u16": 2, "name": NAME_LENGTH}.get(self.kind, 1)
        return range(self.byte, self.byte + width)

    @property
    def max_value(self) -> int:
        if self.kind == "u16":
            return 0xFFFF
        if self.modulo:
            return self.modulo - 1
        return self.mask >> self.shift

    # -- reading -------------------------------------------------------------------------

    def read(self, data: bytes) -> int | str | tuple[int, ...]:
        b = self.byte
        if self.kind == "u16":
            return data[b] << 8 | data[b + 1]
        if self.kind == "name":
            return decode_name(data[b : b + NAME_LENGTH])
        if self.kind == "notes":
            return tuple((data[b] >> s) & 3 for s in (6, 4, 2, 0))
        value = (data[b] & self.mask) >> self.shift
        return value % self.modulo if self.modulo else value

    def describe(self, value: object) -> str | None:
        """A human name for a value, if the field has names."""
        if self.kind == "notes" and isinstance(value, tuple):
            return ", ".join(tables.POSITIONS.get(v, f"unknown {v}") for v in value)
        if not isinstance(value, int):
            return None
        if self.describe_fn:
            return self.describe_fn(value)
        if self.table is not None:
            return self.table.get(value, f"unknown ({value})")
        return None

    # -- writing -------------------------------------------------------------------------

    def write(self, data: bytearray, value: object) -> None:
        """Store ``value`` (already parsed) into ``data``, touching only this field."""
        b = self.byte
        if self.kind == "name":
            if not isinstance(value, str):
                raise FieldError(f"{self.name} must be text, not {value!r}")
            data[b : b + NAME_LENGTH] = encode_name(value)
            return
        if self.kind == "notes":
            notes = tuple(value) if isinstance(value, list | tuple) else None
            if notes is None or len(notes) != 4 or any(n not in (0, 1, 2, 3) for n in notes):
                raise FieldError(f"{self.name} must be four positions 0-3, not {value!r}")
            data[b] = notes[0] << 6 | notes[1] << 4 | notes[2] << 2 | notes[3]
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError(f"{self.name} must be a whole number, not {value!r}")
        if not 0 <= value <= self.max_value:
            raise FieldError(f"{self.name} must be 0-{self.max_value}, not {value}")
        if self.kind == "u16":
            data[b : b + 2] = value.to_bytes(2, "big")
        elif self.modulo:
            base = data[b] - data[b] % self.modulo
            data[b] = base + value if base + value <= 0xFF else value
        else:
            data[b] = (data[b] & ~self.mask & 0xFF) | (value << self.shift)


FIELDS: tuple[Field, ...] = (
    Field("magic", "format marker (0x0E)", 0, source="observed constant"),
    Field("type", "message type", 1, "enum", describe_fn=tables.message_type_label,
          source="confirmed"),
    Field("device_id", "device ID", 2, "u16", source="confirmed",
          note="16-bit big-endian, stable per toy"),
    Field("character", "character", 4, "enum", table=tables.CHARACTERS,
          describe_fn=tables.character_label, source="confirmed"),
    Field("name", "name", 5, "name", source="confirmed"),
    Field("gender", "gender", 10, "enum", mask=0x01, table=tables.GENDERS, applies=is_hello),
    Field("initiator_flag", "b10 bit 1 (set by toys in message 1)", 10, mask=0x02,
          applies=is_hello, source="inference",
          note="set in every toy's message 1, clear in every message 2: a role flag?"),
    Field("visit_activity", "visit activity", 10, "enum", mask=0x03,
          table=tables.VISIT_ACTIVITIES, applies=_types(0x06, 0x07, 0x08, 0x09),
          note="message 4 usually echoes message 3"),
    Field("baby_gender", "baby gender", 11, "enum", table=tables.BABY_GENDERS,
          applies=_types(0x0A), source="EN"),
    Field("costume", "b12 bit 5 (clear: Nyatchi costume)", 12, "enum", mask=0x20,
          table={0: "Nyatchi costume", 1: "normal"}, applies=is_hello, source="TG, partial"),
    Field("care_rank", "b12 low bits (care rank?)", 12, mask=0x0F, applies=is_hello,
          source="EN, unconfirmed", note="EN: 0 normal/stubborn, 1 serious"),
    Field("child_tier", "child-stage tier", 13, applies=_types(0x0A), source="EN, unconfirmed"),
    Field("gift_item", "gift item", 14, "enum", table=tables.GIFT_ITEMS,
          describe_fn=tables.gift_label, applies=_types(0x05, 0x07), source="confirmed"),
    Field("pregift_activity", "pre-gift activity", 15, "enum", modulo=10,
          table=tables.PREGIFT_ACTIVITIES, applies=_types(0x05, 0x07), source="confirmed",
          note="the byte's value modulo 10"),
    Field("wager", "wager (Gotchi points)", 16, applies=_game(tables.GAME_POINTS),
          note="0-255; the toy shows at most 99 but credits the full amount"),
    Field("game_type", "game", 17, "enum", mask=0x07, table=tables.GAME_TYPES),
    Field("trumpet_first_note", "trumpet: first note", 17, "enum", mask=0xC0,
          table=tables.POSITIONS, applies=_game(tables.GAME_TRUMPET)),
    Field("game_choice", "balloon/building block: choice", 18, "enum",
          table=tables.POSITIONS, applies=_game(2, 5)),
    Field("game_meter", "ball/rope/RC car: meter fill (tentative)", 18,
          applies=_game(0, 3, 6), source="TG, tentative"),
    Field("points_winner", "points game: winner", 18, "enum", mask=0x01,
          table={0: "initiator", 1: "responder"}, applies=_game(tables.GAME_POINTS),
          note="even: initiator wins, odd: responder wins"),
    Field("trumpet_notes", "trumpet: notes 2-5", 18, "notes",
          applies=_game(tables.GAME_TRUMPET)),
    Field("checksum", "checksum", 19, source="confirmed"),
)  # fmt: skip

_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}


def field(name: str) -> Field:
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(_BY_NAME)
        raise FieldError(f"unknown field {name!r}; known fields: {known}") from None


def applicable(data: bytes) -> list[Field]:
    """The fields that mean something for this message's type."""
    return [f for f in FIELDS if f.applies(data)]


def _covered(data: bytes) -> list[int]:
    covered = [0] * len(data)
    for f in applicable(data):
        for i in f.bytes_used:
            covered[i] |= f.mask if f.kind in ("int", "enum") else 0xFF
    return covered


def unexplained_bytes(data: bytes) -> dict[int, int]:
    """Bytes (index -> value) not fully covered by an applicable field."""
    covered = _covered(data)
    return {i: data[i] for i in range(len(data)) if covered[i] != 0xFF}


def unexplained_bits(data: bytes) -> dict[int, int]:
    """Byte index -> mask of its bits that no applicable field explains.

    A byte that fields decode in part (gender in bit 0 of b10...) lists only the
    rest, so a person is not told a decoded byte is unknown.
    """
    covered = _covered(data)
    return {i: 0xFF & ~covered[i] for i in range(len(data)) if covered[i] != 0xFF}


# -- choices and parsing, for user interfaces -------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: int
    label: str


_CHOICE_TABLES: dict[str, Mapping[int, str]] = {
    "letter": GLYPHS,
    "message_type": {code: tables.message_type_label(code) for code in range(0x0C)},
}


def choices(name: str, *, untested: bool = False) -> list[Choice]:
    """Value/label pairs for a selector.

    ``name`` is an enum field (``character``, ``gift_item``, ``game_type`` ...), or
    ``letter`` for one name letter. With ``untested=True`` every byte value is
    listed (the toy's behaviour for the extra ones is unknown or a fallback).
    """
    if name in _CHOICE_TABLES:
        table = _CHOICE_TABLES[name]
        return [Choice(v, table[v]) for v in sorted(table)]
    f = field(name)
    if f.kind != "enum":
        raise FieldError(f"field {name!r} is a number, not a list of named values")
    values: list[int] = sorted(f.table or {})
    if untested or not values:
        values = list(range(f.max_value + 1))
    return [Choice(v, f.describe(v) or str(v)) for v in values]


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def parse_value(name: str, value: object) -> object:
    """Turn user input into a value :meth:`Field.write` accepts.

    Numbers may be ints or strings (``"40"``, ``"0x28"``); enum fields also take a
    name from their table, compared without case or punctuation (``"pipotchi"``,
    ``"spin-around"``); ``name`` takes text; ``trumpet_notes`` a list or a string
    such as ``"left,middle,right,left"``.
    """
    f = field(name)
    if f.kind == "name":
        if not isinstance(value, str):
            raise FieldError(f"{name} must be text, not {value!r}")
        return value
    if f.kind == "notes":
        if isinstance(value, str):
            value = [parse_position(part) for part in re.split(r"[\s,;/]+", value.strip())]
        return tuple(value) if isinstance(value, list | tuple) else value
    if isinstance(value, bool):
        raise FieldError(f"{name} must be a number, not {value!r}")
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        raise FieldError(f"{name} must be a number or a name, not {value!r}")
    text = value.strip()
    try:
        return int(text, 0)
    except ValueError:
        pass
    if f.kind == "enum":
        wanted = _normalise(text)
        table = dict(f.table or {})
        if f.describe_fn and not table:
            table = {v: f.describe_fn(v) for v in range(f.max_value + 1)}
        exact = [v for v, label in table.items() if wanted and _normalise(label) == wanted]
        if exact:
            return exact[0]  # e.g. "Nazotchi" is both 0 and 33: take the first
        prefix = [v for v, lbl in table.items() if wanted and _normalise(lbl).startswith(wanted)]
        if len(prefix) == 1:
            return prefix[0]
        if prefix:
            names = ", ".join(table[v] for v in prefix[:6])
            raise FieldError(f"{text!r} is ambiguous for {f.label}: {names} ...")
        if len(table) <= 12:
            hint = "choose from " + ", ".join(table.values())
        else:
            hint = f"give a name or a code 0-{f.max_value}"
        raise FieldError(f"{text!r} is not a known {f.label}; {hint}")
    raise FieldError(f"{name} must be a number, not {text!r}")


def parse_code(name: str, value: object) -> int:
    """:func:`parse_value` for a numeric field: always an ``int`` (or FieldError)."""
    parsed = parse_value(name, value)
    if not isinstance(parsed, int):
        raise FieldError(f"{name} must be a number or a name, not {value!r}")
    return parsed


def parse_position(text: str) -> int:
    wanted = _normalise(text)
    for value, label in tables.POSITIONS.items():
        if wanted in (label, str(value)):
            return value
    raise FieldError(f"{text!r} is not a position (left, middle or right)")
