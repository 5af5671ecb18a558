"""Conversations: the four messages of one visit, gift or game (SPEC.md §2.2).

The initiator sends messages 1 and 3, the responder 2 and 4. A conversation may be
incomplete (a demo that only holds the initiator's side, a recording that missed a
frame); :meth:`Conversation.check` reports what is wrong with what is there, as
errors (a toy would show FAIL) or warnings (unusual, but seen in real data).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pygotchi.ir.errors import ConversationError, DecodeError, FileFormatError, IrError
from pygotchi.ir.frame import MAGIC_2024
from pygotchi.ir.message import Message

SENDERS = {1: "initiator", 2: "responder", 3: "initiator", 4: "responder"}
ROLE_TITLES = {
    1: "initiator's profile",
    2: "responder's profile",
    3: "initiator's request",
    4: "responder's reply",
}


@dataclass(frozen=True)
class Issue:
    severity: str  # "error" or "warning"
    message: int | None  # 1-4, or None for the conversation as a whole
    text: str

    def __str__(self) -> str:
        where = f"message {self.message}: " if self.message else ""
        return f"{self.severity}: {where}{self.text}"


Slots = tuple[Message | None, ...]  # exactly four, checked on creation


@dataclass(frozen=True)
class Conversation:
    messages: Slots = (None, None, None, None)
    name: str = ""
    timestamp: int | None = None  # ms since the Unix epoch, as Tamagometer stores it

    def __post_init__(self) -> None:
        msgs = tuple(self.messages)
        if len(msgs) != 4 or any(m is not None and not isinstance(m, Message) for m in msgs):
            raise ConversationError("a conversation holds exactly four messages (or None)")
        object.__setattr__(self, "messages", msgs)

    @classmethod
    def of(cls, *messages: Message | None, name: str = "", timestamp: int | None = None):
        padded = (list(messages) + [None] * 4)[:4]
        return cls(tuple(padded), name, timestamp)

    def __getitem__(self, number: int) -> Message | None:
        """``conv[1]`` ... ``conv[4]``: messages by their conversation number."""
        if number not in (1, 2, 3, 4):
            raise IndexError("messages are numbered 1-4")
        return self.messages[number - 1]

    def with_message(self, number: int, message: Message | None) -> Conversation:
        msgs = list(self.messages)
        msgs[number - 1] = message
        return replace(self, messages=tuple(msgs))

    @property
    def complete(self) -> bool:
        return all(m is not None for m in self.messages)

    @property
    def activity(self) -> str | None:
        for m in (self[3], self[4]):
            if m is not None and m.activity:
                return m.activity
        return None

    # -- consistency ----------------------------------------------------------------------

    def check(self) -> list[Issue]:
        issues: list[Issue] = []

        def add(severity: str, number: int | None, text: str) -> None:
            issues.append(Issue(severity, number, text))

        for n in (1, 2, 3, 4):
            m = self[n]
            if m is None:
                continue
            if not m.checksum_ok:
                add("error", n, f"bad checksum (byte 19 should be {m.frame.expected_checksum:02X})")
            if m.data[0] != MAGIC_2024:
                add("error", n, f"first byte is {m.data[0]:02X}, every 2024 frame has 0E")
            if m.role != n:
                add("error", n, f"type 0x{m.type:02X} is not a {ROLE_TITLES[n]}")
        m1, m2, m3, m4 = self.messages
        if m3 is not None and m4 is not None and m4.type != (m3.type + 1) & 0xFF:
            add(
                "error",
                4,
                f"type 0x{m4.type:02X} does not answer message 3's 0x{m3.type:02X} "
                f"(expected 0x{m3.type + 1:02X})",
            )
        for a, b, who in ((m1, m3, "initiator"), (m2, m4, "responder")):
            if a is None or b is None:
                continue
            na, nb = (1, 3) if who == "initiator" else (2, 4)
            if a.device_id != b.device_id:
                add(
                    "error",
                    nb,
                    f"device ID {b.device_id:04X} differs from message {na}'s "
                    f"{a.device_id:04X} (the {who} must keep its ID)",
                )
            if a.data[4:10] != b.data[4:10]:
                add("warning", nb, f"character or name differs from message {na}")
        if m1 is not None and m2 is not None and m1.device_id == m2.device_id:
            add("warning", 2, f"both sides use device ID {m1.device_id:04X}")
        for a, b, na, nb in ((m1, m2, 1, 2), (m3, m4, 3, 4)):
            if a is not None and b is not None and (a.data[17] ^ b.data[17]) & 0x07:
                add("warning", nb, f"game type bits differ from message {na}")
        return issues

    @property
    def consistent(self) -> bool:
        return not any(i.severity == "error" for i in self.check())

    # -- storage --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON for storage and display; :meth:`from_dict` reads it back."""
        issues = self.check()
        return {
            "name": self.name,
            "timestamp": self.timestamp,
            "activity": self.activity,
            "messages": [m.to_dict() if m else None for m in self.messages],
            "consistent": not any(i.severity == "error" for i in issues),
            "issues": [
                {"severity": i.severity, "message": i.message, "text": i.text} for i in issues
            ],
        }

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> Conversation:
        """From :meth:`to_dict` output or a Tamagometer ``.tgir`` object."""
        if not isinstance(obj, Mapping):
            raise FileFormatError(f"a conversation must be a JSON object, not {obj!r}")
        if "messages" not in obj and any(f"message{n}" in obj for n in (1, 2, 3, 4)):
            return cls.from_tgir(obj)
        raw = obj.get("messages")
        if not isinstance(raw, list) or len(raw) != 4:
            raise FileFormatError("'messages' must be a list of four messages (or null)")
        msgs = []
        for n, item in enumerate(raw, 1):
            try:
                msgs.append(None if item is None else Message.from_dict(item))
            except IrError as exc:
                raise FileFormatError(f"message {n}: {exc}") from exc
        return cls(tuple(msgs), str(obj.get("name") or ""), _timestamp(obj.get("timestamp")))

    def to_tgir(self) -> dict[str, Any]:
        """One element of a Tamagometer export (all four messages are required)."""
        if not self.complete:
            missing = [str(n) for n in (1, 2, 3, 4) if self[n] is None]
            raise ConversationError(
                f"conversation {self.name!r} lacks message {', '.join(missing)}; "
                "Tamagometer only stores complete conversations"
            )
        out: dict[str, Any] = {f"message{n}": m.bits for n, m in enumerate(self.messages, 1) if m}
        out["name"] = self.name
        out["timestamp"] = self.timestamp if self.timestamp is not None else now_ms()
        return out

    @classmethod
    def from_tgir(cls, obj: Mapping[str, Any]) -> Conversation:
        """One element of a ``.tgir`` array; unknown keys (``id``...) are ignored."""
        msgs: list[Message | None] = []
        for n in (1, 2, 3, 4):
            bits = obj.get(f"message{n}")
            if bits is None:
                msgs.append(None)
                continue
            if not isinstance(bits, str):
                raise FileFormatError(f"message{n} must be a string of 160 bits, not {bits!r}")
            try:
                msgs.append(Message.from_bits(bits))
            except DecodeError as exc:
                raise FileFormatError(f"message{n}: {exc}") from exc
        return cls(tuple(msgs), str(obj.get("name") or ""), _timestamp(obj.get("timestamp")))

    def summary(self) -> list[str]:
        lines = [f"{self.name or '(unnamed)'}: {self.activity or 'unknown activity'}"]
        for n in (1, 2, 3, 4):
            m = self[n]
            lines.append(f"  {n} {SENDERS[n]:9} " + (m.summary() if m else "(missing)"))
        lines += [f"  {issue}" for issue in self.check()]
        return lines


def now_ms() -> int:
    return int(time.time() * 1000)


def _timestamp(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FileFormatError(f"timestamp must be milliseconds since 1970, not {value!r}")
    return int(value)


def group_conversations(messages: Iterable[Message], name: str = "") -> list[Conversation]:
    """Arrange a stream of received messages (a snoop) into conversations.

    Retries and the usual double message 4 collapse into one slot; a message 1 after
    a later slot was filled starts a new conversation. Messages whose type implies
    no position are skipped.
    """
    out: list[Conversation] = []
    slots: list[Message | None] = [None] * 4

    def flush() -> None:
        if any(slots):
            label = f"{name} {len(out) + 1}".strip() if name else ""
            out.append(Conversation(tuple(slots), label, now_ms()))

    for m in messages:
        role = m.role
        if role is None or slots[role - 1] == m:
            continue
        if any(slots[role:]):
            flush()
            slots = [None] * 4
        slots[role - 1] = m
    flush()
    return out
