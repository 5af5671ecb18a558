"""A fake transceiver on a real pseudo-terminal, and simulated toys in front of it.

:class:`FakeDevice` opens a pty pair and runs a thread that plays the *device* side
of SPEC.md §3 on the master end, so the real drivers talk to it through pyserial
on the slave end (``serial.Serial(device.port)``), exactly as to hardware. Its
``style`` picks the firmware quirks of §3.3/§3.5:

* ``pico``: echo of every command, ``\\r\\n`` after reports, ``Error`` on a bad
  send, a garbled frame ends the listen window with a short ``[PICO]`` report.
* ``flipper``: echo plus ``>:`` prompt, no newline, a NUL after ``[END]``,
  ``Invalid signal received`` leaking into the stream on a garbled frame.
* ``enhanced``: like ``flipper`` without the NUL, plus ``tamagometer info`` and
  Ctrl+C.
* ``flipper-closed``: the Flipper CLI with the companion app closed.

Reports can be cut into random chunks and surrounded by debug noise. "The air" in
front of the device is shared by :class:`SimulatedToy` objects: everything a toy
or the host transmits is heard by every other toy, and by the device whenever it
is listening. A frame that arrives while the device is not listening is lost
after ``retain`` seconds, as frames between two listen windows are on hardware.

This module is for tests and demos (``--fake`` in the CLI); it never touches
hardware.
"""

from __future__ import annotations

import os
import random
import select
import threading
import time
import tty
from collections.abc import Iterable
from dataclasses import dataclass, field

from pygotchi.ir.builders import (
    Activity,
    Game,
    Gift,
    Identity,
    Visit,
    build_answer,
    build_profile,
    build_request,
)
from pygotchi.ir.conversation import Conversation
from pygotchi.ir.errors import DecodeError
from pygotchi.ir.message import Message

STYLES = ("pico", "flipper", "enhanced", "flipper-closed")
PROMPT = "\r\n>: "
INFO_BODY = "version=2.0.0-fake;protocol=1;capabilities=connection_ir,connection_legacy"
NOISE = ("DBG rx armed\r\n", "I (1234) ir: carrier\r\n", "\r\n", "free mem 123456\r\n")


# -- toys ----------------------------------------------------------------------------------


@dataclass
class SimulatedToy:
    """A 2024 toy that plays one side of one conversation.

    A *responder* waits for message 1, answers 2, waits for 3 and answers 4 (twice,
    as toys do); it answers repeats of 1 and 3 again, because the other side
    retries when it misses a reply. An *initiator* sends message 1 every
    ``retry_interval`` seconds until it hears 2, then message 3 until it hears 4,
    and gives up ("FAIL") after ``max_sends`` sends of the same message.
    ``deaf`` frames are ignored at first, to exercise the other side's retries.
    """

    identity: Identity
    role: str = "responder"
    activity: Activity | None = None  # initiator: what to ask for
    gift: Gift | None = None  # responder: what to give
    reply_delay: float = 0.05
    retry_interval: float = 0.6
    max_sends: int = 8
    start_delay: float = 0.0
    deaf: int = 0
    # What happened (read by tests); the device thread calls tick() and hear().
    state: str = field(default="idle", init=False)  # idle, waiting, done, fail
    received: list[Message] = field(default_factory=list, init=False)
    sent: list[Message] = field(default_factory=list, init=False)
    _outbox: list[tuple[float, Message]] = field(default_factory=list, init=False, repr=False)
    _slots: dict[int, Message] = field(default_factory=dict, init=False, repr=False)
    _started: float | None = field(default=None, init=False, repr=False)
    _next_retry: float = field(default=0.0, init=False, repr=False)
    _sends_of_current: int = field(default=0, init=False, repr=False)

    def _wake(self, now: float) -> None:
        if self._started is None:
            self._started = now
            self.state = "waiting"

    def tick(self, now: float) -> list[Message]:
        self._wake(now)
        out = [m for t, m in self._outbox if t <= now]
        self._outbox = [(t, m) for t, m in self._outbox if t > now]
        if self.role == "initiator" and self.state == "waiting":
            out += self._initiator_tick(now)
        self.sent += out
        return out

    def _initiator_tick(self, now: float) -> list[Message]:
        started = self._started if self._started is not None else now
        if now < started + self.start_delay or now < self._next_retry:
            return []
        current = self._slots.get(3) or self._slots.get(1)
        if current is None:
            current = build_profile(self.identity, 1, game_type=_game_bits(self.activity))
            self._slots[1] = current
        if self._sends_of_current >= self.max_sends:
            self.state = "fail"
            return []
        self._sends_of_current += 1
        self._next_retry = now + self.retry_interval
        return [current]

    def hear(self, msg: Message, now: float) -> None:
        self._wake(now)
        if self.deaf > 0:
            self.deaf -= 1
            return
        if not msg.checksum_ok or self.state == "fail":
            return
        self.received.append(msg)
        if self.role == "responder":
            self._responder_hear(msg, now)
        else:
            self._initiator_hear(msg, now)

    def _responder_hear(self, msg: Message, now: float) -> None:
        if msg.role == 1:
            self._slots = {1: msg}
            self._slots[2] = build_answer(self.identity, msg)
            self._outbox.append((now + self.reply_delay, self._slots[2]))
        elif msg.role == 3 and 1 in self._slots:
            if msg.device_id != self._slots[1].device_id:
                self.state = "fail"
                return
            if 4 not in self._slots or self._slots.get(3) != msg:
                self._slots[3] = msg
                self._slots[4] = build_answer(self.identity, msg, self.gift)
            reply = self._slots[4]
            self._outbox += [(now + self.reply_delay, reply), (now + 2 * self.reply_delay, reply)]
            self.state = "done"

    def _initiator_hear(self, msg: Message, now: float) -> None:
        if msg.role == 2 and 3 not in self._slots and 1 in self._slots:
            self._slots[2] = msg
            self._slots[3] = build_request(self.identity, self.activity or _default_activity())
            self._sends_of_current = 0
            self._next_retry = now + self.reply_delay
        elif msg.role == 4 and 3 in self._slots and msg.type == self._slots[3].type + 1:
            self._slots[4] = msg
            self.state = "done"

    def conversation(self) -> Conversation:
        """What this toy saw of its conversation (its own and the other side's)."""
        return Conversation(tuple(self._slots.get(n) for n in (1, 2, 3, 4)))


def _game_bits(activity: Activity | None) -> int:
    return activity.game_code if isinstance(activity, Game) else 0


def _default_activity() -> Activity:
    return Visit()


# -- the device --------------------------------------------------------------------------


class FakeDevice:
    """The device side of the serial protocol, on a pty, with toys in front of it."""

    def __init__(
        self,
        style: str = "pico",
        *,
        toys: Iterable[SimulatedToy] = (),
        window: float = 1.0,
        retain: float = 0.3,
        chunked: bool = True,
        noise: bool = False,
        garble: int = 0,
        seed: int = 0,
    ) -> None:
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}")
        self.style = style
        self.toys = list(toys)
        self.window = window
        self.retain = retain
        self.chunked = chunked
        self.noise = noise
        self.garble = garble  # how many of the next reports come out garbled
        self.rng = random.Random(seed)
        self.sent: list[str] = []  # bit strings the host asked to transmit
        self.commands: list[str] = []  # every line the host wrote
        self.air: list[tuple[float, str]] = []  # (time, bits) heard by the receiver
        self.queued: list[str] = []  # canned frames for the next listens
        self.interrupts = 0  # Ctrl+C bytes received
        self._listening_since: float | None = None
        self._line = bytearray()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._master = self._slave = -1
        self._thread: threading.Thread | None = None
        self.port = ""

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> FakeDevice:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo or line editing by the kernel: we do our own
        self.port = os.ttyname(self._slave)
        self._thread = threading.Thread(target=self._run, name="fake-ir-device", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        for fd in (self._master, self._slave):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._slave = -1

    def __enter__(self) -> FakeDevice:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def driver_kind(self) -> str:
        """The ``open_transceiver`` kind for this style (tests that are not about
        auto-detection should not depend on how fast detection gets an answer)."""
        return {"enhanced": "flipper-enhanced", "flipper-closed": "flipper"}.get(
            self.style, self.style
        )

    # -- test controls ------------------------------------------------------------------

    def queue_frame(self, frame: Message | str) -> None:
        """A canned frame the next listen will report (as if it had just been heard)."""
        bits = frame.bits if isinstance(frame, Message) else frame
        with self._lock:
            self.queued.append(bits)

    # -- the loop -----------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._master], [], [], 0.01)
            except (OSError, ValueError):
                return
            if ready:
                try:
                    data = os.read(self._master, 4096)
                except OSError:
                    data = b""
                for byte in data:
                    self._byte(byte)
            self._tick(time.monotonic())

    def _byte(self, byte: int) -> None:
        if byte == 0x03:  # Ctrl+C
            self.interrupts += 1
            self._line.clear()
            if self.style == "enhanced" and self._listening_since is not None:
                self._listening_since = None
                self._out("^C" + PROMPT)
            return
        if byte in (0x0D, 0x0A):
            if self._line:
                line = self._line.decode("ascii", "replace")
                self._line.clear()
                self._command(line)
            return
        self._line.append(byte)

    def _command(self, line: str) -> None:
        self.commands.append(line)
        flipper = self.style != "pico"
        self._out(line + ("\r\n" if not flipper else ""))  # echo
        if self.style == "flipper-closed":
            word = line.split()[0] if line.split() else line
            self._out(f"\r\n`{word}` command not found" + PROMPT)
            return
        if not line.startswith("tamagometer "):
            if flipper:
                self._out(PROMPT)
            return
        arg = line[len("tamagometer ") :].strip()
        if arg == "listen":
            self._listening_since = time.monotonic()
        elif arg.startswith("send"):
            self._send(arg[4:])
        elif arg == "info" and self.style == "enhanced":
            self._report(f"[TAMAGOMETER]{INFO_BODY}[END]")
        elif self.style == "enhanced":
            self._out(
                "Invalid argument(s). Use info, listen, send<bits>, legacy, or "
                "friends<0-255>.\r\n" + PROMPT
            )
        elif flipper:
            self._out(PROMPT)

    def _send(self, bits: str) -> None:
        if len(bits) != 160 or set(bits) - {"0", "1"}:
            if self.style == "pico":
                self._out("Error\r\n")
            elif self.style == "enhanced":
                self._out("Invalid 160-bit message.\r\n" + PROMPT)
            return
        self.sent.append(bits)
        now = time.monotonic()
        try:
            msg = Message.from_bits(bits)
        except DecodeError:
            return
        for toy in self.toys:
            toy.hear(msg, now)
        if self.style != "pico":
            self._out(PROMPT)

    def _tick(self, now: float) -> None:
        for toy in self.toys:
            for msg in toy.tick(now):
                self.air.append((now, msg.bits))
                for other in self.toys:
                    if other is not toy:
                        other.hear(msg, now)
        self.air = [(t, b) for t, b in self.air if now - t <= max(self.retain, self.window)]
        if self._listening_since is None:
            return
        since = self._listening_since
        with self._lock:
            canned = self.queued.pop(0) if self.queued else None
        heard = canned or self._take_from_air(since)
        if heard is not None:
            if self.garble > 0:
                self.garble -= 1
                self._garbled(heard)
                return
            self._listening_since = None
            self._report(f"[PICO]{heard}[END]")
        elif now - since >= self.window:
            self._listening_since = None
            self._report("[PICO]timed out[END]")

    def _take_from_air(self, since: float) -> str | None:
        for i, (t, bits) in enumerate(self.air):
            if t >= since - self.retain:
                del self.air[i]
                return bits
        return None

    def _garbled(self, bits: str) -> None:
        """The frame was damaged on the air: the Pico reports what it collected and
        stops listening; the Flipper complains and listens on."""
        if self.style == "pico":
            self._listening_since = None
            cut = self.rng.randrange(8, 150)
            self._out(f"[PICO]{bits[:cut]}[END]\r\n")
        else:
            self._out("Invalid signal received\r\n")

    # -- output -------------------------------------------------------------------------

    def _report(self, token: str) -> None:
        if self.style == "pico":
            tail = "\r\n"
        elif self.style == "flipper":
            tail = "\0"
        else:
            tail = ""
        if self.noise and self.rng.random() < 0.5:
            self._out(self.rng.choice(NOISE))
        self._out(token + tail)
        if self.style != "pico":
            self._out(PROMPT)

    def _out(self, text: str) -> None:
        data = text.encode("ascii", "replace")
        if not self.chunked or len(data) < 4:
            self._write(data)
            return
        i = 0
        while i < len(data):
            n = self.rng.randint(1, max(1, len(data) // 3))
            self._write(data[i : i + n])
            i += n
            if self.rng.random() < 0.3:
                time.sleep(0.001)

    def _write(self, data: bytes) -> None:
        try:
            os.write(self._master, data)
        except OSError:
            pass
