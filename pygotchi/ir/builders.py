"""Build valid messages and whole conversations from a high-level description.

"Who I am" is an :class:`Identity` (name, character, gender, device ID); "what
happens" is a :class:`Visit`, :class:`Gift`, :class:`Game` or :class:`Marriage`.
The builders fill the known fields, copy what the protocol says must match (IDs,
name and character in both of a sender's messages, game bits across a pair, type
+ 1 in the reply), mimic what real toys put in the bytes nobody understands yet
(b10 bit 1 set in message 1, b12 = 0x20 "no costume") and always finish with a
correct checksum.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pygotchi.ir import fields as F
from pygotchi.ir import tables
from pygotchi.ir.conversation import Conversation, now_ms
from pygotchi.ir.errors import FieldError
from pygotchi.ir.message import Message

DEFAULT_COSTUME_BYTE = 0x20  # b12 of every toy profile seen without the Nyatchi costume


@dataclass(frozen=True)
class Identity:
    """A (real or virtual) toy: what goes into its profile and its name bytes.

    ``device_id=None`` draws a random ID when the identity is created, so every
    message built from the same identity carries the same ID. ``extra`` holds
    additional field values for the profile message (e.g. ``{"care_rank": 1}``) and
    ``raw`` byte overrides (index -> value) for experiments with the unknown bytes.
    """

    name: str = "PYGO"
    character: int | str = "Mametchi"
    gender: int | str = "boy"
    device_id: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    raw: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.device_id is None:
            object.__setattr__(self, "device_id", random.randrange(0x10000))
        elif not 0 <= int(self.device_id) <= 0xFFFF:
            raise FieldError(f"device ID must be 0-65535, not {self.device_id}")

    def _stamp(self, msg: Message) -> Message:
        """Write this toy's ID, character and name into a message."""
        return msg.replace(device_id=self.device_id, character=self.character, name=self.name)

    @classmethod
    def from_message(cls, msg: Message) -> Identity:
        """The identity a received profile shows (used to impersonate or answer)."""
        gender = msg.get("gender") if msg.role in (1, 2) else 0
        return cls(msg.name, msg.character, gender, msg.device_id)


@dataclass(frozen=True)
class Visit:
    activity: int | str = "Music"


@dataclass(frozen=True)
class Gift:
    """A gift: the *initiator receives* ``item``, chosen in the responder's message 4."""

    item: int | str = "Hamburger"
    pregift: int | str = 0
    with_visit: bool = False
    visit_activity: int | str = 0


@dataclass(frozen=True)
class Game:
    """A game; ``data`` is b18 as is, or use ``winner``/``choice``/``notes``."""

    game: int | str = "Points"
    wager: int = 0
    winner: str | int | None = None  # points game: "initiator" or "responder"
    choice: int | str | None = None  # balloon/building block: left, middle, right
    notes: tuple[int, int, int, int] | str | None = None  # trumpet notes 2-5
    first_note: int | str | None = None  # trumpet note 1 (b17 bits 7..6)
    data: int | None = None

    @property
    def game_code(self) -> int:
        return F.parse_code("game_type", self.game)


@dataclass(frozen=True)
class Marriage:
    baby_gender: int | str = "girl"
    child_tier: int = 0


Activity = Visit | Gift | Game | Marriage


def _game_bits(activity: Activity | None) -> int:
    return activity.game_code if isinstance(activity, Game) else 0


def build_profile(identity: Identity, number: int, *, game_type: int | str = 0) -> Message:
    """Message 1 (``number=1``, initiator) or 2 (responder) for ``identity``."""
    if number not in (1, 2):
        raise FieldError(f"a profile is message 1 or 2, not {number}")
    msg = Message.blank(number - 1)
    values: dict[str, Any] = {
        "gender": identity.gender,
        "initiator_flag": 1 if number == 1 else 0,
        "costume": 1,
        "game_type": game_type,
        **identity.extra,
    }
    msg = identity._stamp(msg).with_fields(values)
    if identity.raw:
        data = bytearray(msg.data)
        for index, value in identity.raw.items():
            if not (2 <= index <= 18 and 0 <= value <= 255):
                raise FieldError(f"raw override b{index}={value} is not a byte in b2..b18")
            data[index] = value
        msg = Message.from_bytes(data).fixed()
    return msg


def build_request(identity: Identity, activity: Activity) -> Message:
    """Message 3: the initiator asks for ``activity``."""
    if isinstance(activity, Visit):
        msg = Message.blank(0x08).replace(visit_activity=activity.activity)
    elif isinstance(activity, Gift):
        if activity.with_visit:
            msg = Message.blank(0x06).replace(visit_activity=activity.visit_activity)
        else:
            msg = Message.blank(0x04)
    elif isinstance(activity, Game):
        msg = _game_request(activity)
    elif isinstance(activity, Marriage):
        msg = Message.blank(0x0A).replace(
            baby_gender=activity.baby_gender, child_tier=activity.child_tier
        )
    else:
        raise FieldError(f"unknown activity {activity!r}")
    return identity._stamp(msg)


def _game_request(game: Game) -> Message:
    msg = Message.blank(0x02).replace(game_type=game.game_code, wager=game.wager)
    values: dict[str, Any] = {}
    if game.data is not None:
        values["game_meter"] = game.data  # the whole of b18
    if game.winner is not None:
        values["points_winner"] = game.winner
    if game.choice is not None:
        values["game_choice"] = game.choice
    if game.notes is not None:
        values["trumpet_notes"] = game.notes
    if game.first_note is not None:
        values["trumpet_first_note"] = game.first_note
    return msg.with_fields(values)


def build_reply(identity: Identity, request: Message, gift: Gift | None = None) -> Message:
    """Message 4: the responder answers ``request`` (type + 1, parameters echoed).

    For a gift request ``gift`` says what the initiator receives (default: a hamburger).
    """
    if request.role != 3:
        raise FieldError(
            f"message 4 answers a message 3; got type 0x{request.type:02X} "
            f"({F.field('type').describe(request.type)})"
        )
    msg = Message.blank(request.type + 1)
    values: dict[str, Any] = {"game_type": request.get("game_type")}
    activity = request.activity
    if activity in ("visit", "gift+visit"):
        values["visit_activity"] = request.get("visit_activity")
    if activity in ("gift", "gift+visit"):
        gift = gift or Gift()
        values["gift_item"] = gift.item
        values["pregift_activity"] = gift.pregift
    if activity == "game":
        values["trumpet_first_note"] = request.get("trumpet_first_note")
    return identity._stamp(msg).with_fields(values)


def build_answer(identity: Identity, incoming: Message, gift: Gift | None = None) -> Message:
    """What a responder sends after ``incoming``: message 2 after 1, message 4 after 3."""
    if incoming.role == 1:
        return build_profile(identity, 2, game_type=incoming.get("game_type"))
    return build_reply(identity, incoming, gift)


def build_conversation(
    initiator: Identity,
    responder: Identity,
    activity: Activity,
    *,
    name: str = "",
    timestamp: int | None = None,
) -> Conversation:
    """All four messages of ``activity`` between two identities."""
    game = _game_bits(activity)
    m1 = build_profile(initiator, 1, game_type=game)
    m2 = build_profile(responder, 2, game_type=game)
    m3 = build_request(initiator, activity)
    m4 = build_reply(responder, m3, activity if isinstance(activity, Gift) else None)
    label = name or describe_activity(activity)
    return Conversation((m1, m2, m3, m4), label, now_ms() if timestamp is None else timestamp)


def describe_activity(activity: Activity) -> str:
    if isinstance(activity, Visit):
        value = F.parse_code("visit_activity", activity.activity)
        return f"visit ({tables.VISIT_ACTIVITIES.get(value, value)})"
    if isinstance(activity, Gift):
        item = F.parse_code("gift_item", activity.item)
        return f"gift of {tables.gift_label(item)}"
    if isinstance(activity, Game):
        return f"{tables.GAME_TYPES[activity.game_code]} game"
    return "marriage"
