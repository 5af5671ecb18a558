"""Which runs of instructions deserve a fused case in the compiled loop (``opgen.FUSED``).

Steps each ROM from reset for ``--seconds`` emulated seconds, records the
address of every instruction, then picks runs of handlers greedily: a run
starting at an address replaces a dispatch per instruction after its first,
for as long as execution goes on at the next address (no jump, no interrupt).
Each round simulates the loop with the runs chosen so far, adds the runs that
would save the most dispatches, and prints dispatches per instruction.

    python bench/fusion_profile.py [ROM ...] [--seconds 600] [--runs 256] [--longest 8]

The chosen list is printed last, in the form ``opgen.FUSED`` takes. Which runs
are fused only changes speed: any program runs exactly as single steps.
"""

from __future__ import annotations

import argparse
import os
import sys
from array import array
from collections import Counter
from pathlib import Path

import _repo  # noqa: F401  (this checkout first on sys.path, before pygotchi)

from pygotchi.emu import Machine, load_rom_file
from pygotchi.emu.opgen import _CONTROL, _handler_names, _kind_of

REPO = Path(__file__).resolve().parent.parent
ROMS = Path(os.environ.get("PYGOTCHI_TEST_ROMS", REPO.parent / "shared" / "roms"))


def trace(rom: str, seconds: int) -> tuple[array, list[int]]:
    """Addresses of the instructions run (-1 where execution did not go straight on)."""
    machine = Machine(load_rom_file(rom))
    cpu = machine.cpu
    limit = seconds * 32768
    pcs = array("i")
    while cpu.tick < limit:
        if cpu.halted:
            cpu.step()
            pcs.append(-1)
            continue
        interrupts = cpu.interrupts
        pcs.append(cpu.pc)
        cpu.step()
        if cpu.interrupts != interrupts:
            pcs.append(-1)
    return pcs, list(cpu.code)


class Chooser:
    def __init__(self, runs: list[tuple[array, list[int]]], longest: int) -> None:
        handlers, table = _handler_names()
        kinds = _kind_of(handlers, table)
        self.names = [name for name, _, _ in handlers]
        self.through = [kinds[n] not in _CONTROL for n in self.names]
        self.pset = [kinds[n] == "pset" for n in self.names]
        self.runs = runs
        self.longest = longest
        self.chosen: set[tuple[int, ...]] = set()

    def window(self, code: list[int], pc: int, length: int) -> tuple[int, ...] | None:
        ks = []
        for j in range(length):
            k = code[(pc + j) & 0x1FFF]
            if self.pset[k] or (j < length - 1 and not self.through[k]):
                return None
            ks.append(k)
        return tuple(ks)

    def simulate(self, pcs: array, code: list[int]) -> tuple[int, int, Counter, dict[int, int]]:
        starts: Counter = Counter()
        length_at: dict[int, int] = {}
        dispatches = done = i = 0
        n = len(pcs)
        while i < n:
            pc = pcs[i]
            if pc < 0:
                i += 1
                continue
            length = length_at.get(pc)
            if length is None:
                length = next((m for m in range(self.longest, 1, -1)
                               if self.window(code, pc, m) in self.chosen), 1)
                length_at[pc] = length
            j = 1
            while j < length and i + j < n and pcs[i + j] == (pc + j) & 0x1FFF:
                j += 1
            dispatches += 1
            starts[pc] += 1
            done += j
            i += j
        return dispatches, done, starts, length_at

    def round(self, batch: int) -> float:
        gains: Counter = Counter()
        total_d = total_i = 0
        for pcs, code in self.runs:
            dispatches, done, starts, length_at = self.simulate(pcs, code)
            total_d += dispatches
            total_i += done
            for pc, count in starts.items():
                for m in range(length_at[pc] + 1, self.longest + 1):
                    w = self.window(code, pc, m)
                    if w is None:
                        break
                    gains[w] += count * (m - length_at[pc]) / done  # each ROM weighs the same
        for w, _ in gains.most_common():
            if batch == 0:
                break
            if w not in self.chosen:
                self.chosen.add(w)
                batch -= 1
        return total_d / total_i


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roms", nargs="*",
                        default=[str(ROMS / "p1.bin"), str(ROMS / "yasashii.bin")])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--runs", type=int, default=256)
    parser.add_argument("--longest", type=int, default=8)
    args = parser.parse_args()
    missing = [r for r in args.roms if not Path(r).is_file()]
    if missing:
        print(f"ROM not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    chooser = Chooser([trace(rom, args.seconds) for rom in args.roms], args.longest)
    step = max(8, args.runs // 8)
    while True:
        before = len(chooser.chosen)
        ratio = chooser.round(min(step, args.runs - before))
        print(f"{before} runs: {ratio:.3f} dispatches per instruction")
        if before >= args.runs or len(chooser.chosen) == before:
            break
    for w in sorted(chooser.chosen, key=lambda w: (len(w), w)):
        print(f"    {tuple(chooser.names[k] for k in w)!r},")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
