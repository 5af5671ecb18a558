"""The public face of the emulator: one Tamagotchi you can run, poke and save.

``Machine`` is what the server and the tools drive. It never sleeps, reads the
clock, starts threads or touches files: emulated time is a tick count (32,768
per second) and the caller decides how it relates to the wall clock, by asking
to run up to a tick as fast as the host allows.
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass

from pygotchi.emu.chip import BUZZER_RING
from pygotchi.emu.cpu import Cpu, run_batch
from pygotchi.emu.errors import EmuError
from pygotchi.emu.lcd import frame_to_text, glass_for
from pygotchi.emu.memory import BUZZER_DHZ, peek
from pygotchi.emu.rom import Model, Rom, load_rom

TICKS_PER_SECOND = 32_768


@dataclass(frozen=True)
class BuzzerEvent:
    """The buzzer changed at ``tick``: on or off, at ``freq_dhz`` deci-hertz."""

    tick: int
    on: bool
    freq_dhz: int


@dataclass(frozen=True)
class Screen:
    """The LCD at one moment: 32x16 pixels and 8 icons, with its change counter."""

    frame: bytes  # 65 bytes: see pygotchi.emu.lcd
    version: int

    @property
    def icons(self) -> tuple[bool, ...]:
        return tuple(bool(self.frame[64] & (1 << i)) for i in range(8))

    def pixel(self, x: int, y: int) -> bool:
        return bool(self.frame[4 * y + x // 8] & (0x80 >> (x % 8)))

    def text(self, on: str = "#", off: str = ".") -> list[str]:
        return frame_to_text(self.frame, on, off)


def run_many(machines, ticks) -> None:
    """Advance each machine to its own target tick (``run_until`` for many at once).

    Machines without queued input run in one batch: the compiled core releases
    the GIL once for all of them, so a scheduler thread per core scales.
    """
    batch = []
    limits = array("q")
    for machine, tick in zip(machines, ticks, strict=True):
        if machine._inputs:
            machine.run_until(tick)
        else:
            batch.append(machine.cpu)
            limits.append(tick)
    if batch:
        run_batch(batch, limits)


class Machine:
    """A ROM running on its chip, with the buttons and screen of its model."""

    def __init__(self, rom: Rom | bytes) -> None:
        self.rom = rom if isinstance(rom, Rom) else load_rom(rom)
        self.model: Model = self.rom.model
        self.cpu = Cpu(self.rom.program, self.model.s48)
        self.glass = glass_for(self.model.icon_map, self.model.seg_to_x, self.model.flip_y)
        self._inputs: list[tuple[int, int, int, int]] = []  # (tick, seq, pin, level)
        self._seq = 0
        self._screen_cache: Screen | None = None

    # --- time ------------------------------------------------------------------

    @property
    def tick(self) -> int:
        return self.cpu.tick

    @property
    def seconds(self) -> float:
        return self.cpu.tick / TICKS_PER_SECOND

    def run_until(self, tick: int) -> None:
        """Run whole steps until the tick count reaches ``tick``, applying queued input."""
        cpu = self.cpu
        inputs = self._inputs
        while inputs and inputs[0][0] <= tick:
            due = inputs[0][0]
            cpu.run(due)
            while inputs and inputs[0][0] <= cpu.tick:
                _, _, pin, level = inputs.pop(0)
                cpu.set_input(pin, level)
        cpu.run(tick)

    def run_for(self, seconds: float) -> None:
        self.run_until(self.cpu.tick + int(seconds * TICKS_PER_SECOND))

    def step(self) -> None:
        """One CPU step, applying input that is due first (for debuggers and traces)."""
        inputs = self._inputs
        while inputs and inputs[0][0] <= self.cpu.tick:
            _, _, pin, level = inputs.pop(0)
            self.cpu.set_input(pin, level)
        self.cpu.step()

    # --- input -----------------------------------------------------------------

    @property
    def buttons(self) -> tuple[str, ...]:
        return tuple(self.model.buttons)

    def pin_of(self, button: str) -> int:
        name = button.upper()
        if name in ("TAP", "T") and "TAP" in self.model.buttons:
            name = "TAP"
        pin = self.model.buttons.get(name)
        if pin is None:
            known = ", ".join(self.model.buttons)
            raise EmuError(f"{self.model.name} has no button {button!r}; its buttons: {known}")
        return pin

    def set_button(self, button: str, pressed: bool, at_tick: int | None = None) -> None:
        """Press or release a button now, or at a later tick (applied when reached).

        Buttons are active low: pressed pulls the pin to 0.
        """
        self.set_pin(self.pin_of(button), 0 if pressed else 1, at_tick)

    def press(self, button: str, at_tick: int | None = None) -> None:
        self.set_button(button, True, at_tick)

    def release(self, button: str, at_tick: int | None = None) -> None:
        self.set_button(button, False, at_tick)

    def cancel_pending(self, button: str) -> None:
        """Forget the queued (not yet due) changes of ``button``.

        A caller that scheduled a release for later and then learns of a new press
        cancels it first, so the old release does not cut the new press short.
        """
        pin = self.pin_of(button)
        self._inputs = [i for i in self._inputs if i[2] != pin]

    def set_pin(self, pin: int, level: int, at_tick: int | None = None) -> None:
        if not 0 <= pin < 8:
            raise EmuError(f"input pin {pin} does not exist (K00-K03 are 0-3, K10-K13 4-7)")
        if at_tick is None or at_tick <= self.cpu.tick and not self._inputs:
            self.cpu.set_input(pin, level)
            return
        self._seq += 1
        bisect.insort(self._inputs, (max(at_tick, 0), self._seq, pin, 1 if level else 0))

    def pressed(self) -> tuple[str, ...]:
        """Buttons currently held down."""
        out = []
        for name, pin in self.model.buttons.items():
            state = self.cpu.k0 if pin < 4 else self.cpu.k1
            if not state & (1 << (pin & 3)):
                out.append(name)
        return tuple(out)

    # --- output ----------------------------------------------------------------

    @property
    def screen_version(self) -> int:
        """Grows whenever display RAM changes: compare it to know cheaply if the screen did."""
        return self.cpu.lcd_version

    def screen(self) -> Screen:
        cached = self._screen_cache
        if cached is not None and cached.version == self.cpu.lcd_version:
            return cached
        screen = Screen(self.glass.frame(self.cpu.mem), self.cpu.lcd_version)
        self._screen_cache = screen
        return screen

    def icon_lit(self, index: int) -> bool:
        """Whether icon ``index`` (of ``model.icons``) is lit, straight from display RAM.

        Far cheaper than ``screen()``: listeners that watch one icon after every
        run (the server's call detector) must not build a frame each time.
        """
        if not 0 <= index < len(self.glass.icons):
            raise EmuError(f"{self.model.name} has no icon {index}")
        return self.glass.icon_lit(self.cpu.mem, index)

    @property
    def buzzer(self) -> tuple[bool, int]:
        """(on, frequency in deci-hertz; 0 if no frequency was ever set)."""
        cpu = self.cpu
        return bool(cpu.buzzer_on), (BUZZER_DHZ[cpu.buzzer_freq] if cpu.buzzer_freq >= 0 else 0)

    def buzzer_events(self) -> list[BuzzerEvent]:
        """Buzzer changes since the last call, oldest first (at most 1,024 kept)."""
        cpu = self.cpu
        out = []
        for k in range(cpu.bz_count):
            i = (cpu.bz_head + k) % BUZZER_RING
            val = cpu.bz_vals[i]
            freq = val & 0xF
            dhz = BUZZER_DHZ[freq] if freq < 8 else 0
            out.append(BuzzerEvent(cpu.bz_ticks[i], bool(val >> 4), dhz))
        cpu.bz_head = 0
        cpu.bz_count = 0
        return out

    # --- state -----------------------------------------------------------------

    def reset(self) -> None:
        self.cpu.reset()
        self._inputs.clear()
        self._screen_cache = None

    def save_state(self) -> bytes:
        from pygotchi.emu.state import save_state

        return save_state(self)

    def load_state(self, data: bytes) -> None:
        """Load a pygotchi state, a TamaTool TLST file or an original pygotchi cpu.bin.

        The format is recognised from the content. On any error the machine is
        left exactly as it was.
        """
        from pygotchi.emu.state import load_any_state

        load_any_state(self, data)
        self._inputs.clear()
        self._screen_cache = None

    def export_tlst(self) -> bytes:
        from pygotchi.emu.state import export_tlst

        return export_tlst(self)

    # --- debugging -------------------------------------------------------------

    def registers(self) -> dict[str, int]:
        c = self.cpu
        return {"PC": c.pc, "NP": c.np, "A": c.a, "B": c.b, "X": c.x, "Y": c.y,
                "SP": c.sp, "F": c.f}

    def read_memory(self, addr: int) -> int:
        """A data nibble as the CPU would read it, without side effects."""
        if not 0 <= addr < 4096:
            raise EmuError(f"data address {addr:#x} is outside 0x000-0xFFF")
        return peek(self.cpu, addr)
