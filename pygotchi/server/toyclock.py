"""Set a toy's own clock for its owner, pressing its buttons as a person would.

Setting a P1's clock by hand means finding the clock screen, holding A and C,
then pressing A once per hour and B once per minute (or holding B for half a
minute). Here the server does it: it looks at the screen, decides what to
press, schedules the presses on the pet's machine in emulated time and checks
the screen again, until the clock reads the time asked for (the phone's local
time, carried forward by the time the pressing takes).

Everything about the toy below was found by driving the P1 ROM in the
emulator (``tests/server/test_toy_clock.py`` checks it on the real ROM):

* With no menu icon selected, B on the main screen shows the clock
  ("1:06" in big digits, seconds small, AM/PM bottom left); B leaves it, the
  screen scrolling back for about 2.5 s, during which presses are ignored.
  Before the clock was ever set (the egg), B opens clock setting at once.
* On the clock screen, A and C held together for 2 s open clock setting
  ("SET" bottom right, seconds frozen at 00). Held for 3 s here.
* In clock setting, A adds an hour (0-11 AM, then 12 and 1-11 PM), B adds a
  minute (59 wraps to 0 without touching the hour), C confirms and the seconds
  start from 00; the toy then shows the clock, or (the egg, at some hours) its
  main screen, where B opens the clock setting again (showing the time kept).
  Holding B repeats about three times a second; separate presses register
  every time at 100 ms down and 250 ms up, at every phase of the ROM's key
  polling, so we use 100 ms down, 300 ms up.
* C cancels a selected menu icon and backs out of the care screens.

The P2 ROM was not available to check: the P2 is the P1's program with other
characters, so it is treated the same way, and the final check of the screen
tells the person (409 not_set / not_reachable) if it did not work.
Other models (the demo, unknown programs, the Angel...) are not supported:
the pet's JSON says so (``set_clock``) and the route answers 422.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from pygotchi.emu import TICKS_PER_SECOND
from pygotchi.server.livepet import LivePet

SUPPORTED_MODELS = ("p1", "p2")

PRESS_MS = 100
GAP_MS = 300
SETTLE_MS = 1500  # the ROM redraws a screen within about half a second of a press
LEAVE_MS = 3000  # leaving the clock screen scrolls for about 2.5 s
HOLD_AC_MS = 3000
ATTEMPTS = 3

# The P1's big digits (rows 0-6, four columns each): hour tens at column 2 (a "1"
# or nothing), hour units at 7, minute tens at 14, minute units at 19.
DIGITS = {
    (".##.", "#..#", "#..#", "#..#", "#..#", "#..#", ".##."): 0,
    ("...#", "..##", "...#", "...#", "...#", "...#", "...#"): 1,
    (".##.", "#..#", "...#", "..#.", ".#..", "#...", "####"): 2,
    ("###.", "...#", "...#", ".##.", "...#", "...#", "###."): 3,
    ("..#.", ".##.", "#.#.", "#.#.", "#.#.", "####", "..#."): 4,
    ("####", "#...", "#...", "###.", "...#", "...#", "###."): 5,
    (".##.", "#..#", "#...", "###.", "#..#", "#..#", ".##."): 6,
    ("####", "#..#", "#..#", "...#", "..#.", "..#.", "..#."): 7,
    (".##.", "#..#", "#..#", ".##.", "#..#", "#..#", ".##."): 8,
    (".##.", "#..#", "#..#", ".###", "...#", "...#", ".##."): 9,
}
BLANK = ("....",) * 7
# Rows 8-11, columns 2-8: "A" or "P" of AM/PM.
AM = ("..####.", ".#...##", ".######", ".#...##")
PM = (".#####.", ".##...#", ".#####.", ".##....")
# Rows 9-15, columns 17-30: "SET" while the clock is being set.
SET = ("..##..###.###.", ".#..#.#....#..", ".#....#....#..", "..##..###..#..",
       "....#.#....#..", ".#..#.#....#..", "..##..###..#..")


class ClockError(Exception):
    """The clock could not be set; the message says why, for the person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ClockReading:
    """What the clock screen shows: 24-hour time, and whether it is being set."""

    hour: int
    minute: int
    setting: bool

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


def read_clock(rows: list[str]) -> ClockReading | None:
    """The time on a P1 clock screen (16 rows of '#'/'.'), or None if it is not one."""
    def cell(x: int) -> tuple[str, ...]:
        return tuple(row[x:x + 4] for row in rows[:7])

    tens = cell(2)
    units, m10, m1 = (DIGITS.get(cell(x)) for x in (7, 14, 19))
    marker = tuple(row[2:9] for row in rows[8:12])
    if None in (units, m10, m1) or marker not in (AM, PM) or m10 > 5:
        return None
    if tens == BLANK:
        shown = units
    elif DIGITS.get(tens) == 1:
        shown = 10 + units
    else:
        return None
    if marker == AM and shown > 11 or marker == PM and not 1 <= shown <= 12:
        return None
    hour = shown % 12 + (12 if marker == PM else 0)
    setting = tuple(row[17:31] for row in rows[9:16]) == SET
    return ClockReading(hour, 10 * m10 + m1, setting)


def supported(model_id: str) -> bool:
    return model_id in SUPPORTED_MODELS


@dataclass(frozen=True)
class WallTime:
    """The phone's local time when it asked, and the server's clock then."""

    hour: int
    minute: int
    second: int
    at: float

    def minute_at(self, when: float) -> tuple[int, int]:
        """(hour, minute) on the phone at server time ``when``, to the nearest minute.

        The toy's seconds start from 00 when the setting is confirmed: rounding
        keeps it within 30 s of the phone.
        """
        secs = self.hour * 3600 + self.minute * 60 + self.second + (when - self.at) + 30
        minutes = int(secs // 60) % (24 * 60)
        return divmod(minutes, 60)


class ClockSetter:
    """One run of "set to my time" on one pet (an async task on the event loop).

    ``scheduler`` is the server's scheduler (clock, publish, nudge); the presses
    go through the pet's own methods, in a worker thread, like any other press.
    """

    def __init__(self, scheduler, pet: LivePet, wanted: WallTime) -> None:
        self.scheduler = scheduler
        self.pet = pet
        self.wanted = wanted
        self.clock = scheduler.clock
        self.loop = asyncio.get_running_loop()

    async def _thread(self, fn, *args):
        return await self.loop.run_in_executor(self.scheduler.control_pool, fn, *args)

    async def _until(self, tick: int) -> None:
        """Wait until the pet's own clock has reached ``tick``, then catch it up."""
        give_up = time.monotonic() + 120
        while self.pet.target_tick(self.clock.now()) < tick:
            if self.pet.paused or self.pet.removed:
                raise ClockError("interrupted", "the pet was paused or removed while its "
                                                "clock was being set")
            if time.monotonic() > give_up:
                raise ClockError("timeout", "the pet's clock did not move on; try again")
            await asyncio.sleep(0.02)
        out = await self._thread(self.pet.advance, self.clock.now())
        self.scheduler.publish(self.pet, out)

    async def press(self, *presses: tuple[str, ...], hold_ms: float = PRESS_MS,
                    settle_ms: float = SETTLE_MS) -> ClockReading | None:
        """Press each of ``presses`` in turn (each a set of buttons held together), wait
        for the screen to settle, and read it."""
        plan = [(names, i * (hold_ms + GAP_MS), hold_ms) for i, names in enumerate(presses)]
        end, out = await self._thread(self.pet.press_plan, plan, self.clock.now())
        self.scheduler.publish(self.pet, out)
        self.scheduler.nudge(self.pet)
        await self._until(end + int(settle_ms * TICKS_PER_SECOND / 1000))
        return read_clock(self.screen())

    def screen(self) -> list[str]:
        frame = self.pet.frame[1]
        return ["".join("#" if frame[4 * y + x // 8] & (0x80 >> (x % 8)) else "."
                        for x in range(32)) for y in range(16)]

    async def _to_setting(self) -> ClockReading:
        reading = read_clock(self.screen())
        for _ in range(ATTEMPTS):
            if reading is not None and reading.setting:
                return reading
            if reading is None:
                # Back to the main screen with nothing selected, then the clock.
                reading = await self.press(("C",), ("C",))
                if reading is None:
                    reading = await self.press(("B",))
            elif not reading.setting:
                reading = await self.press(("A", "C"), hold_ms=HOLD_AC_MS)
        if reading is not None and reading.setting:
            return reading
        raise ClockError("not_reachable", "the toy's clock screen did not come up (is it in "
                                          "the middle of a game, or has the pet died?); "
                                          "try again from its main screen")

    def _plan_seconds(self, hours: int, minutes: int) -> float:
        return ((hours + minutes) * (PRESS_MS + GAP_MS) + SETTLE_MS) / 1000

    async def run(self) -> ClockReading:
        reading = await self._to_setting()
        for _ in range(ATTEMPTS):
            # Aim at the phone's time at the moment of confirming, which depends on
            # how many presses it takes: two rounds settle it.
            target = self.wanted.minute_at(self.clock.now())
            for _ in range(2):
                hours = (target[0] - reading.hour) % 24
                minutes = (target[1] - reading.minute) % 60
                target = self.wanted.minute_at(
                    self.clock.now() + self._plan_seconds(hours, minutes))
            hours = (target[0] - reading.hour) % 24
            minutes = (target[1] - reading.minute) % 60
            if hours or minutes:
                reading = await self.press(*[("A",)] * hours, *[("B",)] * minutes)
                if reading is None or not reading.setting:
                    raise ClockError("not_set", "the toy left its clock setting unexpectedly")
            if (reading.hour, reading.minute) == target:
                break
        else:
            raise ClockError("not_set", f"the toy's clock shows {reading}, not "
                                        f"{target[0]:02d}:{target[1]:02d}; try again")
        done = await self.press(("C",))
        if done is None:
            # Back on the main screen. The egg does that at some hours, and there B
            # opens the clock setting again, showing the time it now keeps: look, and
            # confirm it once more to leave.
            again = await self.press(("B",))
            if again is not None and again.setting and (again.hour, again.minute) == target:
                if await self.press(("C",)) is None:
                    return ClockReading(again.hour, again.minute, False)
            done = again
        if done is None or done.setting or (done.hour, done.minute) != target:
            shows = "no clock" if done is None else f"{done}{' (still setting)' * done.setting}"
            raise ClockError("not_set", f"the toy did not take the new time: its screen shows "
                                        f"{shows}, not {target[0]:02d}:{target[1]:02d}")
        # Leave the clock screen, as a person would, and let the scroll end.
        await self.press(("B",), settle_ms=LEAVE_MS)
        return done


async def set_toy_clock(scheduler, pet: LivePet, wanted: WallTime) -> ClockReading:
    """Set ``pet``'s clock to the phone's time; ClockError says why not."""
    if not supported(pet.machine.model.id):
        raise ClockError("not_supported", f"setting the clock is not available for "
                                          f"{pet.machine.model.name}: only the P1 and P2")
    if pet.macro is not None:
        raise ClockError("busy", "the pet's clock is being set already")
    pet.macro = "clock"
    try:
        return await ClockSetter(scheduler, pet, wanted).run()
    finally:
        pet.macro = None
