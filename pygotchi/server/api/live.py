"""The live view: one websocket per pet and viewer (protocol in API.md).

Two tasks per socket: this handler reads the client's JSON messages and
applies buttons at the pet's present instant (in a worker thread, under the
pet's lock); a writer task drains the viewer's queue, which the scheduler
fills with screens, beeps and status. When the socket goes, every button it
held is released.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time

from fastapi import APIRouter, WebSocket
from fastapi.concurrency import run_in_threadpool
from starlette.websockets import WebSocketState

from pygotchi.emu import EmuError
from pygotchi.server.api.deps import Services, services
from pygotchi.server.auth import Principal
from pygotchi.server.livepet import TAP_MS, LivePet
from pygotchi.server.livesockets import CLOSE_TOO_MANY
from pygotchi.server.logs import event
from pygotchi.server.viewers import Viewer
from pygotchi.store import pets as pet_store

router = APIRouter(tags=["live"])
_ids = itertools.count(1)
MAX_MESSAGE = 4096


def _error(message: str) -> str:
    return json.dumps({"type": "error", "message": message})


async def _refuse(ws: WebSocket, code: int, reason: str) -> None:
    await ws.accept()
    await ws.close(code, reason)


async def _writer(ws: WebSocket, viewer: Viewer) -> None:
    try:
        while (payload := await viewer.next()) is not None:
            if isinstance(payload, bytes):
                await ws.send_bytes(payload)
            else:
                await ws.send_text(payload)
        if viewer.close_code is not None and ws.client_state == WebSocketState.CONNECTED:
            await ws.close(viewer.close_code, viewer.close_reason)
    except Exception:  # the client went away mid-send: the reader notices too
        viewer.close(1006)


class LiveConnection:
    """One connected viewer of one pet."""

    def __init__(self, svc: Services, ws: WebSocket | None, pet: LivePet,
                 who: Principal | None, viewer: Viewer, user_id: int | None = None) -> None:
        """``ws`` is None for a viewer relayed from another node (cluster/relay.py)."""
        self.svc = svc
        self.ws = ws
        self.pet = pet
        self.user_id = who.user_id if who is not None else user_id
        self.viewer = viewer
        self.loop = asyncio.get_running_loop()
        self.request_id = (ws.scope.get("state") or {}).get("request_id", "-") if ws else "-"

    async def _in_thread(self, fn, *args):
        return await self.loop.run_in_executor(self.svc.scheduler.control_pool, fn, *args)

    async def handle(self, text: str) -> None:
        viewer = self.viewer
        if len(text) > MAX_MESSAGE:
            viewer.send(_error("message too long"))
            return
        try:
            msg = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, too deep, a number too long...
            msg = None
        if not isinstance(msg, dict):
            viewer.send(_error("messages are JSON objects with a \"type\""))
            return
        kind = msg.get("type")
        if not isinstance(kind, str):
            viewer.send(_error("a message's \"type\" is button, tap or ping"))
            return
        clock = self.svc.scheduler.clock
        if kind == "ping":
            viewer.send(json.dumps({"type": "pong"}))
        elif kind in ("button", "tap"):
            # Letting go is always fine (a press that began before a pause must end),
            # and refusing it too would say the same thing twice for one press.
            problem = None if kind == "button" and msg.get("down") is False \
                else self.pet.unplayable()
            if problem:
                viewer.send(_error(problem[1]))
                return
            try:
                if kind == "tap":
                    if "TAP" not in self.pet.buttons:
                        viewer.send(_error("this model has no tap sensor"))
                        return
                    _, out = await self._in_thread(self.pet.press_for, ["TAP"], TAP_MS,
                                                   clock.now())
                else:
                    button, down = msg.get("button"), msg.get("down")
                    if not isinstance(button, str) or not isinstance(down, bool):
                        viewer.send(_error('a button message is {"type": "button", '
                                           '"button": "A", "down": true}'))
                        return
                    out = await self._in_thread(self.pet.hold, button, down, viewer.holder,
                                                clock.now())
            except EmuError as exc:
                viewer.send(_error(str(exc)))
                return
            self.svc.scheduler.publish(self.pet, out)
            self.svc.scheduler.nudge(self.pet)
        else:
            viewer.send(_error(f"unknown message type {kind!r}: button, tap or ping"))

    async def attach(self) -> None:
        """Start watching: the viewer gets the status and the current screen first."""
        pet, viewer = self.pet, self.viewer
        # Frames of unwatched pets are not kept current: bring this one up to date first.
        out = await self._in_thread(pet.refresh_frame)
        # Joined only now (on the loop, with nothing in between), so the scheduler's
        # frames cannot reach this viewer before its welcome.
        pet.viewers.add(viewer)
        pet.welcome(viewer, self.svc.scheduler.clock.now())
        self.svc.scheduler.watch(pet)
        self.svc.scheduler.publish(pet, out)

    async def detach(self) -> None:
        """Stop watching, and let go of every button this viewer held."""
        self.pet.viewers.discard(self.viewer)
        try:
            out = await self._in_thread(self.pet.release_all, self.viewer.holder,
                                        self.svc.scheduler.clock.now())
            self.svc.scheduler.publish(self.pet, out)
        except RuntimeError:  # shutting down: the pools are gone, nothing is held
            pass

    async def run(self) -> None:
        ws, pet, viewer = self.ws, self.pet, self.viewer
        assert ws is not None
        await ws.accept()
        await self.attach()
        writer = asyncio.create_task(_writer(ws, viewer))
        began = time.monotonic()
        event("ws_open", pet=pet.id, user=self.user_id, viewer=viewer.holder)
        try:
            while not viewer.closed:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect" or viewer.closed:
                    break  # closed meanwhile (e.g. signed out): the message is not applied
                if message.get("text") is not None:
                    try:
                        await self.handle(message["text"])
                    except Exception as exc:  # our fault, not the viewer's: say so, stay open
                        logging.getLogger("pygotchi").error(
                            "ws_message_failed", exc_info=exc, extra={"fields": {
                                "pet": pet.id, "request_id": self.request_id,
                                "error": f"{type(exc).__name__}: {exc}"}})
                        viewer.send(_error("the server could not handle this message; the "
                                           f"details are in its log (request {self.request_id})"))
                else:
                    viewer.send(_error("send JSON text messages, not binary ones"))
        except Exception as exc:  # a broken connection ends the session, nothing else
            if not isinstance(exc, RuntimeError):
                event("ws_error", logging.WARNING, pet=pet.id, error=type(exc).__name__)
        finally:
            pet.viewers.discard(viewer)
            viewer.close(1000)
            try:
                await asyncio.wait_for(writer, 2)
            except (TimeoutError, asyncio.CancelledError, Exception):
                writer.cancel()
            await self.detach()
            event("ws_close", pet=pet.id, user=self.user_id, viewer=viewer.holder,
                  seconds=round(time.monotonic() - began, 1))


@router.websocket("/api/pets/{pet_id}/ws")
async def live_view(ws: WebSocket, pet_id: str) -> None:
    svc = services(ws)
    try:
        principal = await run_in_threadpool(svc.auth.identify_websocket, ws)
    except Exception as exc:  # the database failed us: not the viewer's sign-in
        request_id = (ws.scope.get("state") or {}).get("request_id", "-")
        logging.getLogger("pygotchi").error(
            "ws_refused", exc_info=exc, extra={"fields": {
                "pet": pet_id[:40], "request_id": request_id,
                "error": f"{type(exc).__name__}: {exc}"}})
        await _refuse(ws, 1011, f"server error (request {request_id}); try again later")
        return
    if principal is None:
        await _refuse(ws, 4401, "sign in first")
        return
    pet = svc.scheduler.get(pet_id, principal.user_id)
    runner = None
    if pet is None and svc.relay is not None and len(pet_id) <= 32:
        runner = await svc.relay.runner_of(pet_id)  # another node runs it (if it is theirs)
        if runner is not None and not await run_in_threadpool(_owns, svc, pet_id, principal):
            runner = None
    if runner is None and (pet is None or pet.error is not None):
        why = "there is no such pet" if pet is None else "this pet cannot run (see its error)"
        await _refuse(ws, 4404, why)
        return
    viewer = Viewer(holder=f"ws{next(_ids)}")
    if not svc.sockets.add(viewer, principal):  # filed before the re-check below
        await _refuse(ws, CLOSE_TOO_MANY, f"too many live views open for this account "
                                          f"(at most {svc.sockets.max_per_user}): close one")
        return
    try:
        # Signed out or revoked between the first check and filing: the registry could
        # not have closed this socket, so look once more.
        if not await run_in_threadpool(svc.auth.still_valid, principal):
            await _refuse(ws, 4401, "sign in first")
            return
        if runner is not None:
            await _relayed(svc, ws, pet_id, principal, viewer, runner)
        else:
            assert pet is not None
            await LiveConnection(svc, ws, pet, principal, viewer).run()
    finally:
        svc.sockets.remove(viewer)


def _owns(svc: Services, pet_id: str, who: Principal) -> bool:
    with svc.db.session() as s:
        return pet_store.get_pet(s, pet_id, who.user_id) is not None


async def _relayed(svc: Services, ws: WebSocket, pet_id: str, who: Principal, viewer: Viewer,
                   runner: str) -> None:
    """A live view of a pet another node runs: frames come from there, buttons go there."""
    relay = svc.relay
    assert relay is not None
    await ws.accept()
    sub = relay.open_remote(viewer, runner)
    relay.post(runner, {"k": "watch", "sub": sub, "pet": pet_id, "owner": who.user_id,
                        "from": relay.node})
    writer = asyncio.create_task(_writer(ws, viewer))
    event("ws_open", pet=pet_id, user=who.user_id, viewer=viewer.holder, node=runner)
    try:
        while not viewer.closed:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect" or viewer.closed:
                break
            text = message.get("text")
            if text is None:
                viewer.send(_error("send JSON text messages, not binary ones"))
            elif len(text) > MAX_MESSAGE:
                viewer.send(_error("message too long"))
            else:
                relay.post(runner, {"k": "in", "sub": sub, "t": text})
    except Exception as exc:  # a broken connection ends the session, nothing else
        if not isinstance(exc, RuntimeError):
            event("ws_error", logging.WARNING, pet=pet_id, error=type(exc).__name__)
    finally:
        relay.close_remote(sub, runner)
        viewer.close(1000)
        try:
            await asyncio.wait_for(writer, 2)
        except (TimeoutError, asyncio.CancelledError, Exception):
            writer.cancel()
