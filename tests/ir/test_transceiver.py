"""The pyserial drivers against the fake device, over a real pseudo-terminal."""

from __future__ import annotations

import os
import time

import pytest
import serial
from hypothesis import given, settings
from hypothesis import strategies as st

from pygotchi.ir.builders import Identity, Visit, build_conversation
from pygotchi.ir.errors import TransceiverError
from pygotchi.ir.fake import FakeDevice
from pygotchi.ir.ports import PortInfo, list_ports
from pygotchi.ir.stream import StreamParser
from pygotchi.ir.transceiver import (
    EnhancedFlipperTransceiver,
    FlipperTransceiver,
    PicoTransceiver,
    Transceiver,
    choose_port,
    detect_kind,
    open_transceiver,
)

CONV = build_conversation(
    Identity("ALICE", "Pipotchi", "boy", 0xDE5A),
    Identity("BOB", "Wooltchi", "boy", 0xBF22),
    Visit("Music"),
    timestamp=1,
)
STYLES = ["pico", "flipper", "enhanced"]
DRIVER = {
    "pico": PicoTransceiver,
    "flipper": FlipperTransceiver,
    "enhanced": EnhancedFlipperTransceiver,
}


@pytest.fixture(params=STYLES)
def device(request):
    with FakeDevice(request.param, window=0.2, noise=True, seed=3) as dev:
        yield dev


def _open(dev: FakeDevice) -> Transceiver:
    return open_transceiver(dev.port, dev.driver_kind)


def _detect(dev: FakeDevice) -> Transceiver:
    # A generous probe: a loaded machine must not turn a slow answer into "pico".
    # Answers end the probe early; only a quiet (Pico) device waits it out.
    return open_transceiver(dev.port, probe=2.0)


def test_detects_the_firmware(device: FakeDevice) -> None:
    with _detect(device) as tr:
        assert type(tr) is DRIVER[device.style]
        if device.style == "enhanced":
            assert "connection_ir" in tr.capabilities["capabilities"]


def test_listen_reports_a_frame_then_a_timeout(device: FakeDevice) -> None:
    with _open(device) as tr:
        device.queue_frame(CONV[2])
        frame = tr.listen_once()
        assert frame is not None and frame.bits == CONV[2].bits
        assert tr.listen_once() is None
        assert tr.stats.frames == 1 and tr.stats.timeouts == 1


def test_send_reaches_the_device(device: FakeDevice) -> None:
    with _open(device) as tr:
        for m in CONV.messages:
            tr.send(m.frame)
        tr.listen_once()  # a round trip, so the device has read everything
        assert device.sent == [m.bits for m in CONV.messages]
        assert device.commands[-1] == "tamagometer listen"


def test_garbled_frames(device: FakeDevice) -> None:
    """Pico: a short report ends the window; Flipper: noise, then the time-out."""
    device.garble = 1
    with _open(device) as tr:
        device.queue_frame(CONV[1])
        assert tr.listen_once() is None
        if device.style == "pico":
            assert tr.stats.garbled == 1
        else:
            assert tr.stats.timeouts == 1
        device.queue_frame(CONV[1])
        assert tr.listen_once().bits == CONV[1].bits


def test_flipper_with_the_app_closed() -> None:
    with FakeDevice("flipper-closed", window=0.2) as dev:
        with pytest.raises(TransceiverError, match="open the Tamagometer companion"):
            _detect(dev)
        with FlipperTransceiver.open(dev.port) as tr:
            with pytest.raises(TransceiverError, match="command not found"):
                tr.listen_once()


def test_device_complaints() -> None:
    with FakeDevice("pico", window=0.2) as dev:
        with PicoTransceiver.open(dev.port) as tr:
            tr._command("send0101")  # what an old firmware's sliced send looks like
            with pytest.raises(TransceiverError, match="could not transmit"):
                tr.listen_once()
    with FakeDevice("enhanced", window=0.2) as dev:
        with EnhancedFlipperTransceiver.open(dev.port) as tr:
            tr._command("bogus")
            with pytest.raises(TransceiverError, match="did not understand"):
                tr.listen_once()


def test_silent_device_is_reported() -> None:
    master, slave = os.openpty()
    try:
        port = serial.Serial(os.ttyname(slave), timeout=0.02)
        tr = PicoTransceiver(port, backstop=0.05)
        assert tr.listen_once() is None and tr.listen_once() is None
        with pytest.raises(TransceiverError, match="no report to 3 listen commands"):
            tr.listen_once()
        tr.close()
    finally:
        os.close(master)
        os.close(slave)


@pytest.mark.parametrize(("style", "interrupts"), [("enhanced", 1), ("pico", 0)])
def test_cancel_interrupts_a_listen(style: str, interrupts: int) -> None:
    """Cancel stops a listen; only the enhanced companion is sent Ctrl+C (on a Pico
    it would stop MicroPython's program)."""
    with FakeDevice(style, window=0.5) as dev, _open(dev) as tr:
        polls = []

        def cancel() -> None:
            polls.append(1)
            if len(polls) == 3:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            tr.listen_once(cancel=cancel, backstop=30)
        # The device reads bytes in order: once it has the send written after the
        # cancel, it has seen any Ctrl+C too.
        tr.send(CONV[1].frame)
        assert _wait_until(lambda: CONV[1].bits in dev.sent)
        assert dev.interrupts == interrupts


def _wait_until(condition, safety: float = 30.0) -> bool:
    """Poll a condition; the time limit is only a safety net against a hang."""
    deadline = time.monotonic() + safety
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_bad_frames_are_refused_before_sending() -> None:
    with FakeDevice("pico") as dev, PicoTransceiver.open(dev.port) as tr:
        with pytest.raises(Exception, match="160 bits"):
            tr.send("0101")


def test_open_errors() -> None:
    with pytest.raises(TransceiverError, match="cannot open /nonexistent"):
        open_transceiver("/nonexistent/tty")
    with pytest.raises(TransceiverError, match="unknown transceiver kind"):
        open_transceiver("/dev/null", "walkie-talkie")


def test_port_choice() -> None:
    flipper = PortInfo("/dev/ttyACM0", "Flipper Zero", 0x0483, 0x5740)
    pico = PortInfo("/dev/ttyACM1", "Board in FS mode", 0x2E8A, 0x0005)
    other = PortInfo("/dev/ttyS0", "n/a")
    assert flipper.guess == "flipper" and pico.guess == "pico" and other.guess == "unknown"
    assert choose_port([other, flipper]) == flipper
    assert choose_port([other]) == other
    with pytest.raises(TransceiverError, match="several serial ports"):
        choose_port([flipper, pico])
    with pytest.raises(TransceiverError, match="no serial ports"):
        choose_port([])
    assert isinstance(list_ports(), list)
    assert flipper.to_dict()["usb_id"] == "0483:5740"


def test_detect_kind_uses_the_usb_hint_for_a_quiet_flipper() -> None:
    with FakeDevice("pico") as dev:
        port = serial.Serial(dev.port, timeout=0.05)
        try:
            assert detect_kind(port, "unknown", probe=0.2) == "pico"
            assert detect_kind(port, "flipper", probe=0.2) == "flipper"
        finally:
            port.close()


@settings(max_examples=100, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 400), max_size=12),
    noise=st.sampled_from(
        ["", "\0", ">: ", "tamagometer listen\r\n", "Invalid signal received\r\n"]
    ),
)
def test_stream_parser_any_chunking(cuts: list[int], noise: str) -> None:
    token = f"[PICO]{CONV[1].bits}[END]"
    stream = noise + token + "\0" + noise + "[PICO]timed out[END]" + noise
    chunks, i = [], 0
    for c in sorted(set(cuts)):
        chunks.append(stream[i:c])
        i = c
    chunks.append(stream[i:])
    parser = StreamParser()
    events = [e for chunk in chunks for e in parser.feed(chunk.encode())]
    assert [e.kind for e in events] == ["frame", "timeout"]
    assert events[0].bits == CONV[1].bits
