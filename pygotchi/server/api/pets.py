"""Pets: create, list, pause, reset, delete, states in and out, buttons and screen.

Only a pet's owner reaches it. Unknown ids and other people's pets give the
same 404, so nobody learns which ids exist.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
import unicodedata
from typing import Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pygotchi.emu import TICKS_PER_SECOND, EmuError, Machine, StateError
from pygotchi.emu.render import screenshot_png
from pygotchi.server import toyclock, wire
from pygotchi.server.api.deps import Services, services
from pygotchi.server.auditlog import audit
from pygotchi.server.auth import CurrentUser, Principal
from pygotchi.server.downloads import attachment, safe_filename
from pygotchi.server.errors import ApiError, not_found
from pygotchi.server.livepet import LivePet
from pygotchi.server.logs import event
from pygotchi.server.romlib import DEMO, iso, model_of, rom_brief
from pygotchi.server.scheduler import HOT_SECONDS
from pygotchi.server.schemas import SIGNED_IN, Body, errors
from pygotchi.server.uploads import read_upload
from pygotchi.store import cluster as cluster_store
from pygotchi.store import pets as pet_store
from pygotchi.store import roms as rom_store
from pygotchi.store.models import CATCH_UP, Pet, RomRecord
from pygotchi.store.pets import BrokenPet

router = APIRouter(prefix="/api/pets", tags=["pets"], responses=SIGNED_IN)

Policy = Literal["catch_up", "pause_while_down"]
MAX_NAME = 32

_UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}},
}}}}}


class NewPet(Body):
    name: str = Field(max_length=200)
    rom: str = Field(max_length=100, description="a ROM id (sha256) or \"demo\"")
    catch_up: Policy = CATCH_UP


class PetChange(Body):
    name: str | None = Field(None, max_length=200)
    paused: bool | None = None
    catch_up: Policy | None = None
    autopilot: Literal["off", "always", "unanswered"] | None = Field(
        None, description="the carer: never, always, or when a call goes unanswered")
    autopilot_minutes: int | None = Field(
        None, ge=1, le=1440, description="\"unanswered\": minutes a call may wait")


class Confirm(Body):
    confirm: bool = False


class ButtonPress(Body):
    button: str | None = Field(None, max_length=16)
    buttons: list[str] | None = Field(None, min_length=1, max_length=8)
    ms: float = Field(150, gt=0, le=10_000, description="how long to hold, in milliseconds")
    action: Literal["press", "down", "up"] = "press"


class RomBrief(BaseModel):
    id: str = Field(description="the ROM's sha256")
    name: str
    model: str
    model_name: str


class Progress(BaseModel):
    done_s: float
    total_s: float


class AutopilotNote(BaseModel):
    at: str
    text: str


class AutopilotOut(BaseModel):
    mode: Literal["off", "always", "unanswered"]
    minutes: int = Field(description="\"unanswered\": minutes a call may wait")
    active: bool = Field(description="the autopilot is caring for the pet right now")
    recent: list[AutopilotNote] = Field(description="what it did lately")


class PetOut(BaseModel):
    id: str
    name: str
    rom: RomBrief
    model: str
    buttons: list[str]
    status: Literal["running", "paused", "catching_up", "unavailable"]
    catch_up: Policy
    catch_up_progress: Progress | None
    emulated_seconds: float
    created_at: str | None = Field(description="ISO 8601, UTC; null if unreadable")
    background: str
    icons: list[str] = Field(description="8 icon names, icon 0 first; empty for glass "
                                         "without icons")
    set_clock: bool = Field(description="the server can set this toy's own clock "
                                        "(POST /clock)")
    error: str | None = Field(description="why the pet cannot run (status unavailable), "
                                          "else null")
    autopilot: AutopilotOut
    node: str | None = Field(None, description="the server process (cluster node) that runs "
                                               "the pet; null with a single server (SQLite) "
                                               "or while no node runs it")


class Buzzer(BaseModel):
    on: bool
    freq_hz: float


class Screen(BaseModel):
    seq: int
    emulated_seconds: float
    pixels: list[str] = Field(description="16 rows of 32 characters, '#' lit, '.' not")
    icons: list[bool]
    buzzer: Buzzer


class Pressed(BaseModel):
    pressed: list[str]
    emulated_seconds: float


def clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name).strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise ApiError(422, "invalid", f"a pet's name is 1 to {MAX_NAME} characters")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise ApiError(422, "invalid", "a pet's name cannot contain control characters")
    return name


# --- looking pets up ------------------------------------------------------------------

def _row(s: Session, pet_id: str, who: Principal) -> Pet | BrokenPet:
    row = pet_store.get_pet(s, pet_id, who.user_id) if len(pet_id) <= 32 else None
    if row is None:
        raise not_found()
    return row


def _unavailable(reason: str | None) -> ApiError:
    return ApiError(409, "unavailable", f"this pet cannot run: {reason or 'it was not loaded'}."
                                        " It is kept; the server's operator can repair its "
                                        "data (the server log says more)")


def _live(svc: Services, pet_id: str, who: Principal) -> LivePet:
    pet = svc.scheduler.get(pet_id, who.user_id)
    if pet is not None and pet.error is None:
        return pet
    with svc.db.session() as s:
        _row(s, pet_id, who)  # 404 unless it is theirs
    raise _unavailable(svc.scheduler.why_unavailable(pet_id))


def _playable(pet: LivePet) -> None:
    problem = pet.unplayable()
    if problem is not None:
        raise ApiError(409, *problem)


def pet_json(svc: Services, s: Session, row: Pet | BrokenPet) -> PetOut:
    rom = s.get(RomRecord, row.rom_sha256)
    live = svc.scheduler.get(row.id, row.owner_id)
    now = svc.scheduler.clock.now()
    model = model_of(rom.model if rom else "e0c6s46")
    brief = rom_brief(rom) if rom else {"id": row.rom_sha256, "name": "?", "model": model.id,
                                        "model_name": model.name}
    usable = live is not None and live.error is None
    tick = live.tick if live else row.state_tick
    node = None
    if svc.cluster is not None:
        node = svc.cluster.name if usable else \
            cluster_store.runners(s, [row.id], cluster_store.db_now(s)).get(row.id)
        if live is None and not isinstance(row, BrokenPet) and \
                row.id not in svc.scheduler.unavailable:
            # Another node runs it: as of its last checkpoint (a request for this one
            # pet goes to that node and answers live). No node right now (its node
            # died; another takes it over within the lease timeout): catching up.
            status = "catching_up" if node is None else "paused" if row.paused else "running"
            return PetOut(
                id=row.id, name=row.name, rom=RomBrief(**brief), model=model.id,
                buttons=list(model.buttons), status=status,
                catch_up=row.catch_up if row.catch_up in ("catch_up", "pause_while_down")
                else CATCH_UP, catch_up_progress=None,
                emulated_seconds=round(row.state_tick / TICKS_PER_SECOND, 3),
                created_at=iso(row.created_at) if row.created_at else None,
                background=model.background, icons=list(model.icons),
                set_clock=toyclock.supported(model.id), error=None,
                autopilot=svc.autopilot.json(row.id, row.autopilot_minutes), node=node)
    return PetOut(
        id=row.id, name=row.name, rom=RomBrief(**brief), model=model.id,
        buttons=list(live.buttons if live else model.buttons),
        status=live.status if usable else "unavailable",  # type: ignore[union-attr]
        catch_up=row.catch_up if row.catch_up in ("catch_up", "pause_while_down")
        else CATCH_UP,
        catch_up_progress=live.catch_up_progress(now) if usable else None,  # type: ignore
        emulated_seconds=round(tick / TICKS_PER_SECOND, 3) if isinstance(tick, int) else 0.0,
        created_at=iso(row.created_at) if row.created_at else None,
        background=model.background, icons=list(model.icons),
        set_clock=toyclock.supported(model.id),
        error=None if usable else _unavailable(svc.scheduler.why_unavailable(row.id)).message,
        autopilot=svc.autopilot.json(row.id, row.autopilot_minutes), node=node,
    )


def _pet_response(svc: Services, pet_id: str, who: Principal) -> PetOut:
    with svc.db.session() as s:
        return pet_json(svc, s, _row(s, pet_id, who))


# --- collection ---------------------------------------------------------------------------

@router.get("", response_model=list[PetOut])
def list_pets(request: Request, who: CurrentUser) -> list[PetOut]:
    svc = services(request)
    with svc.db.session() as s:
        return [pet_json(svc, s, row) for row in pet_store.list_pets(s, who.user_id)]


class PetGlance(BaseModel):
    """What the pet list shows of one pet, as of the last time the pet ran."""

    id: str
    status: str = Field(description="running, paused or catching_up")
    emulated_seconds: float
    seq: int = Field(description="grows when the screen changes")
    frame: str = Field(description="the screen: 65 bytes in hex, the live view's frame layout")


@router.get("/screens", response_model=list[PetGlance])
async def glance_pets(request: Request, who: CurrentUser) -> list[PetGlance]:
    """Every pet's latest screen, status and age, for the pet list to poll.

    Reads what the scheduler already has: it never runs a pet, so a list left
    open costs the pets nothing (unwatched pets run twice a second anyway). In a
    cluster, the nodes that run the others answer for theirs.
    """
    svc = services(request)
    out, elsewhere = await run_in_threadpool(_glance_here, svc, who)
    if elsewhere and svc.relay is not None and \
            not request.headers.get("x-pygotchi-relayed"):
        for _, reply in await svc.relay.ask_runners(request.scope, elsewhere):
            if reply["status"] == 200:
                out += [PetGlance(**g) for g in json.loads(base64.b64decode(reply["body"]))
                        if g["id"] in elsewhere]
    return out


def _glance_here(svc: Services, who: Principal) -> tuple[list[PetGlance], list[str]]:
    """Glances of the pets this process runs, and the ids of the others."""
    with svc.db.session() as s:
        ids = [row.id for row in pet_store.list_pets(s, who.user_id)]
    out, elsewhere = [], []
    for pet_id in ids:
        live = svc.scheduler.get(pet_id, who.user_id)
        if live is None or live.error is not None:
            if live is None:
                elsewhere.append(pet_id)
            continue
        # Unwatched pets keep no current frame: pack it now, unless the pet is busy.
        svc.scheduler.publish(live, live.refresh_frame(wait=False))
        seq, frame = live.frame
        out.append(PetGlance(id=pet_id, status=live.status, seq=seq, frame=frame.hex(),
                             emulated_seconds=round(live.tick / TICKS_PER_SECOND, 3)))
    return out, elsewhere


@router.post("", status_code=201, response_model=PetOut, responses=errors(409, 507))
def create_pet(body: NewPet, request: Request, who: CurrentUser) -> PetOut:
    svc = services(request)
    name = clean_name(body.name)
    sha = svc.demo_sha if body.rom.strip().lower() == DEMO else body.rom.strip().lower()
    with svc.db.session() as s:
        limit = svc.settings.max_pets_per_user
        if limit and pet_store.count_pets(s, who.user_id) >= limit:
            raise ApiError(409, "too_many_pets", f"you already have {limit} pets, the most "
                                                 "this server allows per person")
        record = rom_store.get_rom(s, sha) if sha else None
        if record is None:
            missing = "this server has no demo ROM" if body.rom.strip().lower() == DEMO else \
                "there is no ROM with this id in the library"
            raise ApiError(422, "unknown_rom", missing)
        try:
            machine = Machine(svc.scheduler.rom(record.sha256))
        except (OSError, EmuError) as exc:
            raise ApiError(409, "unavailable", f"this ROM cannot be loaded: {exc}") from None
        now = svc.scheduler.clock.now()
        pet_id = secrets.token_urlsafe(9)
        try:
            row = pet_store.create_pet(
                s, pet_id=pet_id, owner_id=who.user_id, rom_sha256=record.sha256, name=name,
                catch_up=body.catch_up, state=machine.save_state(), tick=machine.tick, at=now)
            s.commit()  # the pet exists on disk before anyone hears of it
        except IntegrityError:
            raise ApiError(422, "unknown_rom", "this ROM was just removed from the library") \
                from None
        svc.scheduler.created(row, machine, now)
        event("pet_created", pet=pet_id, user=who.user_id, rom=record.sha256[:12])
        return pet_json(svc, s, row)


# --- one pet ---------------------------------------------------------------------------------

@router.get("/{pet_id}", response_model=PetOut, responses=errors(404))
def get_pet(pet_id: str, request: Request, who: CurrentUser) -> PetOut:
    return _pet_response(services(request), pet_id, who)


@router.patch("/{pet_id}", response_model=PetOut, responses=errors(404, 409, 507))
def change_pet(pet_id: str, body: PetChange, request: Request, who: CurrentUser) -> PetOut:
    """Rename, pause or resume (saved before the answer), change the downtime policy."""
    svc = services(request)
    with svc.db.session() as s:
        row = _row(s, pet_id, who)
        if isinstance(row, BrokenPet):
            raise _unavailable(row.error)
        if body.name is not None:
            row.name = clean_name(body.name)
        if body.catch_up is not None:
            row.catch_up = body.catch_up
        if body.autopilot is not None:
            row.autopilot = body.autopilot
        if body.autopilot_minutes is not None:
            row.autopilot_minutes = body.autopilot_minutes
        live = svc.scheduler.get(pet_id, who.user_id)
        if body.paused is not None and (live is None or live.error is not None):
            row.paused = body.paused  # a pet that cannot run: only its row to change
        s.commit()
        if body.autopilot is not None or body.autopilot_minutes is not None:
            svc.autopilot.configure(row.id, row.owner_id, row.autopilot, row.autopilot_minutes)
            event("pet_autopilot", pet=pet_id, mode=row.autopilot,
                  minutes=row.autopilot_minutes)
        if live is not None:
            live.policy = row.catch_up
            if body.paused is not None and live.error is None:
                svc.scheduler.set_paused(live, body.paused)
        return pet_json(svc, s, row)


@router.delete("/{pet_id}", status_code=204, response_class=Response,
               responses=errors(400, 404, 507))
def delete_pet(pet_id: str, request: Request, who: CurrentUser,
               confirm: str | None = Query(None, max_length=16, description="must be yes")
               ) -> Response:
    svc = services(request)
    with svc.db.session() as s:
        _row(s, pet_id, who)
        if confirm != "yes":
            raise ApiError(400, "confirm_required",
                           "deleting a pet cannot be undone: add ?confirm=yes")
        pet_store.delete_pet(s, pet_id)
        s.commit()
    svc.scheduler.remove(pet_id)
    svc.debug.close(pet_id)
    svc.autopilot.forget(pet_id)
    event("pet_deleted", pet=pet_id, user=who.user_id)
    audit(svc.db, request, "pet_deleted", who, f"pet:{pet_id}")
    return Response(status_code=204)


@router.post("/{pet_id}/reset", response_model=PetOut, responses=errors(400, 404, 409, 507))
def reset_pet(pet_id: str, request: Request, who: CurrentUser,
              body: Confirm | None = None) -> PetOut:
    svc = services(request)
    live = _live(svc, pet_id, who)
    if body is None or not body.confirm:
        raise ApiError(400, "confirm_required",
                       'resetting starts the pet over from an egg: send {"confirm": true}')
    svc.scheduler.reset(live)
    audit(svc.db, request, "pet_reset", who, f"pet:{pet_id}")
    return _pet_response(svc, pet_id, who)


# --- state files ------------------------------------------------------------------------------

@router.get("/{pet_id}/state", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}, **errors(404, 409)})
def download_state(pet_id: str, request: Request, who: CurrentUser,
                   fmt: Literal["pygotchi", "tlst"] = Query("pygotchi", alias="format")
                   ) -> Response:
    svc = services(request)
    live = _live(svc, pet_id, who)
    with svc.db.session() as s:
        name = _row(s, pet_id, who).name
    data, out = live.export(fmt, svc.scheduler.clock.now())
    svc.scheduler.publish(live, out)
    filename = safe_filename(name, "tlst" if fmt == "tlst" else "pgst")
    return attachment(data, filename, "application/octet-stream")


@router.put("/{pet_id}/state", openapi_extra=_UPLOAD_DOC, response_model=PetOut,
            responses=errors(400, 404, 409, 413, 507))
async def upload_state(pet_id: str, request: Request, who: CurrentUser) -> PetOut:
    """Replace the pet's state by a state file (pygotchi, TamaTool TLST, cpu.bin).

    The answer comes once the new state is on disk; a file that does not load is a
    422 ``bad_state`` and leaves the pet as it was."""
    svc = services(request)
    live = await run_in_threadpool(_live, svc, pet_id, who)
    data, _ = await read_upload(request, svc.settings.max_upload_bytes, "state file")

    def load() -> PetOut:
        try:
            svc.scheduler.load_state(live, data)
        except StateError as exc:
            raise ApiError(422, "bad_state", f"{exc}; the pet was not changed") from None
        audit(svc.db, request, "pet_state_loaded", who, f"pet:{pet_id}", bytes=len(data))
        return _pet_response(svc, pet_id, who)

    return await run_in_threadpool(load)


# --- buttons and screen -------------------------------------------------------------------------

@router.post("/{pet_id}/buttons", response_model=Pressed, responses=errors(404, 409))
async def press_buttons(pet_id: str, body: ButtonPress, request: Request,
                        who: CurrentUser) -> Pressed:
    """Press for ``ms`` (answers once released), or hold with ``action: down`` / ``up``."""
    svc = services(request)
    live = await run_in_threadpool(_live, svc, pet_id, who)
    names = body.buttons if body.buttons is not None else [body.button] if body.button else []
    if not names or (body.button and body.buttons):
        raise ApiError(422, "invalid", 'give either "button": "A" or "buttons": ["A", "C"]')
    try:
        names = [live.button_name(b) for b in names]
    except EmuError as exc:
        raise ApiError(422, "bad_button", str(exc)) from None
    if body.action != "up":  # letting go is always fine
        _playable(live)
    clock = svc.scheduler.clock
    live.hot_until = clock.now() + HOT_SECONDS + body.ms / 1000
    if body.action == "press":
        release, out = await run_in_threadpool(live.press_for, names, body.ms, clock.now())
        svc.scheduler.publish(live, out)
        svc.scheduler.nudge(live)
        await asyncio.sleep(body.ms / 1000)
        out = await _past_release(live, clock, release)
    else:
        def hold():
            result = None
            for name in names:
                result = live.hold(name, body.action == "down", "rest", clock.now())
            return result

        out = await run_in_threadpool(hold)
        svc.scheduler.nudge(live)
        # A release right after the press waits for the shortest hold (livepet.py,
        # MIN_HOLD_TICKS): answer once it happened, as for a timed press.
        if body.action == "up" and live.release_due is not None:
            svc.scheduler.publish(live, out)
            out = await _past_release(live, clock, live.release_due)
    svc.scheduler.publish(live, out)
    return Pressed(pressed=list(live.pressed),
                   emulated_seconds=round(live.tick / TICKS_PER_SECOND, 3))


class ClockTime(Body):
    """The phone's local time when the person asked."""

    hour: int = Field(ge=0, le=23)
    minute: int = Field(ge=0, le=59)
    second: int = Field(0, ge=0, le=59)


class ClockSet(BaseModel):
    time: str = Field(description="what the toy's clock screen reads now, HH:MM (24 h)")
    emulated_seconds: float


@router.post("/{pet_id}/clock", response_model=ClockSet, responses={
    **errors(404),
    409: {"description": "paused, catching_up, busy (being set already), not_reachable "
                         "(the clock screen did not come up) or not_set (the toy did not take "
                         "the time)"},
    422: {"description": "not_supported: the pet's toy has no known way to set its clock "
                         "(only the P1 and P2 do)"}})
async def set_clock(pet_id: str, body: ClockTime, request: Request,
                    who: CurrentUser) -> ClockSet:
    """Set the toy's own clock to ``time`` by pressing its buttons as a person would.

    Takes as long as the presses take in the pet's time (up to about 40 s); the
    answer says what the clock screen reads afterwards.
    """
    svc = services(request)
    live = await run_in_threadpool(_live, svc, pet_id, who)
    if not toyclock.supported(live.machine.model.id):
        raise ApiError(422, "not_supported", f"setting the clock is not available for "
                                             f"{live.machine.model.name}, only for the "
                                             "Tamagotchi P1 and P2")
    _playable(live)
    wanted = toyclock.WallTime(body.hour, body.minute, body.second, svc.scheduler.clock.now())
    try:
        reading = await toyclock.set_toy_clock(svc.scheduler, live, wanted)
    except toyclock.ClockError as exc:
        status = 422 if exc.code == "not_supported" else 409
        raise ApiError(status, exc.code, str(exc)) from None
    event("pet_clock_set", pet=pet_id, user=who.user_id)
    return ClockSet(time=str(reading), emulated_seconds=round(live.tick / TICKS_PER_SECOND, 3))


async def _past_release(live, clock, release: int):
    """Wait until the pet's own clock has passed ``release``, then catch the pet up.

    Answering only then means a script's next press is a new press and not part
    of this one.
    """
    give_up = time.monotonic() + 10
    while live.target_tick(clock.now()) < release and not live.paused \
            and not live.removed and time.monotonic() < give_up:
        await asyncio.sleep(0.005)
    return await run_in_threadpool(live.advance, clock.now())


@router.get("/{pet_id}/screen", response_model=Screen, responses=errors(404, 409))
def read_screen(pet_id: str, request: Request, who: CurrentUser) -> Screen:
    svc = services(request)
    live = _live(svc, pet_id, who)
    seq, frame, on, dhz, out = live.screen_now(svc.scheduler.clock.now())
    svc.scheduler.publish(live, out)
    return Screen(seq=seq, emulated_seconds=round(live.tick / TICKS_PER_SECOND, 3),
                  pixels=wire.frame_pixels(frame), icons=wire.frame_icons(frame),
                  buzzer=Buzzer(on=on, freq_hz=dhz / 10))


@router.get("/{pet_id}/screen.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, **errors(404, 409)})
def screen_png(pet_id: str, request: Request, who: CurrentUser,
               scale: int = Query(8, ge=1, le=32)) -> Response:
    svc = services(request)
    live = _live(svc, pet_id, who)
    _, frame, _, _, out = live.screen_now(svc.scheduler.clock.now())
    svc.scheduler.publish(live, out)
    return Response(screenshot_png(frame, scale), media_type="image/png",
                    headers={"Cache-Control": "no-store"})
