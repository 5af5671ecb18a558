"""The IR lab's answers as models, for the OpenAPI document (the routes are in ``ir.py``).

The shapes are made by :mod:`pygotchi.server.irframes` (one frame shape, one
conversation shape everywhere); these models describe them. ``fields`` is the
toolkit's interpretation of a message and varies with its type, so it stays an
object of named values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Frame(BaseModel):
    """One frame, decoded; or, with ``error`` set, why some input was not a frame."""

    model_config = ConfigDict(extra="allow")

    source: str | None = Field(None, description="where in the input (decode and import)")
    format: Literal["2024", "legacy"] | None
    hex: str | None
    bits: str | None
    length: int | None = None
    checksum: int | None = None
    expected_checksum: int | None = None
    checksum_ok: bool | None
    role: int | None = Field(None, description="1-4 for Connection 2024 messages")
    summary: str | None = None
    fields: dict[str, Any] | None
    error: str | None
    error_kind: str | None = None
    error_index: int | None = None


class Issue(BaseModel):
    severity: Literal["error", "warning"]
    message: int | None = Field(description="1-4, or null for the conversation as a whole")
    text: str


class ConversationOut(BaseModel):
    activity: str | None
    complete: bool
    consistent: bool
    issues: list[Issue]
    frames: list[Frame | None] | None = Field(None, description="four slots, null when "
                                                                "missing")


class Loaded(BaseModel):
    """Everything decoded from some input."""

    kind: str = Field(description="what the input was: tgir, flipper, hex, bits, ...")
    frames: list[Frame]
    conversations: list[ConversationOut]
    notes: list[str] = Field(description="input skipped on purpose, and why")


class Encoded(BaseModel):
    frames: list[Frame]
    conversation: ConversationOut | None
    name: str


class ItemBrief(BaseModel):
    """A saved conversation (four slots) or list of frames, as listed."""

    id: int
    name: str
    notes: str
    kind: Literal["conversation", "frames"]
    source: str
    count: int = Field(description="frames or messages present")
    created_at: str
    updated_at: str
    activity: str | None
    consistent: bool | None


class Item(ItemBrief):
    """A saved item with its frames (null for an empty conversation slot)."""

    frames: list[Frame | None]
    conversation: ConversationOut | None


class Imported(BaseModel):
    items: list[ItemBrief]
    notes: list[str]


class Choice(BaseModel):
    value: int
    label: str


class FieldInfo(BaseModel):
    name: str
    label: str
    kind: str
    byte: int
    bytes: list[int]
    mask: int
    bits: list[int]
    max: int | None
    source: str | None
    note: str | None
    choices: list[Choice] | None


class Fields(BaseModel):
    fields: list[FieldInfo]
    letters: list[Choice]
    name_hint: str = Field(description="the letters a toy's name may use, for a person")


class Port(BaseModel):
    model_config = ConfigDict(extra="allow")

    device: str
    description: str
    guess: str = Field(description="pico, flipper, fake or unknown")
    usable: bool = Field(description="whether you may open it")


class Busy(BaseModel):
    id: str | None = Field(description="the session's id, for its owner and administrators")
    mode: str
    port: str
    started_at: float
    yours: bool


class Ports(BaseModel):
    ports: list[Port]
    fake: bool
    busy: Busy | None


class SessionEvent(BaseModel):
    n: int
    kind: str = Field(description="sent, received, ignored, waiting...")
    text: str
    at: float
    frame: Frame | None


class SessionResult(BaseModel):
    frames: list[Frame]
    conversations: list[ConversationOut] | None = None
    conversation: ConversationOut | None = None


class SessionView(BaseModel):
    id: str
    mode: Literal["snoop", "send", "initiate", "respond"]
    port: str
    status: Literal["pending", "running", "done", "failed", "cancelled"]
    started_at: float
    finished_at: float | None
    events: list[SessionEvent]
    next: int = Field(description="ask for events from this number next time")
    result: SessionResult | None
    error: str | None
