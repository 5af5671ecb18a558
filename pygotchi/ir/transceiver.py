"""pyserial drivers for the IR modems: Pico firmware and Flipper companion apps (SPEC.md §3).

All of them speak two commands, ``tamagometer listen`` (one report within ~1 s)
and ``tamagometer send<160 bits>`` (no reply on success), and report through
tokens found by :class:`~pygotchi.ir.stream.StreamParser`. The drivers differ only
in the quirks around that:

* Pico (MicroPython): echoes commands, ends lines with ``\\r\\n``, prints ``Error``
  when a send fails, and a garbled frame ends its listen window with a short
  ``[PICO]...[END]`` report and no time-out token.
* Flipper companion (v0.3): echo and a ``>:`` prompt, no newline after tokens, a NUL
  after ``[END]``, and "command not found" when the app is not open.
* Enhanced Flipper companion: an ``info`` handshake with capabilities, Ctrl+C to
  cancel, ``Invalid 160-bit message.`` on a bad send.

A listen always has a host-side backstop (the device may never answer), every
blocking call polls an optional ``cancel`` callable (raise to stop), and stale
bytes are drained before each command so a late report is never mistaken for an
answer to the next one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import serial

from pygotchi.ir.errors import LengthError, TransceiverError
from pygotchi.ir.frame import Frame
from pygotchi.ir.ports import PortInfo, list_ports
from pygotchi.ir.stream import Event, StreamParser

BAUDRATE = 460800  # what the web app uses; both devices are native USB, so it is moot
READ_SLICE = 0.05  # seconds per read; bounds how quickly cancel is noticed
BACKSTOP = 2.0  # host-side limit for one listen (device window is 1 s), as the web app
SILENT_LIMIT = 3  # listens in a row without any report => the device is not running
PROBE_TIME = 1.0  # how long auto-detection waits for an answer to `tamagometer info`

Cancel = Callable[[], None]
NOT_FOUND = (
    "the Flipper answered 'command not found': open the Tamagometer companion app on "
    "the Flipper and try again"
)


@dataclass
class Stats:
    frames: int = 0
    timeouts: int = 0
    garbled: int = 0
    silent: int = 0  # listens that ended on the host's backstop
    sent: int = 0


class Transceiver:
    """Base driver; use :func:`open_transceiver` to get the right subclass."""

    kind = "generic"
    command_prefix = "tamagometer "

    def __init__(self, port: serial.SerialBase, *, backstop: float = BACKSTOP) -> None:
        self.port = port
        self.backstop = backstop
        self.parser = StreamParser()
        self.stats = Stats()
        self._silent_in_a_row = 0
        self._lock = threading.RLock()

    # -- lifecycle ----------------------------------------------------------------------

    @classmethod
    def open(cls, device: str, **kwargs: float) -> Transceiver:
        return cls(_open_serial(device), **kwargs)

    def close(self) -> None:
        try:
            self.port.close()
        except (OSError, serial.SerialException):
            pass

    def __enter__(self) -> Transceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} on {getattr(self.port, 'port', '?')}>"

    # -- the two commands ---------------------------------------------------------------

    def send(self, frame: Frame | str) -> None:
        """Transmit one frame (a :class:`Frame`, or 160 bits)."""
        bits = frame.bits if isinstance(frame, Frame) else frame
        if len(bits) != 160 or set(bits) - {"0", "1"}:
            raise LengthError("the transceivers send exactly 160 bits of 0/1")
        with self._lock:
            self._drain()
            self._command("send" + bits)
            self.stats.sent += 1

    def listen_once(
        self, *, cancel: Cancel | None = None, backstop: float | None = None
    ) -> Frame | None:
        """Arm the receiver once; return the :class:`Frame` heard, or None.

        None means the device reported a time-out or a garbled frame, or said
        nothing before the backstop. Several silent backstops in a row raise
        :class:`TransceiverError`: the firmware is evidently not running.
        """
        with self._lock:
            self._drain()
            self._command("listen")
            deadline = time.monotonic() + (self.backstop if backstop is None else backstop)
            while time.monotonic() < deadline:
                if cancel is not None:
                    try:
                        cancel()
                    except BaseException:
                        self._abort()
                        raise
                for event in self._read_events():
                    result = self._listen_event(event)
                    if result is not None:
                        self._silent_in_a_row = 0
                        return result if isinstance(result, Frame) else None
            self.stats.silent += 1
            self._silent_in_a_row += 1
            if self._silent_in_a_row >= SILENT_LIMIT:
                self._silent_in_a_row = 0
                raise TransceiverError(
                    f"the transceiver on {self.port.port} gave no report to {SILENT_LIMIT} "
                    "listen commands in a row: is the firmware (or the Flipper app) running?"
                )
            return None

    def _listen_event(self, event: Event) -> Frame | bool | None:
        """Frame: done with a frame; False: done without one; None: keep listening."""
        if event.kind == "frame":
            self.stats.frames += 1
            return Frame.from_bits(event.bits)
        if event.kind == "timeout":
            self.stats.timeouts += 1
            return False
        if event.kind == "garbled":
            # The Pico reports whatever it collected and ends the window.
            self.stats.garbled += 1
            return False
        self._complaint(event)
        return None

    def _complaint(self, event: Event) -> None:
        if event.kind == "not_found":
            raise TransceiverError(NOT_FOUND)
        if event.kind == "error":
            raise TransceiverError(
                "the Pico could not transmit ('Error'); firmware from 2024-12-24 to "
                "2025-12-09 has a broken send command, update it"
            )
        if event.kind == "bad_send":
            raise TransceiverError("the companion app rejected the frame as invalid")
        if event.kind == "bad_args":
            raise TransceiverError(f"the companion app did not understand: {event.text}")

    # -- plumbing -----------------------------------------------------------------------

    def _command(self, command: str) -> None:
        self._write((self.command_prefix + command + "\r\n").encode("ascii"))

    def _write(self, data: bytes) -> None:
        try:
            self.port.write(data)
            self.port.flush()
        except serial.SerialTimeoutException:
            raise TransceiverError(f"writing to {self.port.port} timed out") from None
        except (OSError, serial.SerialException) as exc:
            raise self._gone(exc) from None

    def _read_events(self) -> list[Event]:
        try:
            data = self.port.read(max(1, self.port.in_waiting))
        except (OSError, serial.SerialException) as exc:
            raise self._gone(exc) from None
        return self.parser.feed(data) if data else []

    def _drain(self) -> None:
        """Drop stale input, but still react to complaints hidden in it."""
        try:
            waiting = self.port.in_waiting
            data = self.port.read(waiting) if waiting else b""
        except (OSError, serial.SerialException) as exc:
            raise self._gone(exc) from None
        events = self.parser.feed(data) if data else []
        self.parser.reset()
        for event in events:
            self._complaint(event)

    def _gone(self, exc: BaseException) -> TransceiverError:
        return TransceiverError(f"the transceiver on {self.port.port} went away: {exc}")

    def _abort(self) -> None:
        """Stop a running command on cancel (only where the firmware supports it)."""


class PicoTransceiver(Transceiver):
    kind = "pico"


class FlipperTransceiver(Transceiver):
    kind = "flipper"


class EnhancedFlipperTransceiver(Transceiver):
    """The enhanced companion: capability handshake and Ctrl+C cancel."""

    kind = "flipper-enhanced"

    def __init__(self, port: serial.SerialBase, **kwargs: float) -> None:
        super().__init__(port, **kwargs)
        self.capabilities: dict[str, str] = {}

    def handshake(self, wait: float = 1.8) -> dict[str, str]:
        """Ask ``tamagometer info``; require protocol 1 with ``connection_ir``."""
        with self._lock:
            self._drain()
            self._command("info")
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                for event in self._read_events():
                    if event.kind == "info":
                        self.capabilities = parse_info(event.text)
                        _require_ir(self.capabilities)
                        return self.capabilities
                    self._complaint(event)
        raise TransceiverError("the enhanced companion did not answer 'tamagometer info'")

    def _abort(self) -> None:
        try:
            self._write(b"\x03")
        except TransceiverError:
            pass


def parse_info(text: str) -> dict[str, str]:
    """``version=2.0;protocol=1;capabilities=a,b`` -> dict."""
    out = {}
    for part in text.split(";"):
        key, _, value = part.partition("=")
        if key.strip():
            out[key.strip()] = value.strip()
    return out


def _require_ir(info: dict[str, str]) -> None:
    caps = {c.strip() for c in info.get("capabilities", "").split(",")}
    if info.get("protocol") != "1" or "connection_ir" not in caps:
        raise TransceiverError(
            f"the companion reports protocol {info.get('protocol')!r} with capabilities "
            f"{sorted(caps)}; pygotchi needs protocol 1 with connection_ir"
        )


# -- opening and detection ---------------------------------------------------------------

DRIVERS: dict[str, type[Transceiver]] = {
    "pico": PicoTransceiver,
    "flipper": FlipperTransceiver,
    "flipper-enhanced": EnhancedFlipperTransceiver,
}


def _open_serial(device: str) -> serial.Serial:
    try:
        return serial.Serial(device, baudrate=BAUDRATE, timeout=READ_SLICE, write_timeout=2.0)
    except (OSError, serial.SerialException, ValueError) as exc:
        hint = ""
        if "ermission" in str(exc):
            hint = " (on Linux, add yourself to the 'dialout' group and log in again)"
        raise TransceiverError(f"cannot open {device}: {exc}{hint}") from None


def choose_port(ports: list[PortInfo] | None = None) -> PortInfo:
    """The port to use when the user named none."""
    ports = list_ports() if ports is None else ports
    if not ports:
        raise TransceiverError(
            "no serial ports found: plug in the Pico or the Flipper with a data cable"
        )
    likely = [p for p in ports if p.guess != "unknown"]
    if len(likely) == 1 or (likely and len(ports) == 1):
        return likely[0]
    if len(ports) == 1:
        return ports[0]
    listing = ", ".join(f"{p.device} ({p.guess})" for p in ports)
    raise TransceiverError(f"several serial ports, choose one with --port: {listing}")


def detect_kind(port: serial.SerialBase, hint: str = "unknown", probe: float = PROBE_TIME) -> str:
    """Ask ``tamagometer info`` and judge by the answer.

    The enhanced companion answers with an info token; the Flipper CLI shows its
    ``>:`` prompt (or complains that the command is missing: app closed); a Pico only
    echoes. The USB identity breaks ties.
    """
    parser = StreamParser()
    seen = b""
    try:
        port.reset_input_buffer()
        port.write(b"tamagometer info\r\n")
        port.flush()
        deadline = time.monotonic() + probe
        while time.monotonic() < deadline:
            data = port.read(max(1, port.in_waiting))
            seen += data
            for event in parser.feed(data):
                if event.kind in ("info", "bad_args"):
                    return "flipper-enhanced"
                if event.kind == "not_found":
                    raise TransceiverError(NOT_FOUND)
            if b">:" in seen and time.monotonic() > deadline - probe / 2:
                break  # a Flipper prompt, and the enhanced app would have answered by now
    except (OSError, serial.SerialException) as exc:
        raise TransceiverError(f"the transceiver on {port.port} went away: {exc}") from None
    if b">:" in seen or hint == "flipper":
        return "flipper"
    return "pico"


def open_transceiver(
    device: str | None = None,
    kind: str = "auto",
    *,
    backstop: float = BACKSTOP,
    probe: float = PROBE_TIME,
) -> Transceiver:
    """Open a transceiver: the named port (or the likely one) and driver (or detect it)."""
    info = None
    if device is None:
        info = choose_port()
        device = info.device
    if kind != "auto" and kind not in DRIVERS:
        raise TransceiverError(f"unknown transceiver kind {kind!r}; use {', '.join(DRIVERS)}")
    port = _open_serial(device)
    try:
        if kind == "auto":
            hint = info.guess if info else _guess_for(device)
            kind = detect_kind(port, hint, probe)
        tr = DRIVERS[kind](port, backstop=backstop)
        if isinstance(tr, EnhancedFlipperTransceiver):
            tr.handshake()
        return tr
    except BaseException:
        port.close()
        raise


def _guess_for(device: str) -> str:
    try:
        return next((p.guess for p in list_ports() if p.device == device), "unknown")
    except Exception:  # port enumeration is best effort only
        return "unknown"
