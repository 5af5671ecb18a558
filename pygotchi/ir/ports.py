"""Which serial ports exist, and which of them look like a transceiver (SPEC.md §3.1).

The Flipper Zero is recognised by its USB VID:PID ``0483:5740`` or "flipper" in the
port description (as the enhanced desktop app does); a Pico running MicroPython
shows up as a Raspberry Pi (VID ``2E8A``) USB serial port. Everything else is
"unknown" and can still be used by naming it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

FLIPPER_VID_PID = (0x0483, 0x5740)
RASPBERRY_PI_VID = 0x2E8A


@dataclass(frozen=True)
class PortInfo:
    device: str
    description: str = ""
    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None
    manufacturer: str | None = None

    @property
    def guess(self) -> str:
        """``flipper``, ``pico`` or ``unknown``."""
        text = f"{self.description} {self.manufacturer or ''}".lower()
        if (self.vid, self.pid) == FLIPPER_VID_PID or "flipper" in text:
            return "flipper"
        if self.vid == RASPBERRY_PI_VID or "micropython" in text or "pico" in text:
            return "pico"
        return "unknown"

    @property
    def usb_id(self) -> str:
        return f"{self.vid:04X}:{self.pid:04X}" if self.vid is not None and self.pid else ""

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "guess": self.guess, "usb_id": self.usb_id}


def list_ports() -> list[PortInfo]:
    """Serial ports on this machine, likely transceivers first."""
    from serial.tools import list_ports as lp

    ports = [
        PortInfo(p.device, p.description or "", p.vid, p.pid, p.serial_number, p.manufacturer)
        for p in lp.comports()
    ]
    rank = {"flipper": 0, "pico": 1, "unknown": 2}
    return sorted(ports, key=lambda p: (rank[p.guess], p.device))
