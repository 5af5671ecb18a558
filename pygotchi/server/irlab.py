"""IR lab sessions on the server's transceiver: one at a time, each in a worker thread.

The transceiver is one physical device on the server's USB port, shared by every
user, so the lab runs at most one session (snoop, send, initiate or respond)
server-wide; a second start is refused with 409 ``busy`` saying whose session
holds the port. An administrator can stop anyone's session, so nobody holds the
transceiver against everyone else (and every session ends after
``PYGOTCHI_IR_SESSION_SECONDS`` at most). A session runs through
:class:`pygotchi.ir.session.Job` in its own thread and records its progress as
numbered events, which the API hands out by long polling (``after``/``wait``):
no socket to keep alive, and a reloaded page simply asks again from event 0.
Only the user who started a session sees what it heard.

With ``PYGOTCHI_IR_FAKE=1`` the lab also offers the port ``fake``: every session
on it gets a fresh :class:`~pygotchi.ir.fake.FakeDevice` on a pseudo-terminal
with simulated toys in front of it, driven by the same pyserial driver as
hardware, for demos and tests.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pygotchi.ir.builders import Gift, Identity, Visit
from pygotchi.ir.conversation import Conversation, group_conversations
from pygotchi.ir.errors import IrError
from pygotchi.ir.message import Message
from pygotchi.ir.ports import PortInfo, list_ports
from pygotchi.ir.session import CancelToken, Job, OnEvent, SessionEvent, initiate, respond, snoop
from pygotchi.server.errors import ApiError
from pygotchi.server.irframes import conversation_json, frame_json
from pygotchi.server.logs import event
from pygotchi.server.settings import Settings

MODES = ("snoop", "send", "initiate", "respond")
FAKE_PORT = "fake"
DEFAULT_SECONDS = {"snoop": 120.0, "send": 30.0, "initiate": 60.0, "respond": 300.0}
KEEP_SESSIONS = 20  # finished sessions kept for their owners to read (memory only)
MAX_EVENTS = 5000
FAKE_ALICE = Identity("ALICE", "Pipotchi", "girl", 0xDE5A)
FAKE_BOB = Identity("BOB", "Wooltchi", "boy", 0xBF22)


@dataclass
class Plan:
    """What a session is to do, already checked (frames parsed, identity built)."""

    mode: str
    port: str | None = None  # None: the configured or the likely port
    kind: str = "auto"  # transceiver driver, see pygotchi.ir.transceiver.DRIVERS
    messages: list[Message] = field(default_factory=list)  # send / [m1, m3] / [m2, m4]
    identity: Identity | None = None  # respond without recorded answers
    gift: Gift | None = None
    max_frames: int | None = None  # snoop
    repeat: int = 1  # send
    attempts: int = 3
    seconds: float = 60.0


@dataclass
class Opened:
    """A transceiver ready to use, and how to let go of it afterwards."""

    transceiver: Any
    port: str
    close: Callable[[], None]


# -- running one plan (in the worker thread) --------------------------------------------------


def _send_all(tr: Any, plan: Plan, token: CancelToken, emit: OnEvent) -> list[Message]:
    sent = []
    for n, msg in enumerate(plan.messages, 1):
        for k in range(plan.repeat):
            token.check()
            tr.send(msg.frame)
            sent.append(msg)
            times = f" ({k + 1} of {plan.repeat})" if plan.repeat > 1 else ""
            emit(SessionEvent("sent", f"sent frame {n}{times}", msg))
    return sent


def _replay(m2: Message, m4: Message) -> Callable[[Message], Message]:
    return lambda incoming: m2 if incoming.role == 1 else m4


def run_plan(plan: Plan, tr: Any, token: CancelToken, emit: OnEvent) -> Any:
    if plan.mode == "snoop":
        return snoop(tr, token=token, max_frames=plan.max_frames, on_event=emit)
    if plan.mode == "send":
        return _send_all(tr, plan, token, emit)
    if plan.mode == "initiate":
        m1, m3 = plan.messages
        return initiate(tr, m1, m3, attempts=plan.attempts, token=token, on_event=emit)
    answer = _replay(*plan.messages) if plan.messages else None
    return respond(tr, plan.identity or Identity(), gift=plan.gift, answer=answer,
                   attempts=plan.attempts, token=token, on_event=emit)


def result_json(mode: str, value: Any) -> dict[str, Any]:
    if isinstance(value, Conversation):
        return {"conversation": conversation_json(value),
                "frames": [frame_json(m) for m in value.messages if m is not None]}
    out: dict[str, Any] = {"frames": [frame_json(m) for m in value]}
    if mode == "snoop":
        out["conversations"] = [conversation_json(c) for c in group_conversations(value)]
    return out


# -- one session ------------------------------------------------------------------------------


class LabSession:
    """A plan running on an opened transceiver; events are appended by the worker."""

    def __init__(self, owner_id: int, plan: Plan, opened: Opened) -> None:
        self.id = secrets.token_urlsafe(9)
        self.owner_id = owner_id
        self.plan = plan
        self.port = opened.port
        self.started_at = time.time()
        self.finished_at: float | None = None
        self._opened = opened
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.job: Job[Any] = Job(self._target, timeout=plan.seconds, name=f"ir-{plan.mode}")

    @property
    def mode(self) -> str:
        return self.plan.mode

    @property
    def done(self) -> bool:
        return self.job.status != "running"

    def start(self) -> LabSession:
        self.job.start()
        return self

    def _record(self, ev: SessionEvent) -> None:
        with self._lock:
            if len(self._events) < MAX_EVENTS:
                self._events.append({"n": len(self._events), "kind": ev.kind, "text": ev.text,
                                     "at": time.time(),
                                     "frame": frame_json(ev.message) if ev.message else None})

    def _target(self, token: CancelToken, _emit: OnEvent) -> Any:
        try:
            return run_plan(self.plan, self._opened.transceiver, token, self._record)
        finally:
            try:
                self._opened.close()
            finally:
                self.finished_at = time.time()

    def event_count(self) -> int:
        with self._lock:
            return len(self._events)

    def view(self, after: int = 0, *, owner: bool = True) -> dict[str, Any]:
        """The session for its owner: status, events from number ``after``, the result.

        Anyone else allowed to see it (an administrator stopping it) gets the status
        only: what the toys said is the owner's.
        """
        with self._lock:
            events = self._events[max(0, after):]
            count = len(self._events)
        status = self.job.status
        out: dict[str, Any] = {
            "id": self.id, "mode": self.mode, "port": self.port, "status": status,
            "started_at": self.started_at, "finished_at": self.finished_at,
            "events": events if owner else [], "next": count if owner else 0,
            "result": None, "error": None,
        }
        if status == "running" or not owner:
            return out
        try:
            out["result"] = result_json(self.mode, self.job.result(0))
        except IrError as exc:
            out["error"] = str(exc)
        except Exception as exc:  # reported, never a traceback for the user
            event("ir_session_error", logging.ERROR, mode=self.mode,
                  error=f"{type(exc).__name__}: {exc}")
            out["error"] = "the session failed unexpectedly; the details are in the server log"
        return out

    def brief(self, viewer_id: int, admin: bool = False) -> dict[str, Any]:
        """What everyone may know of the session holding the port; its id (to stop it)
        only for its owner and administrators."""
        mine = viewer_id == self.owner_id
        return {"id": self.id if mine or admin else None, "mode": self.mode,
                "port": self.port, "started_at": self.started_at, "yours": mine}


# -- the lab ------------------------------------------------------------------------------------


_RESERVED = object()  # the port is being opened for a session that does not exist yet


class IrLab:
    """The server's transceiver sessions (one running at a time) and the ports on offer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._current: LabSession | object | None = None
        self._sessions: OrderedDict[str, LabSession] = OrderedDict()

    # -- ports --------------------------------------------------------------------------------

    def ports(self, admin: bool = False) -> list[dict[str, Any]]:
        """Detected serial ports, the configured one, and ``fake`` when enabled.

        ``usable`` says whether the caller may open the port: everyone may use the
        configured port, ports that look like a Pico or Flipper, and the fake one;
        other serial devices of the server (consoles, modems...) only an admin.
        """
        found = list_ports()
        configured = self.settings.ir_port
        out = [{**p.to_dict(), "usable": admin or p.guess != "unknown"
                or p.device == configured} for p in found]
        if configured and configured not in {p.device for p in found}:
            out.append({**PortInfo(configured, "configured (PYGOTCHI_IR_PORT)").to_dict(),
                        "usable": True})
        if self.settings.ir_fake:
            fake = PortInfo(FAKE_PORT, "built-in fake transceiver with simulated toys")
            out.insert(0, {**fake.to_dict(), "guess": "fake", "usable": True})
        return out

    def _device_for(self, requested: str | None, admin: bool) -> str:
        """The serial device a session may open: only ports this server offers the caller."""
        offered = self.ports(admin)
        usable = [p["device"] for p in offered if p["usable"]]
        if requested is not None:
            if requested in usable:
                return requested
            if any(p["device"] == requested for p in offered):
                raise ApiError(403, "forbidden", f"{requested} does not look like an IR "
                                                 "transceiver; only an administrator may use it")
            listing = ", ".join(usable) or "none"
            raise ApiError(422, "unknown_port", f"the server has no port {requested!r}; "
                                                f"ports on offer: {listing}")
        if self.settings.ir_port:
            return self.settings.ir_port
        likely = [p["device"] for p in offered if p["guess"] not in ("unknown", "fake")]
        if len(likely) == 1:
            return likely[0]
        if not likely and len(usable) == 1:
            return usable[0]
        if not usable:
            raise ApiError(422, "choose_port", "no serial port on the server looks like an IR "
                                               "transceiver: plug in the Pico or the Flipper")
        raise ApiError(422, "choose_port", "several ports could be the transceiver: choose one "
                                           f"of {', '.join(usable)}")

    def _open(self, plan: Plan, admin: bool) -> Opened:
        from pygotchi.ir.transceiver import open_transceiver

        device = self._device_for(plan.port, admin)
        if device == FAKE_PORT:
            return _open_fake(plan.mode)
        try:
            tr = open_transceiver(device, plan.kind)
        except IrError as exc:
            raise ApiError(409, "transceiver", str(exc)) from None
        return Opened(tr, device, tr.close)

    # -- sessions ------------------------------------------------------------------------------

    def start(self, owner_id: int, plan: Plan, admin: bool = False) -> LabSession:
        """Open the port and start ``plan`` (blocking: call it from a worker thread)."""
        with self._lock:
            current = self._current
            if current is _RESERVED or (isinstance(current, LabSession) and not current.done):
                raise self._busy(current, owner_id)
            self._current = _RESERVED
        session = None
        try:
            opened = self._open(plan, admin)
            session = LabSession(owner_id, plan, opened).start()
        finally:
            with self._lock:
                self._current = session
                if session is not None:
                    self._sessions[session.id] = session
                    self._forget_old()
        event("ir_session", mode=plan.mode, port=session.port, user=owner_id)
        return session

    def _busy(self, current: object, owner_id: int) -> ApiError:
        if isinstance(current, LabSession):
            who = "you" if current.owner_id == owner_id else "another user"
            ago = round(time.time() - current.started_at)
            what = f"a {current.mode} session started {ago} s ago by {who}"
        else:
            what = "a session that is just starting"
        return ApiError(409, "busy", f"the IR transceiver is busy with {what}; only one "
                                     "session at a time can use it. Wait or stop it first.")

    def _forget_old(self) -> None:
        while len(self._sessions) > KEEP_SESSIONS:
            oldest = next(iter(self._sessions.values()))
            if not oldest.done:
                break
            self._sessions.pop(oldest.id)

    def get(self, session_id: str, owner_id: int, *, admin: bool = False) -> LabSession | None:
        """The session if ``owner_id`` started it (or ``admin``, any session); None for
        unknown and foreign ones alike."""
        with self._lock:
            session = self._sessions.get(session_id)
        if session is None or not (admin or session.owner_id == owner_id):
            return None
        return session

    def running(self) -> LabSession | None:
        with self._lock:
            current = self._current
        return current if isinstance(current, LabSession) and not current.done else None

    def close(self, wait: float = 5.0) -> None:
        """Stop the running session (server shutdown)."""
        current = self.running()
        if current is not None:
            current.job.cancel()
            current.job.wait(wait)


def _open_fake(mode: str) -> Opened:
    """A fake device with toys that make each mode do something (SPEC.md §3.5)."""
    from pygotchi.ir.fake import FakeDevice, SimulatedToy
    from pygotchi.ir.transceiver import open_transceiver

    retain = 0.3
    if mode == "snoop":
        # BOB answers within 0.05 s; a long retry keeps a busy machine from making ALICE
        # repeat herself, so a snoop hears one clean conversation (and BOB's usual
        # double message 4).
        toys = [SimulatedToy(FAKE_ALICE, "initiator", Visit("Music"), retry_interval=3.0),
                SimulatedToy(FAKE_BOB, "responder")]
        retain = 60.0  # a snoop should hear every frame, even between two listen windows
    elif mode == "respond":
        toys = [SimulatedToy(FAKE_ALICE, "initiator", Visit("Ball"), retry_interval=0.6,
                             start_delay=0.3)]
    else:
        toys = [SimulatedToy(FAKE_BOB, "responder", gift=Gift("Hamburger"))]
    device = FakeDevice("pico", toys=toys, window=0.5, retain=retain).start()
    try:
        tr = open_transceiver(device.port, "pico")
    except BaseException:
        device.stop()
        raise

    def close() -> None:
        try:
            tr.close()
        finally:
            device.stop()

    return Opened(tr, FAKE_PORT, close)
