"""Name tables for the coded fields of a Connection 2024 message (SPEC.md §2.4).

Written from the prose of SPEC.md, not copied from any data file. Where SPEC.md only
gives a range ("36-77 snacks") the entries get a descriptive placeholder such as
``"snack #40"``, so a selector can still offer every value the toy is known to accept
without pretending to know a name nobody wrote down.
"""

from __future__ import annotations

# -- name letters (b5..b9) -------------------------------------------------------------

BLANK_LETTER = 0xA0

LETTERS: dict[int, str] = {i: chr(ord("A") + i) for i in range(26)}
LETTERS.update(
    {
        122: "!",
        123: "?",
        124: "&",
        125: "o",  # a circle
        126: "x",
        127: "\u2665",  # heart
        128: "\u273f",  # flower
        129: "\u2605",  # star
        130: "@",
        131: "\u266a",  # note
        132: "\u26f6",  # square
        133: "\u2191",
        134: "\u2193",
        135: "\u2192",
        136: "\u2190",
        BLANK_LETTER: "_",
    }
)

# Extra spellings accepted when a user types a name (never produced on output).
# Lower-case a-z are read as capitals (see fields.encode_name), so "o" and "x"
# type O and X; people write the circle, cross and square as shown by
# fields.GLYPHS (U+26F6 is unreadable in most fonts).
LETTER_ALIASES: dict[str, int] = {
    " ": BLANK_LETTER,
    "\u25cb": 125,  # white circle
    "\u00d7": 126,  # multiplication sign
    "*": 129,
    "\u25a1": 132,  # white square
}

LETTER_CODES: dict[str, int] = {glyph: code for code, glyph in LETTERS.items()}
LETTER_CODES.update(LETTER_ALIASES)

# -- characters (b4) -------------------------------------------------------------------

CHARACTERS: dict[int, str] = dict(
    enumerate(
        [
            "Nazotchi",
            "Kuroteletchi",
            "Shiroteletchi",
            "Tamatchi",
            "Mizutamatchi",
            "Kuchitamatchi",
            "Mohitamatchi",
            "Obotchi",
            "Young Mametchi",
            "Batabatchi",
            "Ichigotchi",
            "Nikatchi",
            "Pirorirotchi",
            "Hikotchi",
            "Hinatchi",
            "Young Mimitchi",
            "Ringotchi",
            "Hinotamatchi",
            "Hashitamatchi",
            "Mametchi",
            "Flowertchi",
            "Pyonkotchi",
            "Kuchipatchi",
            "Memetchi",
            "Billotchi",
            "Tarakotchi",
            "Paparatchi",
            "Mimiyoritchi",
            "Hanatchi",
            "Hashizotchi",
            "Tsunotchi",
            "Masktchi",
            "Megatchi",
            "Nazotchi",
            "Mimitchi",
            "ChoMametchi",
            "Decotchi",
            "Hidatchi",
            "Debatchi",
            "Bunbuntchi",
            "Pipotchi",
            "Dorotchi",
            "Bill",
            "Robotchi",
            "Wooltchi",
            "Teketchi",
            "Gozarutchi",
            "Warusotchi",
            "Sekitoritchi",
            "Oyajitchi",
            "Ojitchi",
            "Otokitchi",
            "Nyatchi",
            "Hohotchi",
        ]
    )  # fmt: skip
)
CHARACTER_FALLBACK = range(54, 64)  # the toy shows its fallback character for these


def character_label(code: int) -> str:
    if code in CHARACTERS:
        return CHARACTERS[code]
    if code in CHARACTER_FALLBACK:
        return f"fallback character #{code} (shows Nazotchi)"
    return f"untested character #{code}"


# -- gift items (b14 of message 4) -----------------------------------------------------

_FOODS = [
    "Scone", "Sushi", "Bread", "Cereal", "Omelet", "Milk", "Hamburger", "BBQ",
    "Sandwich", "Beef bowl", "Cheese", "Pizza", "Steak", "Taco", "Sausage on stick",
    "Hot dog", "Pasta", "Corn", "Turkey", "Noodle", "Fried chicken", "Waffle",
    "Choco bar", "Escargot", "Octopus sausage", "Chikuwa", "Rice ball", "Curry",
    "Kobu maki", "Umeboshi", "Natto", "Fried shrimp", "Takoyaki", "Oyster", "Naruto",
    "Pig's feet",
]  # fmt: skip

_NAMED_GIFTS: dict[int, str] = {
    **dict(enumerate(_FOODS)),
    36: "Cone",
    77: "Water",
    78: "Ball",
    **{104 + i: f"Ticket {i + 1} (unlocks souvenir {10 + i})" for i in range(5)},
    109: "Doll 1",
    125: "! ! (clones the pet)",
    126: "Balloon",
    127: "Rope",
    128: "Doll 2",
    129: "Tama drink",
    130: "Castle",
    131: "Shaver",
    **{
        132 + i: f"{name} (animation only)"
        for i, name in enumerate(
            ["Cone", "Flower", "Poop", "Jack-in-the-box", "Cake", "Heart", "Snake"]
        )
    },
    139: "Nothing",
    140: "Ghost (animation only)",
    141: "Sickness (makes the recipient sick)",
    142: "Passport (not saved)",
    **dict(
        enumerate(
            [
                "Diamond ring",
                "Cape",
                "Crown",
                "Skateboard",
                "3 balloons",
                "Baseball cap",
                "Teddy bear",
                "Rare CD",
                "Rare shoes",
                "Poster 1",
                "Poster 2",
                "Poster 3",
                "Microphone",
                "Suitcase",
                "Trophy",
                "Famous picture",
                "Small crown",
                "Glasses",
                "Sword",
                "Camera",
                "Heart key",
                "Sparkly heart",
                "Sparkly star",
                "M ball",
                "Heart ring",
            ],
            start=156,
        )
    ),  # fmt: skip
}


def _gift_placeholder(code: int) -> str:
    if 36 <= code <= 77:
        return f"snack #{code}"
    if 78 <= code <= 131:
        return f"toy/item #{code}"
    if 143 <= code <= 155:
        return f"travel item or souvenir #{code} (not saved)"
    if code <= 255:
        return f"scone, not saved (#{code})"
    raise ValueError(code)


GIFT_ITEMS: dict[int, str] = {
    code: _NAMED_GIFTS.get(code) or _gift_placeholder(code) for code in range(181)
}
GIFT_ITEM_MAX_KNOWN = 180  # 181..255 give a scone that is not kept


def gift_label(code: int) -> str:
    return GIFT_ITEMS.get(code) or _gift_placeholder(code)


# -- small enumerations ----------------------------------------------------------------

PREGIFT_ACTIVITIES: dict[int, str] = dict(
    enumerate(
        [
            "look at windows",
            "video games",
            "look at flowers",
            "look at stars",
            "look at the moon",
            "sunrise or sunset",
            "fireplace and Christmas tree",
            "snowmen",
            "ocean with clouds or mountains",
            "two chairs and cake",
        ]
    )  # fmt: skip
)

GAME_TYPES: dict[int, str] = {
    0: "Ball",
    1: "??? (unknown game)",
    2: "Balloon",
    3: "Rope",
    4: "Trumpet",
    5: "Building block",
    6: "RC car",
    7: "Points",
}
GAME_POINTS = 7
GAME_TRUMPET = 4

VISIT_ACTIVITIES: dict[int, str] = {0: "Scale", 1: "Spin around", 2: "Ball", 3: "Music"}

GENDERS: dict[int, str] = {0: "boy", 1: "girl"}
BABY_GENDERS: dict[int, str] = {1: "boy", 2: "girl"}

# Positions used by the choice games (balloon, building block) and trumpet notes.
POSITIONS: dict[int, str] = {0: "left", 1: "middle", 2: "right"}

# -- message types (b1) ----------------------------------------------------------------

HELLO_INITIATOR = 0x00
HELLO_RESPONDER = 0x01

ACTIVITIES: dict[int, str] = {
    0x02: "game",
    0x04: "gift",
    0x06: "gift+visit",
    0x08: "visit",
    0x0A: "marriage",
}
ACTIVITY_CODES: dict[str, int] = {name: code for code, name in ACTIVITIES.items()}


def message_type_label(code: int) -> str:
    if code == HELLO_INITIATOR:
        return "message 1 (initiator profile)"
    if code == HELLO_RESPONDER:
        return "message 2 (responder profile)"
    if code in ACTIVITIES:
        return f"message 3 ({ACTIVITIES[code]} request)"
    if code - 1 in ACTIVITIES:
        return f"message 4 ({ACTIVITIES[code - 1]} reply)"
    return f"unknown type 0x{code:02X}"
