"""``python -m pygotchi autopilot ROM --days N``: a pet cared for by the autopilot, fast."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

SECONDS_PER_DAY = 86_400


def register(sub) -> None:
    p = sub.add_parser(
        "autopilot",
        help="run a pet from reset (or a state) for N emulated days with the autopilot caring",
    )
    p.add_argument("rom", help="ROM image")
    p.add_argument("--days", required=True, help="emulated days to run (a positive number)")
    p.add_argument("--load-state", metavar="FILE", help="start from this state, not from reset")
    p.add_argument("--save-state", metavar="FILE", help="write the final state here")
    p.add_argument("--screenshots", metavar="DIR",
                   help="save a PNG of the screen at the end of each day here")
    p.add_argument("--off", action="store_true",
                   help="no care: only set a fresh toy's clock (so the egg hatches), then "
                        "leave the pet alone (to compare)")
    p.add_argument("--clock-hour", type=int, default=8,
                   help="hour to set a fresh toy's clock to (default 8)")
    p.set_defaults(func=cmd_autopilot)


def _days(text: str) -> float:
    from pygotchi.emu.errors import EmuError

    try:
        days = float(text)
    except ValueError:
        raise EmuError(f"--days {text!r} is not a number") from None
    if not 0 < days <= 3650:
        raise EmuError("--days must be more than 0 and at most 3650")
    return days


def _write_atomic(path: Path, data: bytes) -> None:
    from pygotchi.emu.errors import EmuError

    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EmuError(f"cannot write {path}: {exc.strerror or exc}") from None


def cmd_autopilot(args: argparse.Namespace) -> int:
    from pygotchi.care.carer import Carer
    from pygotchi.care.drive import drive
    from pygotchi.care.look import look
    from pygotchi.care.profile import read_profile
    from pygotchi.emu import TICKS_PER_SECOND, EmuError, Machine, load_rom_file
    from pygotchi.emu.render import screenshot_png

    days = _days(args.days)
    if not 1 <= args.clock_hour <= 24:
        raise EmuError("--clock-hour must be 1..24")
    shots = Path(args.screenshots) if args.screenshots else None
    if shots is not None:
        try:
            shots.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EmuError(f"cannot make {shots}: {exc.strerror or exc}") from None
    machine = Machine(load_rom_file(args.rom))
    if args.load_state:
        try:
            data = Path(args.load_state).read_bytes()
        except OSError as exc:
            raise EmuError(f"cannot read {args.load_state}: {exc.strerror or exc}") from None
        machine.load_state(data)
    carer = Carer(clock_hour=args.clock_hour,
                  only=frozenset({"set_clock"}) if args.off else None)
    start = machine.tick
    day_ticks = SECONDS_PER_DAY * TICKS_PER_SECOND
    end = start + int(days * day_ticks)
    whole = int(days) + (0 if days == int(days) else 1)
    dead = False
    counted = 0
    for day in range(1, whole + 1):
        target = min(end, start + day * day_ticks)
        drive(machine, carer, target, stop_at_death=True)
        dead = carer.dead
        frame = machine.screen().frame
        dead = dead or look(frame).dead
        today = Counter(a.kind for a in carer.actions[counted:])
        counted = len(carer.actions)
        info = read_profile(machine)
        reading = carer.last_status
        parts = [f"day {day}", "dead" if dead else "alive"]
        if info is not None:
            parts.append(f"age {info['age']}")
            parts.append(f"weight {info['weight']}g")
        if reading is not None and not args.off:
            parts.append(f"hungry {reading.hungry}/4 happy {reading.happy}/4")
        done = ", ".join(f"{k} {n}" for k, n in sorted(today.items())) or "none"
        parts.append(f"actions {sum(today.values())} ({done})")
        parts.append(f"missed calls {carer.missed_calls}")
        print(", ".join(parts), flush=True)
        if shots is not None:
            _write_atomic(shots / f"day{day:03d}.png", screenshot_png(frame))
        if dead:
            break
    if args.save_state:
        _write_atomic(Path(args.save_state), machine.save_state())
    emulated = (machine.tick - start) / day_ticks
    print(f"alive={'no' if dead else 'yes'} days={emulated:g} actions={len(carer.actions)}")
    sys.stdout.flush()
    return 0
