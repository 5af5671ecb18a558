"""Conversations with real toys through a transceiver (SPEC.md §3.4).

* :func:`snoop` records every frame two toys exchange.
* :func:`initiate` plays the initiator: send 1, await 2, send 3, await 4, resending
  a message when its answer does not come.
* :func:`respond` plays a waiting toy with an identity of the user's choosing:
  await 1, send 2, await 3, send 4 (twice, as toys do).

Each takes a :class:`CancelToken` (cancel from another thread, overall time-out)
and an optional ``on_event`` callback for progress. :class:`Job` runs any of them
in a worker thread, which is what a web server needs: start, watch the events,
cancel, collect the result or the error.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pygotchi.ir.builders import Gift, Identity, build_answer
from pygotchi.ir.conversation import Conversation, now_ms
from pygotchi.ir.errors import Cancelled, DecodeError, IrError, NoReply, SessionTimeout
from pygotchi.ir.message import Message

if TYPE_CHECKING:
    from pygotchi.ir.transceiver import Transceiver

T = TypeVar("T")


class CancelToken:
    """Cancellation plus an optional overall deadline, checked between reads."""

    def __init__(self, timeout: float | None = None) -> None:
        self._event = threading.Event()
        self.deadline = None if timeout is None else time.monotonic() + timeout

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    @property
    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def check(self) -> None:
        """Raise :class:`Cancelled` or :class:`SessionTimeout` when it is time to stop."""
        if self._event.is_set():
            raise Cancelled("cancelled")
        if self.expired:
            raise SessionTimeout("the session ran out of time")

    def remaining(self) -> float | None:
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())


@dataclass(frozen=True)
class SessionEvent:
    """Progress for a user interface: ``kind`` is sent, received, ignored, waiting."""

    kind: str
    text: str
    message: Message | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "message": self.message.to_dict() if self.message else None,
        }


OnEvent = Callable[[SessionEvent], None]


def _noop(event: SessionEvent) -> None:
    pass


class _Link:
    """A transceiver plus the session's token and event sink."""

    def __init__(self, tr: Transceiver, token: CancelToken | None, on_event: OnEvent | None):
        self.tr = tr
        self.token = token or CancelToken()
        self.emit = on_event or _noop

    def send(self, msg: Message, what: str) -> None:
        self.token.check()
        self.tr.send(msg.frame)
        self.emit(SessionEvent("sent", what, msg))

    def listen(self) -> Message | None:
        """One listen window; None on silence. Bad frames are reported and skipped."""
        self.token.check()
        frame = self.tr.listen_once(cancel=self.token.check, backstop=self._backstop())
        if frame is None:
            return None
        msg = Message(frame)
        if not msg.checksum_ok:
            self.emit(SessionEvent("ignored", "received a frame with a bad checksum", msg))
            return None
        self.emit(SessionEvent("received", f"received message {msg.role or '?'}", msg))
        return msg

    def _backstop(self) -> float:
        left = self.token.remaining()
        return self.tr.backstop if left is None else max(0.05, min(self.tr.backstop, left))


def snoop(
    tr: Transceiver,
    *,
    token: CancelToken | None = None,
    max_frames: int | None = None,
    on_event: OnEvent | None = None,
    keep_bad: bool = True,
) -> list[Message]:
    """Listen until cancelled, out of time or ``max_frames`` frames; return them in order.

    Ending by cancel or time-out is the normal way to stop a snoop, so it returns
    what it heard instead of raising. Frames with a bad checksum are kept (a
    recording should show what was on the air) unless ``keep_bad`` is False.
    """
    link = _Link(tr, token, on_event)
    heard: list[Message] = []
    try:
        while max_frames is None or len(heard) < max_frames:
            link.token.check()
            frame = tr.listen_once(cancel=link.token.check, backstop=link._backstop())
            if frame is None:
                continue
            msg = Message(frame)
            if msg.checksum_ok or keep_bad:
                heard.append(msg)
                link.emit(SessionEvent("received", f"frame {len(heard)}: {msg.summary()}", msg))
    except (Cancelled, SessionTimeout):
        pass
    return heard


def _await(link: _Link, wanted: Callable[[Message], bool], windows: int | None, what: str):
    """Listen until a wanted message arrives, for ``windows`` windows (None: forever)."""
    n = 0
    while windows is None or n < windows:
        n += 1
        link.emit(SessionEvent("waiting", f"waiting for {what}"))
        msg = link.listen()
        if msg is None:
            continue
        if wanted(msg):
            return msg
        link.emit(SessionEvent("ignored", f"not {what}: {msg.summary()}", msg))
    return None


def _exchange(link: _Link, out: Message, number: int, wanted, attempts: int) -> Message:
    """Send ``out`` (message ``number``) until its answer arrives."""
    for attempt in range(1, attempts + 1):
        link.send(out, f"sent message {number} (attempt {attempt} of {attempts})")
        reply = _await(link, wanted, 2, f"message {number + 1}")
        if reply is not None:
            return reply
    raise NoReply(f"no message {number + 1} after sending message {number} {attempts} times")


def initiate(
    tr: Transceiver,
    message1: Message,
    message3: Message,
    *,
    attempts: int = 3,
    token: CancelToken | None = None,
    on_event: OnEvent | None = None,
    name: str = "",
) -> Conversation:
    """Start a conversation with a waiting toy; return all four messages."""
    if message1.role != 1 or message3.role != 3:
        raise IrError("initiate needs a message 1 (type 0x00) and a message 3 (even type)")
    link = _Link(tr, token, on_event)
    m2 = _exchange(link, message1, 1, lambda m: m.role == 2, attempts)
    m4 = _exchange(
        link, message3, 3, lambda m: m.role == 4 and m.type == message3.type + 1, attempts
    )
    return Conversation((message1, m2, message3, m4), name, now_ms())


def respond(
    tr: Transceiver,
    identity: Identity,
    *,
    gift: Gift | None = None,
    answer: Callable[[Message], Message] | None = None,
    attempts: int = 3,
    repeat_final: int = 2,
    token: CancelToken | None = None,
    on_event: OnEvent | None = None,
    name: str = "",
) -> Conversation:
    """Wait for a toy to start a conversation and answer it as ``identity``.

    ``answer(incoming)`` may replace the built-in answers (message 2 for a message
    1, message 4 for a message 3), e.g. to replay recorded messages. A toy that
    repeats message 1 (it missed our message 2) gets message 2 again.
    """
    link = _Link(tr, token, on_event)
    make = answer or (lambda incoming: build_answer(identity, incoming, gift))
    m1 = _await(link, lambda m: m.role == 1, None, "message 1 from the toy")
    assert m1 is not None  # waiting forever only ends by cancel/time-out, which raise
    m2 = make(m1)
    m3 = None
    sends = 0
    while m3 is None and sends < attempts:
        sends += 1
        link.send(m2, f"sent message 2 (try {sends})")
        got = _await(
            link,
            lambda m: m.role == 3 or (m.role == 1 and m.device_id == m1.device_id),
            attempts,
            "message 3 (or a repeated message 1)",
        )
        if got is None:
            break
        if got.role == 3:
            m3 = got
    if m3 is None:
        raise NoReply("the toy did not send message 3")
    if m3.device_id != m1.device_id:
        raise IrError(
            f"message 3 came from device {m3.device_id:04X}, message 1 from {m1.device_id:04X}"
        )
    try:
        m4 = make(m3)
    except DecodeError as exc:
        raise IrError(f"cannot answer message 3: {exc}") from exc
    for k in range(repeat_final):
        link.send(m4, f"sent message 4 ({k + 1} of {repeat_final})")
    return Conversation((m1, m2, m3, m4), name, now_ms())


# -- worker threads ------------------------------------------------------------------------


class Job(Generic[T]):
    """Run ``target(token, on_event)`` in a daemon thread.

    ``events`` is a queue of :class:`SessionEvent` for a UI to drain; ``status`` is
    ``running``, ``done``, ``failed`` or ``cancelled``; :meth:`result` returns the
    value or raises the session's error.
    """

    def __init__(
        self,
        target: Callable[[CancelToken, OnEvent], T],
        *,
        timeout: float | None = None,
        name: str = "ir-session",
    ) -> None:
        self.token = CancelToken(timeout)
        self.events: queue.Queue[SessionEvent] = queue.Queue()
        self.status = "pending"
        self._target = target
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Job[T]:
        self.status = "running"
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._value = self._target(self.token, self.events.put)
            self.status = "done"
        except Cancelled as exc:
            self._error = exc
            self.status = "cancelled"
        except BaseException as exc:  # reported through result(), never lost
            self._error = exc
            self.status = "failed"

    def cancel(self) -> None:
        self.token.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def done(self) -> bool:
        return self.status in ("done", "failed", "cancelled")

    def result(self, timeout: float | None = None) -> T:
        if not self.wait(timeout):
            raise SessionTimeout("the session is still running")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
