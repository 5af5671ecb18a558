"""The debugger over HTTP: one debug session per pet, on a copy of its machine.

Who: the pet's owner (the pet must be paused to open a session) and
administrators (any pet). Everyone else gets the 404 of a pet that does not
exist. The session works on a copy: ``DELETE .../debug?apply=true`` puts the
debugged state into the pet (saved before the answer); ``apply=false`` (the
default) throws the copy away. See ``server/debugging.py``.

Positions count CPU steps since the pet's machine was reset; addresses are
integers (program addresses 0x0000-0x1FFF, data addresses 0x000-0xFFF).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Literal

from fastapi import APIRouter, Path, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, ValidationError

from pygotchi.emu import TICKS_PER_SECOND, EmuError
from pygotchi.emu.debugger import FLAGS, REGISTERS
from pygotchi.server.api.deps import Services, services
from pygotchi.server.api.pets import _live, _unavailable
from pygotchi.server.auth import CurrentUser, Principal
from pygotchi.server.debugging import DebugSession
from pygotchi.server.errors import ApiError, not_found
from pygotchi.server.logs import event
from pygotchi.server.schemas import SIGNED_IN, Body, errors
from pygotchi.store import debuglabels

router = APIRouter(prefix="/api/pets/{pet_id}/debug", tags=["debugger"],
                   responses={**SIGNED_IN, **errors(404)})

Speed = Literal["1x", "10x", "100x", "max"]
ProgramAddress = Path(ge=0, le=0x1FFF, description="a program address, 0 to 0x1FFF")
DataAddress = Path(ge=0, le=0xFFF, description="a data address, 0 to 0xFFF")
BACK_WINDOW = 50_000_000  # back_to_break looks this many steps back at most (~2 s compiled)
NO_SESSION = ("no_session", "no debug session is open on this pet: POST .../debug opens one")


class StopOut(BaseModel):
    reason: Literal["start", "step", "breakpoint", "watchpoint", "limit", "edit", "pause"]
    position: int = Field(description="CPU steps since reset where it stopped")
    pc: int
    address: int | None = Field(description="watchpoint: the data nibble touched")
    access: Literal["read", "write", "read+write"] | None


class WatchOut(BaseModel):
    address: int
    read: bool
    write: bool


class DebugView(BaseModel):
    pet_id: str
    opened_by: str
    running: bool
    speed: Speed
    position: int
    start: int = Field(description="position where the session began: the furthest back")
    emulated_seconds: float
    halted: bool
    stop: StopOut
    registers: dict[str, int] = Field(description="PC NP A B X Y SP F, and flags C Z D I")
    breakpoints: list[int]
    watchpoints: list[WatchOut]
    memory: str = Field(description="4,096 hex digits: data nibble 0x000 first, as the CPU "
                                    "reads it (unmapped addresses 0)")
    changed: list[int] = Field(description="data addresses whose nibble changed between the "
                                           "last two stops")
    frame: str = Field(description="the LCD: 65 bytes in hex, the live view's frame layout")
    pressed: list[str]
    pet_changed: bool = Field(description="the pet moved on since the session began: its "
                                          "state can no longer be applied to it")
    snapshots: int


class Command(Body):
    action: Literal["step", "step_over", "continue", "run_to", "back", "back_to_break",
                    "pause"]
    count: int = Field(1, ge=1, le=1_000_000, description="step / back: how many steps")
    address: int | None = Field(None, ge=0, le=0x1FFF, description="run_to: the address")
    speed: Speed | None = Field(None, description="continue: the pace (default: as before)")


class WatchIn(Body):
    read: bool = True
    write: bool = True


class ValueIn(Body):
    value: int = Field(ge=0, le=0x1FFF)


class NibbleIn(Body):
    value: int = Field(ge=0, le=15)


class ButtonIn(Body):
    pressed: bool


class LabelIn(Body):
    name: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z_.$][A-Za-z0-9_.$]*$")


class Line(BaseModel):
    address: int
    word: int
    text: str
    label: str | None
    breakpoint: bool


class Listing(BaseModel):
    lines: list[Line]
    labels: dict[int, str] = Field(description="every label of this user for this ROM")


class Ended(BaseModel):
    applied: bool


# --- who reaches a session -------------------------------------------------------------

def _pet(svc: Services, pet_id: str, who: Principal):
    """The live pet if ``who`` may debug it: its owner, or an administrator."""
    if who.is_admin:
        pet = svc.scheduler.pets.get(pet_id) if len(pet_id) <= 32 else None
        if pet is None or pet.removed:
            if pet_id in svc.scheduler.unavailable:
                raise _unavailable(svc.scheduler.why_unavailable(pet_id))
            raise not_found()
        if pet.error is not None:
            raise _unavailable(svc.scheduler.why_unavailable(pet_id))
        return pet
    return _live(svc, pet_id, who)


def _session(svc: Services, pet_id: str, who: Principal) -> DebugSession:
    pet = _pet(svc, pet_id, who)
    session = svc.debug.get(pet.id)
    if session is None:
        raise ApiError(409, *NO_SESSION)
    return session


def _view(session: DebugSession) -> DebugView:
    d = session.debugger
    c = d.cpu
    s = d.last_stop
    return DebugView(
        pet_id=session.pet.id, opened_by=session.opened_by, running=session.running,
        speed=session.speed, position=d.position, start=d.start,
        emulated_seconds=round(c.tick / TICKS_PER_SECOND, 4), halted=bool(c.halted),
        stop=StopOut(reason=s.reason, position=s.position, pc=s.pc, address=s.address,
                     access=s.access),
        registers=d.registers(), breakpoints=sorted(d.breakpoints),
        watchpoints=[WatchOut(address=a, read=bool(k & 1), write=bool(k & 2))
                     for a, k in sorted(d.watchpoints.items())],
        memory=_nibbles(d.memory_view()),
        changed=d.changed(), frame=d.machine.screen().frame.hex(),
        pressed=list(d.machine.pressed()), pet_changed=session.pet_changed,
        snapshots=d.snapshot_count)


def _nibbles(view: bytes) -> str:
    return "".join("0123456789ABCDEF"[v] for v in view)


def _locked(session: DebugSession, fn):
    """Run ``fn(debugger)`` under the session's lock; EmuError becomes a 422."""
    with session.lock:
        try:
            fn(session.debugger)
        except EmuError as exc:
            raise ApiError(422, "invalid", str(exc)) from None
        return _view(session)


async def _paused(svc: Services, pet_id: str, who: Principal) -> DebugSession:
    session = await run_in_threadpool(_session, svc, pet_id, who)
    await svc.debug.pause(session)
    return session


# --- the session ---------------------------------------------------------------------------

@router.post("", response_model=DebugView, responses=errors(409, 429))
def open_session(pet_id: str, request: Request, who: CurrentUser) -> DebugView:
    """Open the pet's debug session (or join the one already open), on a copy of the pet.

    Its owner must pause the pet first; administrators may debug any pet."""
    svc = services(request)
    pet = _pet(svc, pet_id, who)
    session = svc.debug.get(pet.id)
    if session is None:
        if not pet.paused and not who.is_admin:
            raise ApiError(409, "not_paused", "pause the pet first: the debugger works on it "
                                              "while it is paused")
        state, out = pet.export("pygotchi", svc.scheduler.clock.now())
        svc.scheduler.publish(pet, out)
        session = svc.debug.open(pet, state, who.username)
        if session is None:
            raise ApiError(429, "too_many_sessions", "the server has as many debug sessions "
                                                     "open as it allows; try again later")
        event("debug_opened", pet=pet.id, user=who.user_id)
    with session.lock:
        return _view(session)


@router.get("", response_model=DebugView, responses=errors(409))
def get_session(pet_id: str, request: Request, who: CurrentUser) -> DebugView:
    session = _session(services(request), pet_id, who)
    with session.lock:
        return _view(session)


@router.delete("", response_model=Ended, responses=errors(409))
async def end_session(pet_id: str, request: Request, who: CurrentUser,
                      apply: bool = Query(False, description="put the debugged state into "
                                                             "the pet (else discard it)")
                      ) -> Ended:
    """End the session: discard its copy, or apply it to the pet (saved before the answer).

    Applying is refused (409 ``pet_changed``) when the pet moved on since the
    session began; the session then stays open, to be discarded."""
    svc = services(request)
    session = await _paused(svc, pet_id, who)
    if apply:
        def put() -> None:
            with session.lock:
                if session.pet_changed:
                    raise ApiError(409, "pet_changed", "the pet changed since this session "
                                                       "began (it was resumed, reset or "
                                                       "loaded): end the session without "
                                                       "applying")
                state = session.debugger.machine.save_state()
                svc.scheduler.load_state(session.pet, state)
                session.version = session.pet.version

        await run_in_threadpool(put)
    svc.debug.close(session.pet.id)
    event("debug_ended", pet=session.pet.id, user=who.user_id, applied=apply)
    return Ended(applied=apply)


@router.post("/command", response_model=DebugView, responses=errors(409, 422))
async def command(pet_id: str, body: Command, request: Request, who: CurrentUser) -> DebugView:
    """Run or step: ``step`` (``count``), ``step_over``, ``continue`` (at ``speed``; answers
    at once with ``running: true``, GET shows when it stopped), ``run_to`` (``address``),
    ``back`` (``count``), ``back_to_break``, ``pause``."""
    svc = services(request)
    session = await run_in_threadpool(_session, svc, pet_id, who)
    return await run_command(svc, session, body)


async def run_command(svc: Services, session: DebugSession, body: Command) -> DebugView:
    """One command, as POST .../command and the websocket take it."""
    await svc.debug.pause(session)
    if body.action == "pause":
        return await run_in_threadpool(_locked, session, lambda d: None)
    if body.action == "continue":
        svc.debug.start(session, body.speed or session.speed)
        with session.lock:
            return _view(session)
    if body.action == "run_to" and body.address is None:
        raise ApiError(422, "invalid", "run_to needs an address")
    limit = 600 * TICKS_PER_SECOND  # a command that runs stops after 10 emulated minutes

    def act(d) -> None:
        if body.action == "step":
            d.step(body.count)
        elif body.action == "step_over":
            d.step_over(until_tick=d.cpu.tick + limit)
        elif body.action == "run_to":
            d.run_to(body.address, until_tick=d.cpu.tick + limit)
        elif body.action == "back":
            d.back(body.count)
        else:
            d.back_to_break(max_steps=BACK_WINDOW)

    return await run_in_threadpool(_locked, session, act)


@router.put("/breakpoints/{address}", response_model=DebugView)
def set_breakpoint(pet_id: str, request: Request, who: CurrentUser,
                   address: int = ProgramAddress) -> DebugView:
    session = _session(services(request), pet_id, who)
    return _locked(session, lambda d: d.set_breakpoint(address))


@router.delete("/breakpoints/{address}", response_model=DebugView)
def delete_breakpoint(pet_id: str, request: Request, who: CurrentUser,
                      address: int = ProgramAddress) -> DebugView:
    session = _session(services(request), pet_id, who)
    return _locked(session, lambda d: d.set_breakpoint(address, False))


@router.put("/watchpoints/{address}", response_model=DebugView)
def set_watchpoint(pet_id: str, body: WatchIn, request: Request, who: CurrentUser,
                   address: int = DataAddress) -> DebugView:
    """Stop after an instruction that reads and/or writes the nibble at ``address``."""
    if not body.read and not body.write:
        raise ApiError(422, "invalid", "watch reads, writes or both (DELETE removes it)")
    session = _session(services(request), pet_id, who)
    return _locked(session, lambda d: d.set_watchpoint(address, body.read, body.write))


@router.delete("/watchpoints/{address}", response_model=DebugView)
def delete_watchpoint(pet_id: str, request: Request, who: CurrentUser,
                      address: int = DataAddress) -> DebugView:
    session = _session(services(request), pet_id, who)
    return _locked(session, lambda d: d.set_watchpoint(address, False, False))


@router.put("/registers/{name}", response_model=DebugView, responses=errors(409, 422))
async def set_register(pet_id: str, body: ValueIn, request: Request, who: CurrentUser,
                       name: str = Path(max_length=2, description=", ".join([*REGISTERS,
                                                                              *FLAGS]))
                       ) -> DebugView:
    """Change a register or flag at the present position (the future is rewritten)."""
    svc = services(request)
    session = await _paused(svc, pet_id, who)
    return await run_in_threadpool(_locked, session, lambda d: d.set_register(name, body.value))


@router.put("/memory/{address}", response_model=DebugView, responses=errors(409, 422))
async def set_memory(pet_id: str, body: NibbleIn, request: Request, who: CurrentUser,
                     address: int = DataAddress) -> DebugView:
    """Write a data nibble as the CPU would (I/O registers take effect)."""
    svc = services(request)
    session = await _paused(svc, pet_id, who)
    return await run_in_threadpool(_locked, session,
                                   lambda d: d.write_memory(address, body.value))


@router.put("/buttons/{button}", response_model=DebugView, responses=errors(409, 422))
async def set_button(pet_id: str, body: ButtonIn, request: Request, who: CurrentUser,
                     button: str = Path(max_length=8)) -> DebugView:
    """Press or release a button at the present position (logged, replayed going back)."""
    svc = services(request)
    session = await _paused(svc, pet_id, who)
    return await run_in_threadpool(_locked, session,
                                   lambda d: d.set_button(button, body.pressed))


@router.get("/disassembly", response_model=Listing)
def disassembly(pet_id: str, request: Request, who: CurrentUser,
                start: int = Query(0, ge=0, le=0x1FFF), count: int = Query(64, ge=1, le=512)
                ) -> Listing:
    """``count`` words of the ROM from ``start``, with this user's labels for the ROM."""
    svc = services(request)
    session = _session(svc, pet_id, who)
    with svc.db.session() as s:
        labels = debuglabels.labels(s, who.user_id, session.pet.machine.rom.sha256)
    with session.lock:
        lines = session.debugger.disassembly(start, count, labels)
    return Listing(lines=[Line(**line) for line in lines], labels=labels)


@router.put("/labels/{address}", response_model=Listing, responses=errors(409, 422))
def set_label(pet_id: str, body: LabelIn, request: Request, who: CurrentUser,
              address: int = ProgramAddress) -> Listing:
    """Name a program address, for this user and every pet of this ROM."""
    svc = services(request)
    pet = _pet(svc, pet_id, who)
    sha = pet.machine.rom.sha256
    with svc.db.session() as s:
        if not debuglabels.set_label(s, who.user_id, sha, address, body.name):
            raise ApiError(409, "too_many_labels", f"at most {debuglabels.MAX_LABELS} labels "
                                                   "per ROM")
        s.commit()
        labels = debuglabels.labels(s, who.user_id, sha)
    return Listing(lines=[], labels=labels)


@router.delete("/labels/{address}", response_model=Listing)
def delete_label(pet_id: str, request: Request, who: CurrentUser,
                 address: int = ProgramAddress) -> Listing:
    svc = services(request)
    pet = _pet(svc, pet_id, who)
    sha = pet.machine.rom.sha256
    with svc.db.session() as s:
        debuglabels.delete_label(s, who.user_id, sha, address)
        s.commit()
        labels = debuglabels.labels(s, who.user_id, sha)
    return Listing(lines=[], labels=labels)



# --- the same over a websocket -------------------------------------------------------------

SOCKET_PUSH_S = 0.2  # while running, a view this often
SOCKET_RECHECK_S = 5.0  # how often a socket's sign-in is looked at again


@router.websocket("/ws")
async def debug_socket(ws: WebSocket, pet_id: str) -> None:
    """The session as a stream: the server sends the view (DebugView as JSON) at once,
    after every command, and every 0.2 s while it runs; the client sends commands
    (the body of POST .../command). Errors come as ``{"type": "error", "message": ...}``."""
    svc = services(ws)
    principal = await run_in_threadpool(svc.auth.identify_websocket, ws)
    await ws.accept()
    if principal is None:
        await ws.close(4401, "sign in first")
        return
    try:
        session = await run_in_threadpool(_session, svc, pet_id, principal)
    except ApiError as exc:
        await ws.close(4404 if exc.status == 404 else 4409, exc.message[:120])
        return
    last_sent = None
    checked = time.monotonic()

    async def send() -> None:
        nonlocal last_sent
        with session.lock:
            text = _view(session).model_dump_json()
        if text != last_sent:
            await ws.send_text(text)
            last_sent = text

    # One receive stays in flight across the pushes: cancelling a receive that times
    # out (asyncio.wait_for) can lose a command that arrived at that very moment.
    receiving: asyncio.Future = asyncio.ensure_future(ws.receive_text())
    try:
        await send()
        while True:
            done, _ = await asyncio.wait({receiving}, timeout=SOCKET_PUSH_S)
            raw = None
            if done:
                raw = receiving.result()
                receiving = asyncio.ensure_future(ws.receive_text())
            if time.monotonic() - checked > SOCKET_RECHECK_S:
                checked = time.monotonic()
                if not await run_in_threadpool(svc.auth.still_valid, principal) or \
                        svc.debug.get(session.pet.id) is not session:
                    await ws.close(4401 if svc.debug.get(session.pet.id) is session else 4409,
                                   "the session ended")
                    return
            session.used = time.monotonic()  # watched: a run goes on
            if raw is not None:
                try:
                    body = Command.model_validate_json(raw[:4096])
                    await run_command(svc, session, body)
                except ValidationError as exc:
                    await ws.send_text(json.dumps({"type": "error", "message": str(
                        exc.errors()[0].get("msg", "bad command"))}))
                except ApiError as exc:
                    await ws.send_text(json.dumps({"type": "error", "message": exc.message}))
            await send()
    except WebSocketDisconnect:
        return
    finally:
        receiving.cancel()
