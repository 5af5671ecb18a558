"""The IR lab: saved conversations and frames, decode/encode/edit tools, and sessions on
the server's transceiver (API.md, "IR lab").

Saved items belong to one user: an unknown id and someone else's item give the
same 404, as pets do. The tools store nothing. Sessions hold the one physical
transceiver, so only one runs at a time server-wide (409 ``busy``); they run in
worker threads (:mod:`pygotchi.server.irlab`) and are read by long polling.
"""

from __future__ import annotations

import asyncio
import json
import unicodedata
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from pygotchi.ir import fields as F
from pygotchi.ir.builders import (
    Activity,
    Game,
    Gift,
    Identity,
    Marriage,
    Visit,
    build_answer,
    build_conversation,
)
from pygotchi.ir.conversation import Conversation
from pygotchi.ir.errors import IrError
from pygotchi.ir.files import dumps_tgir, frames_to_flipper
from pygotchi.ir.loader import Loaded, load_text
from pygotchi.ir.message import Message
from pygotchi.server.api import irmodels as irm
from pygotchi.server.api.deps import ID_LIMIT, DbId, services
from pygotchi.server.auth import CurrentUser, Principal
from pygotchi.server.downloads import attachment, safe_filename
from pygotchi.server.errors import ApiError, not_found
from pygotchi.server.irframes import (
    check_field_names,
    conversation_json,
    conversation_of,
    error_json,
    fields_json,
    flip_bits,
    frame_json,
    parse_frame,
    parse_message,
    stored_frame,
    user_errors,
)
from pygotchi.server.irlab import DEFAULT_SECONDS, IrLab, LabSession, Plan
from pygotchi.server.logs import event
from pygotchi.server.romlib import iso
from pygotchi.server.schemas import SIGNED_IN, Body, errors
from pygotchi.server.uploads import read_upload
from pygotchi.store import ir as ir_store
from pygotchi.store.models import IR_CONVERSATION, IR_SOURCES, IrItem

router = APIRouter(prefix="/api/ir", tags=["ir"], responses=SIGNED_IN)

MAX_NAME = 100
MAX_NOTES = 2000
MAX_FRAMES = 64  # in one saved "frames" item
MAX_IMPORTED_ITEMS = 200  # conversations in one .tgir import
POLL_STEP = 0.1

FrameText = Annotated[str, Field(max_length=4000)]
Source = Literal[IR_SOURCES]  # type: ignore[valid-type]

_FILE_OR_JSON = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "properties": {
        "text": {"type": "string"}, "name": {"type": "string"},
        "messages": {"type": "array", "items": {"type": ["string", "null"]}}}}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}, "name": {"type": "string"}}}},
}}}


# -- request bodies ------------------------------------------------------------------------


class NewItem(Body):
    name: str = Field(max_length=300)
    notes: str = Field("", max_length=MAX_NOTES)
    kind: Literal["conversation", "frames"] = "conversation"
    source: Source = "edited"
    frames: list[FrameText | None] = Field(min_length=1, max_length=MAX_FRAMES,
                                           description="hex or bits; conversation: 4 slots")


class ItemChange(Body):
    name: str | None = Field(None, max_length=300)
    notes: str | None = Field(None, max_length=MAX_NOTES)
    kind: Literal["conversation", "frames"] | None = None
    frames: list[FrameText | None] | None = Field(None, min_length=1, max_length=MAX_FRAMES)


class IdentityIn(Body):
    name: str = Field("PYGO", max_length=40)
    character: int | str = Field("Mametchi", description="name or code 0-255")
    gender: int | str = "boy"
    device_id: int | None = Field(None, ge=0, le=0xFFFF, description="default: random")

    def build(self) -> Identity:
        return Identity(self.name, self.character, self.gender, self.device_id)


class GiftIn(Body):
    item: int | str = "Hamburger"
    pregift: int | str = 0


class ActivityIn(Body):
    """What happens: ``kind`` picks which of the other keys matter."""

    kind: Literal["visit", "gift", "game", "marriage"] = "visit"
    activity: int | str = Field("Music", description="visit: Scale, Spin around, Ball, Music")
    item: int | str = Field("Hamburger", description="gift: what the initiator receives")
    pregift: int | str = 0
    with_visit: bool = False
    visit_activity: int | str = 0
    game: int | str = "Points"
    wager: int = Field(0, ge=0, le=255)
    winner: int | str | None = None
    choice: int | str | None = None
    notes: str | list[int] | None = None
    first_note: int | str | None = None
    data: int | None = Field(None, ge=0, le=255)
    baby_gender: int | str = "girl"
    child_tier: int = Field(0, ge=0, le=255)

    def build(self) -> Activity:
        if self.kind == "visit":
            return Visit(self.activity)
        if self.kind == "gift":
            return Gift(self.item, self.pregift, self.with_visit, self.visit_activity)
        if self.kind == "game":
            notes = tuple(self.notes) if isinstance(self.notes, list) else self.notes
            return Game(self.game, self.wager, self.winner, self.choice, notes,  # type: ignore
                        self.first_note, self.data)
        return Marriage(self.baby_gender, self.child_tier)


class BuildIn(Body):
    initiator: IdentityIn = Field(default_factory=IdentityIn)
    responder: IdentityIn = Field(
        default_factory=lambda: IdentityIn(name="PEER", character="Kuchipatchi"))
    activity: ActivityIn = Field(default_factory=ActivityIn)


class AnswerIn(Body):
    identity: IdentityIn = Field(default_factory=IdentityIn)
    incoming: FrameText = Field(description="the toy's message 1 or 3 (hex or bits)")
    gift: GiftIn | None = None


class EncodeIn(Body):
    build: BuildIn | None = Field(None, description="a whole conversation from who and what")
    fields: dict[str, Any] | list[dict[str, Any]] | None = Field(
        None, description="one message (or a list) from field values on a blank message")
    answer: AnswerIn | None = Field(None, description="what a responder sends after a message")


class EditIn(Body):
    frame: FrameText
    format: Literal["2024", "legacy"] | None = None
    set: dict[str, Any] | None = Field(None, description="field values to write")
    flip: list[int] = Field(default_factory=list, max_length=256,
                            description="bit positions to invert, 0 = first on air")
    fix_checksum: bool | None = Field(
        None, description="recompute the checksum; default: yes after `set`, no after `flip`")


class DecodeIn(Body):
    text: str | None = None
    messages: list[FrameText | None] | None = Field(None, min_length=4, max_length=4)


class ImportIn(Body):
    text: str
    name: str | None = Field(None, max_length=300)


class SessionIn(Body):
    mode: Literal["snoop", "send", "initiate", "respond"]
    port: str | None = Field(None, max_length=300, description="default: the likely port")
    kind: Literal["auto", "pico", "flipper", "flipper-enhanced"] = "auto"
    frames: list[FrameText] | None = Field(None, min_length=1, max_length=8)
    item_id: int | None = Field(None, ge=1, lt=ID_LIMIT)
    messages: list[Annotated[int, Field(ge=1, le=64)]] | None = Field(None, min_length=1,
                                                                       max_length=4)
    identity: IdentityIn | None = None
    gift: GiftIn | None = None
    max_frames: int | None = Field(None, ge=1, le=1000)
    repeat: int = Field(1, ge=1, le=10)
    attempts: int = Field(3, ge=1, le=20)
    seconds: float | None = Field(None, gt=0, le=3600)


# -- helpers -------------------------------------------------------------------------------


def _lab(request: Request) -> IrLab:
    return request.app.state.irlab


def clean_text(value: str, what: str, limit: int, *, required: bool) -> str:
    text = unicodedata.normalize("NFC", value).strip()
    if required and not text:
        raise ApiError(422, "invalid", f"{what} cannot be empty")
    if len(text) > limit:
        raise ApiError(422, "invalid", f"{what} is at most {limit} characters")
    allowed = "\n\t" if what == "notes" else ""
    if any(unicodedata.category(c).startswith("C") and c not in allowed for c in text):
        raise ApiError(422, "invalid", f"{what} cannot contain control characters")
    return text


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _frames_for(kind: str, frames: list[str | None]) -> list[str | None]:
    """Check frames for an item; the stored form is hex (bytes are the truth)."""
    if kind == IR_CONVERSATION:
        if len(frames) != 4:
            raise ApiError(422, "invalid", f"a conversation has 4 message slots (null for a "
                                           f"missing one), not {len(frames)}")
        if all(f is None for f in frames):
            raise ApiError(422, "invalid", "a conversation needs at least one message")
        return [None if f is None else parse_message(f, f"message {n}").hex
                for n, f in enumerate(frames, 1)]
    if any(f is None for f in frames):
        raise ApiError(422, "invalid", "a list of frames has no empty slots")
    return [parse_frame(f, what=f"frame {n}").hex for n, f in enumerate(frames, 1) if f]


def _conversation(item: IrItem) -> Conversation:
    conv = conversation_of(item.frames, item.name)
    return Conversation(conv.messages, item.name, _ms(item.created_at))


def item_json(item: IrItem, *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": item.id, "name": item.name, "notes": item.notes, "kind": item.kind,
        "source": item.source, "count": sum(f is not None for f in item.frames),
        "created_at": iso(item.created_at), "updated_at": iso(item.updated_at),
        "activity": None, "consistent": None,
    }
    if item.kind == IR_CONVERSATION:
        conv = _conversation(item)
        out["activity"], out["consistent"] = conv.activity, conv.consistent
        if full:
            shown = conversation_json(conv)
            out["frames"] = shown.pop("frames")
            out["conversation"] = shown
    elif full:
        out["frames"] = [frame_json(stored_frame(f, item.kind)) for f in item.frames if f]
        out["conversation"] = None
    return out


def _row(s: Session, item_id: int, who: Principal) -> IrItem:
    row = ir_store.get_item(s, item_id, who.user_id)
    if row is None:
        raise not_found("saved IR item")
    return row


def _room_for(s: Session, request: Request, who: Principal, adding: int) -> None:
    limit = services(request).settings.max_ir_items_per_user
    if limit and ir_store.count_items(s, who.user_id) + adding > limit:
        raise ApiError(409, "too_many_items", f"you can keep at most {limit} saved IR items "
                                              "on this server; delete some first")


_BINARY = "".join(map(chr, (*range(0, 9), 11, 12, *range(14, 32))))  # control characters


def _text_of(data: bytes, what: str) -> str:
    """An uploaded capture as text; a binary file is refused without quoting its bytes."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or any(c in text for c in _BINARY):
        raise ApiError(422, "not_text", f"the {what} is not a text file: a Tamagometer .tgir, a "
                                        "Flipper .ir or a text capture (hex, bits, durations) "
                                        "is expected")
    return text


async def _body(request: Request, model: type[BaseModel], what: str
                ) -> tuple[BaseModel | None, str | None, str]:
    """A JSON body as ``model``, or an uploaded file's text (``file`` + form fields)."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        limit = services(request).settings.max_upload_bytes
        data, form = await read_upload(request, limit, what)
        text = _text_of(data, what)
        # Named as the person named it, else after the file (not "Imported").
        stem = PurePath(form.get("_filename") or "").stem
        return None, text, form.get("name") or stem
    if not content_type.startswith("application/json"):
        raise ApiError(422, "invalid", f"send JSON, or the {what} as multipart/form-data "
                                       "with a field named 'file'")
    return await run_in_threadpool(_json_body, await request.body(), model), None, ""


def _json_body(body: bytes, model: type[BaseModel]) -> BaseModel:
    """Parsed and validated in a worker thread: a megabyte of JSON is not the event
    loop's business."""
    try:
        raw = json.loads(body)
    except ValueError:
        raise ApiError(422, "invalid", "the body is not valid JSON") from None
    except RecursionError:
        raise ApiError(422, "invalid", "the body's JSON is nested too deeply") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


def _load(text: str, origin: str = "") -> Loaded:
    with user_errors("bad_file"):
        return load_text(text, origin)


def _loaded_json(loaded: Loaded) -> dict[str, Any]:
    frames = []
    for item in loaded.items:
        if item.frame is None:
            assert item.error is not None
            frames.append(error_json(item.source, item.error))
        else:
            frames.append({"source": item.source, **frame_json(item.frame)})
    return {"kind": loaded.kind, "frames": frames,
            "conversations": [conversation_json(c) for c in loaded.conversations],
            "notes": loaded.notes}


# -- saved items ---------------------------------------------------------------------------


@router.get("/items", response_model=list[irm.ItemBrief])
def list_items(request: Request, who: CurrentUser) -> list[dict]:
    with services(request).db.session() as s:
        return [item_json(row) for row in ir_store.list_items(s, who.user_id)]


@router.post("/items", status_code=201, response_model=irm.Item,
             responses=errors(409, 507))
def create_item(body: NewItem, request: Request, who: CurrentUser) -> dict:
    name = clean_text(body.name, "the name", MAX_NAME, required=True)
    notes = clean_text(body.notes, "notes", MAX_NOTES, required=False)
    frames = _frames_for(body.kind, body.frames)
    with services(request).db.session() as s:
        _room_for(s, request, who, 1)
        row = ir_store.create_item(s, owner_id=who.user_id, name=name, notes=notes,
                                   kind=body.kind, source=body.source, frames=frames)
        s.commit()
        event("ir_item_created", item=row.id, user=who.user_id, source=body.source)
        return item_json(row, full=True)


@router.get("/items/{item_id}", response_model=irm.Item, responses=errors(404))
def get_item(item_id: DbId, request: Request, who: CurrentUser) -> dict:
    with services(request).db.session() as s:
        return item_json(_row(s, item_id, who), full=True)


@router.patch("/items/{item_id}", response_model=irm.Item, responses=errors(404, 507))
def change_item(item_id: DbId, body: ItemChange, request: Request, who: CurrentUser) -> dict:
    with services(request).db.session() as s:
        row = _row(s, item_id, who)
        if body.name is not None:
            row.name = clean_text(body.name, "the name", MAX_NAME, required=True)
        if body.notes is not None:
            row.notes = clean_text(body.notes, "notes", MAX_NOTES, required=False)
        if body.kind is not None and body.frames is None:
            raise ApiError(422, "invalid", "changing the kind needs the frames too")
        if body.frames is not None:
            kind = body.kind or row.kind
            row.frames = _frames_for(kind, body.frames)
            row.kind = kind
        ir_store.touch(row)
        s.commit()
        return item_json(row, full=True)


@router.delete("/items/{item_id}", status_code=204, response_class=Response,
               responses=errors(404, 507))
def delete_item(item_id: DbId, request: Request, who: CurrentUser) -> Response:
    with services(request).db.session() as s:
        s.delete(_row(s, item_id, who))
        s.commit()
    return Response(status_code=204)


@router.get("/items/{item_id}/export", response_class=Response,
            responses={200: {"content": {"application/json": {}, "text/plain": {}}},
                       **errors(404, 409)})
def export_item(item_id: DbId, request: Request, who: CurrentUser,
                fmt: Literal["tgir", "flipper"] = Query("tgir", alias="format")) -> Response:
    with services(request).db.session() as s:
        row = _row(s, item_id, who)
        if fmt == "flipper":
            frames = [stored_frame(f, row.kind) for f in row.frames if f]
            prefix = "message" if row.kind == IR_CONVERSATION else "frame"
            filename = safe_filename(row.name, "ir", "capture")
            return attachment(frames_to_flipper(frames, prefix), filename,
                              "text/plain; charset=utf-8")
        if row.kind != IR_CONVERSATION:
            raise ApiError(409, "not_exportable", "a .tgir file holds conversations of four "
                                                  "messages; export these frames as Flipper .ir")
        try:
            text = dumps_tgir([_conversation(row)], indent=2)
        except IrError as exc:
            raise ApiError(409, "not_exportable", str(exc)) from None
        return attachment(text, safe_filename(row.name, "tgir", "capture"), "application/json")


@router.get("/export", response_class=Response,
            responses={200: {"content": {"application/json": {}}}, **errors(409)})
def export_all(request: Request, who: CurrentUser) -> Response:
    """Every complete saved conversation in one Tamagometer ``.tgir`` file."""
    with services(request).db.session() as s:
        rows = [r for r in ir_store.list_items(s, who.user_id) if r.kind == IR_CONVERSATION]
        convs = [c for c in map(_conversation, reversed(rows)) if c.complete]
    if not convs:
        raise ApiError(409, "not_exportable", "you have no complete saved conversation to "
                                              "export (a .tgir file needs all four messages)")
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    return attachment(dumps_tgir(convs, indent=2), f"Tamagotchi recordings {day}.tgir",
                     "application/json")


@router.post("/import", status_code=201, openapi_extra=_FILE_OR_JSON, response_model=irm.Imported,
             responses=errors(400, 409, 413, 507))
async def import_items(request: Request, who: CurrentUser) -> dict:
    """A ``.tgir`` file (one item per conversation), or anything else with frames
    (Flipper ``.ir``, hex, bits, durations): one item. All or nothing."""
    body, text, name = await _body(request, ImportIn, "capture file")
    if isinstance(body, ImportIn):
        text, name = body.text, body.name or ""
    assert text is not None
    name = clean_text(name, "the name", MAX_NAME, required=False)
    loaded = await run_in_threadpool(_load, text)
    bad = [i for i in loaded.items if i.frame is None]
    if bad:
        raise ApiError(422, "bad_frame", f"{bad[0].source}: {bad[0].error}; nothing was "
                                         "imported")
    plans = _import_plan(loaded, name or "Imported")

    def store() -> list[dict]:
        with services(request).db.session() as s:
            _room_for(s, request, who, len(plans))
            rows = [ir_store.create_item(s, owner_id=who.user_id, name=title[:MAX_NAME],
                                         notes="", kind=kind, source="imported", frames=frames)
                    for title, kind, frames in plans]
            s.commit()
            event("ir_imported", user=who.user_id, items=len(rows), kind=loaded.kind)
            return [item_json(r) for r in rows]

    return {"items": await run_in_threadpool(store), "notes": loaded.notes}


def _import_plan(loaded: Loaded, name: str) -> list[tuple[str, str, list[str | None]]]:
    """(name, kind, hex frames) per item to create."""
    if loaded.conversations:
        if len(loaded.conversations) > MAX_IMPORTED_ITEMS:
            raise ApiError(422, "too_many", f"the file holds {len(loaded.conversations)} "
                           f"conversations; import at most {MAX_IMPORTED_ITEMS} at a time")
        return [(c.name or f"{name} {n}", IR_CONVERSATION,
                 [m.hex if m is not None else None for m in c.messages])
                for n, c in enumerate(loaded.conversations, 1)
                if any(m is not None for m in c.messages)]
    frames = [i.frame for i in loaded.items if i.frame is not None]
    if not frames:
        raise ApiError(422, "bad_file", "no frames found in the input; nothing was imported")
    if len(frames) > MAX_FRAMES:
        raise ApiError(422, "too_many", f"the input holds {len(frames)} frames; a saved item "
                                        f"keeps at most {MAX_FRAMES}")
    roles = [f.role if isinstance(f, Message) else None for f in frames]
    kind = IR_CONVERSATION if roles == [1, 2, 3, 4] else "frames"
    return [(name, kind, [f.hex for f in frames])]


# -- tools: decode, encode, edit, fields ---------------------------------------------------


@router.post("/decode", openapi_extra=_FILE_OR_JSON, response_model=irm.Loaded,
             responses=errors(400, 413))
async def decode(request: Request, who: CurrentUser) -> dict:
    """Anything with frames in it -> every frame decoded (or why not). Stores nothing."""
    body, text, origin = await _body(request, DecodeIn, "capture file")
    if isinstance(body, DecodeIn):
        if body.messages is not None:
            conv = Conversation(tuple(None if m is None else parse_message(m, f"message {n}")
                                      for n, m in enumerate(body.messages, 1)))
            frames = [{"source": f"message {n}", **frame_json(m)}
                      for n, m in enumerate(conv.messages, 1) if m is not None]
            return {"kind": "conversation", "frames": frames,
                    "conversations": [conversation_json(conv)], "notes": []}
        if body.text is None:
            raise ApiError(422, "invalid", 'give "text" (any capture, hex or bits) or '
                                           '"messages" (four slots of a conversation)')
        text = body.text
    assert text is not None
    return _loaded_json(await run_in_threadpool(_load, text, origin))


@router.post("/encode", response_model=irm.Encoded)
def encode(body: EncodeIn, who: CurrentUser) -> dict:
    """Build frames: a whole conversation, messages from fields, or a responder's answer."""
    given = [k for k in ("build", "fields", "answer") if getattr(body, k) is not None]
    if len(given) != 1:
        raise ApiError(422, "invalid", 'give exactly one of "build", "fields" or "answer"')
    with user_errors("bad_field"):
        if body.build is not None:
            b = body.build
            conv = build_conversation(b.initiator.build(), b.responder.build(),
                                      b.activity.build())
            return {"frames": [frame_json(m) for m in conv.messages if m is not None],
                    "conversation": conversation_json(conv), "name": conv.name}
        if body.answer is not None:
            a = body.answer
            incoming = parse_message(a.incoming, "the incoming message")
            if incoming.role not in (1, 3):
                raise ApiError(422, "invalid", "a responder answers a message 1 or a message "
                                               f"3, not {incoming.summary()}")
            gift = Gift(a.gift.item, a.gift.pregift) if a.gift else None
            msg = build_answer(a.identity.build(), incoming, gift)
            return {"frames": [frame_json(msg)], "conversation": None, "name": ""}
        listing = body.fields if isinstance(body.fields, list) else [body.fields]
        if not 1 <= len(listing) <= 8:
            raise ApiError(422, "invalid", '"fields" is one object or a list of 1-8')
        frames = []
        for values in listing:
            assert values is not None
            check_field_names(values)
            rest = dict(values)
            msg = Message.blank(F.parse_code("type", rest.pop("type", 0)))
            frames.append(frame_json(msg.with_fields(rest)))
        return {"frames": frames, "conversation": None, "name": ""}


@router.post("/edit", response_model=irm.Frame)
def edit(body: EditIn, who: CurrentUser) -> dict:
    """One frame changed: bits flipped, fields written, checksum fixed or kept."""
    frame = parse_frame(body.frame, body.format)
    if body.flip:
        frame = flip_bits(frame, body.flip)
    if body.set:
        if not isinstance(frame, Message):
            raise ApiError(422, "bad_field", "only Connection 2024 messages have known fields; "
                                             "flip the bits of a legacy frame instead")
        check_field_names(body.set)
        with user_errors("bad_field"):
            frame = frame.with_fields(body.set, fix_checksum=False)
    fix = body.fix_checksum if body.fix_checksum is not None else bool(body.set)
    if fix:
        frame = frame.fixed()
    return frame_json(frame)


@router.get("/fields", response_model=irm.Fields)
def list_fields(who: CurrentUser) -> dict:
    return fields_json()


# -- the server's transceiver --------------------------------------------------------------


@router.get("/ports", response_model=irm.Ports)
def list_ports(request: Request, who: CurrentUser) -> dict:
    lab = _lab(request)
    running = lab.running()
    return {"ports": lab.ports(who.is_admin), "fake": lab.settings.ir_fake,
            "busy": running.brief(who.user_id, who.is_admin) if running else None}


def _plan(body: SessionIn, request: Request, who: Principal) -> Plan:
    settings = services(request).settings
    seconds = min(body.seconds or DEFAULT_SECONDS[body.mode], settings.ir_session_seconds)
    plan = Plan(body.mode, body.port, body.kind, max_frames=body.max_frames,
                repeat=body.repeat, attempts=body.attempts, seconds=seconds)
    texts: list[str | None] = list(body.frames or [])
    kind = "frames"
    if body.item_id is not None:
        if body.frames:
            raise ApiError(422, "invalid", 'give "frames" or "item_id", not both')
        with services(request).db.session() as s:
            row = _row(s, body.item_id, who)
            texts, kind = list(row.frames), row.kind
    if body.mode == "snoop":
        return plan
    if body.mode == "send":
        if body.messages:
            if any(not 1 <= n <= len(texts) for n in body.messages):
                raise ApiError(422, "invalid", f"there are only {len(texts)} frames to pick from")
            texts = [texts[n - 1] for n in body.messages]
        picked = [t for t in texts if t]
        if not picked:
            raise ApiError(422, "invalid", 'send needs "frames" or a saved item with frames')
        plan.messages = [parse_message(t, f"frame {n}") for n, t in enumerate(picked, 1)]
        return plan
    wanted = (1, 3) if body.mode == "initiate" else (2, 4)
    if kind == IR_CONVERSATION:
        texts = [texts[n - 1] for n in wanted]
    if not texts:
        if body.mode == "initiate":
            raise ApiError(422, "invalid", 'initiate needs messages 1 and 3: "frames" or a '
                                           "saved conversation")
        plan.identity = (body.identity or IdentityIn()).build()
        if body.gift:
            plan.gift = Gift(body.gift.item, body.gift.pregift)
        with user_errors("bad_field"):  # check names and characters now, not mid-session
            Message.blank().replace(name=plan.identity.name,
                                    character=plan.identity.character)
        return plan
    if len(texts) != 2 or any(t is None for t in texts):
        raise ApiError(422, "invalid", f"{body.mode} needs messages {wanted[0]} and "
                                       f"{wanted[1]}, in that order")
    msgs = [parse_message(t, f"message {n}") for t, n in zip(texts, wanted, strict=True) if t]
    for msg, n in zip(msgs, wanted, strict=True):
        if msg.role != n:
            raise ApiError(422, "invalid", f"message {n} is needed here, but this frame is "
                                           f"{msg.summary()}")
    plan.messages = msgs
    return plan


@router.post("/sessions", status_code=201, response_model=irm.SessionView,
             responses=errors(403, 404, 409))
async def start_session(body: SessionIn, request: Request, who: CurrentUser) -> dict:
    """Start a session on the server's transceiver (409 ``busy`` while one runs)."""
    plan = await run_in_threadpool(_plan, body, request, who)
    session = await run_in_threadpool(_lab(request).start, who.user_id, plan, who.is_admin)
    return session.view()


def _session(request: Request, session_id: str, who: Principal, *,
             admin: bool = False) -> LabSession:
    session = _lab(request).get(session_id, who.user_id, admin=admin and who.is_admin) \
        if len(session_id) <= 32 else None
    if session is None:
        raise not_found("IR session")
    return session


@router.get("/sessions/{session_id}", response_model=irm.SessionView, responses=errors(404))
async def get_session(session_id: str, request: Request, who: CurrentUser,
                      after: int = Query(0, ge=0, description="first event number wanted"),
                      wait: float = Query(0, ge=0, le=25, description="long poll: seconds "
                                          "to wait for a new event or the end")) -> dict:
    session = _session(request, session_id, who)
    deadline = asyncio.get_running_loop().time() + wait
    while (not session.done and session.event_count() <= after
           and asyncio.get_running_loop().time() < deadline):
        await asyncio.sleep(POLL_STEP)
    return await run_in_threadpool(session.view, after)


@router.post("/sessions/{session_id}/cancel", response_model=irm.SessionView,
             responses=errors(404))
def cancel_session(session_id: str, request: Request, who: CurrentUser) -> dict:
    """Stop a session: a snoop keeps what it heard; the others end as ``cancelled``.

    Its owner or an administrator (who then sees its status, not what it heard)."""
    session = _session(request, session_id, who, admin=True)
    session.job.cancel()
    if session.owner_id != who.user_id:
        event("ir_session_stopped", session=session.id, by=who.user_id, owner=session.owner_id)
    return session.view(owner=session.owner_id == who.user_id)
