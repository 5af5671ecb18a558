"""Small tools for ROM-less emulator tests: build a machine from assembly, look at its state.

The tests in this folder write their programs in E0C6200 assembly and work out the
expected results from the chip's documentation (``../shared/notes/E0C6S46.md``), not
from what the emulator prints. These helpers only build, run and observe; they hold
no expectations of their own except the documented cycle counts in ``doc_cycles``.
"""

from __future__ import annotations

import functools
from typing import Any

from pygotchi.emu import Machine, Rom, assemble, load_rom
from pygotchi.emu.disasm import mnemonic
from pygotchi.emu.rom import words_to_rombin

S46_WORDS = 6144  # E0C6S46 program ROM (a 12,288-byte rom.bin)
S48_WORDS = 8192  # E0C6S48: the whole 13-bit PC range (16,384 bytes)

# Interrupt vectors in page 1 (notes §4), named by source.
VEC_CLOCK, VEC_STOPWATCH, VEC_K00, VEC_K10, VEC_SERIAL, VEC_PROG = (
    0x102, 0x104, 0x106, 0x108, 0x10A, 0x10C)

# A program prologue: the reset vector jumps over the interrupt vectors, each
# of which jumps to a handler label the test's source defines.
VECTOR_TABLE = """
        ORG 0x100
        JP   start
        NOP5
        JP   isr_clock
        NOP5
        JP   isr_stopwatch
        NOP5
        JP   isr_k00
        NOP5
        JP   isr_k10
        NOP5
        JP   isr_serial
        NOP5
        JP   isr_prog
        NOP5
"""


def rom_bytes(source: str, *, s48: bool = False) -> bytes:
    """``source`` assembled into a rom.bin image of the E0C6S46 or E0C6S48 size."""
    words = assemble(source).image(S48_WORDS if s48 else S46_WORDS)
    return words_to_rombin(words)


@functools.lru_cache(maxsize=64)
def _rom(source: str, s48: bool) -> Rom:
    return load_rom(rom_bytes(source, s48=s48))


def build(source: str, *, s48: bool = False) -> Machine:
    """A machine running ``source`` (gaps are NOP7, reset vector at 0x100)."""
    machine = Machine(_rom(source, s48))
    assert machine.model.s48 == s48
    return machine


def build_words(words: list[int]) -> Machine:
    """A machine running raw program words (6,144 or fewer: E0C6S46; more: E0C6S48)."""
    return Machine(load_rom(words_to_rombin(words)))


def labels(source: str) -> dict[str, int]:
    return assemble(source).labels


def io_write(addr: int, value: int) -> str:
    """Assembly that stores ``value`` at data address ``addr`` through Y (clobbers B and Y)."""
    return (f"        LD   B,{addr >> 8:#x}\n"
            f"        LD   YP,B\n"
            f"        LD   Y,{addr & 0xFF:#x}\n"
            f"        LDPY MY,{value:#x}\n")


def step_until_pc(machine: Machine, pc: int, max_steps: int = 200_000) -> int:
    """Step until PC is ``pc``; return the steps taken. Fails rather than spinning forever."""
    for n in range(max_steps):
        if machine.cpu.pc == pc:
            return n
        machine.step()
    raise AssertionError(f"PC never reached {pc:#06x} in {max_steps} steps")


def step_n(machine: Machine, n: int) -> None:
    for _ in range(n):
        machine.step()


def ram(machine: Machine, addr: int, count: int = 1) -> list[int]:
    return [machine.read_memory(a) for a in range(addr, addr + count)]


def flags(machine: Machine) -> dict[str, int]:
    f = machine.registers()["F"]
    return {"C": f & 1, "Z": (f >> 1) & 1, "D": (f >> 2) & 1, "I": (f >> 3) & 1}


# Every field of the CPU/chip state (the names of pygotchi.emu.chip.Chip), ROM aside.
CPU_FIELDS = (
    "s48", "mem", "pc", "np", "a", "b", "x", "y", "sp", "f", "tick", "pending", "acc", "osc3",
    "halted", "attn", "timer_event", "clock_stamps", "prog_stamp", "prog_enabled", "prog_data",
    "prog_reload", "factor", "mask", "triggered", "k0", "k1", "buzzer_freq", "buzzer_on",
    "bz_ticks", "bz_vals", "bz_head", "bz_count", "bz_dropped", "lcd_version", "steps",
    "halted_steps", "interrupts", "call_depth",
)


def _plain(value: Any) -> Any:
    """Ints as they are; buffers (bytearray, array, typed memoryviews) as lists."""
    if isinstance(value, int):
        return value
    return list(value)


def full_state(machine: Machine) -> dict[str, Any]:
    """Every field of the machine's CPU (ROM aside), plus its queued input and screen.

    For "the machine was left exactly as it was": nothing may differ, not even
    internal bookkeeping such as the buzzer ring buffer.
    """
    cpu = machine.cpu
    state = {name: _plain(getattr(cpu, name)) for name in CPU_FIELDS}
    state["_inputs"] = list(machine._inputs)
    state["_screen"] = machine.screen().frame
    state["_registers"] = machine.registers()
    return state


# Fields that may legitimately differ between two machines with the same emulated
# history: the screen change counter only grows across a load (so a viewer never
# mistakes a loaded screen for one it already drew); the raw buzzer ring buffer is
# compared through buzzer_events() instead; ``attn`` and ``timer_event`` are the run
# loop's scheduling hints, derived from the stamps and latches that are compared.
_NOT_CARRIED = {"lcd_version", "bz_ticks", "bz_vals", "bz_head", "bz_count", "bz_dropped",
                "attn", "timer_event"}


def run_state(machine: Machine) -> dict[str, Any]:
    """What must be identical between two machines that ran the same emulated history.

    Queued input is compared by (tick, pin, level): its insertion counter is only
    a tie-breaker local to each machine.
    """
    state = {k: v for k, v in full_state(machine).items() if k not in _NOT_CARRIED}
    state["_inputs"] = [(tick, pin, level) for tick, _, pin, level in state["_inputs"]]
    return state


# Documented cycle counts (notes §1 "Instruction timing"), by mnemonic.
_CYCLES_7 = {"CALL", "CALZ", "RET", "NOP7", "ADD", "ADC", "SUB", "SBC", "AND", "OR", "XOR",
             "CP", "FAN", "NOT", "RLC", "ACPX", "ACPY", "SCPX", "SCPY", "SET", "RST",
             "SCF", "RCF", "SZF", "RZF", "SDF", "RDF", "EI", "DI"}
_CYCLES_12 = {"RETS", "RETD"}


def doc_cycles(word: int) -> int:
    """Cycles of ``word`` according to the documentation, from its mnemonic.

    5 for everything not listed as 7 or 12, which includes INC/DEC SP, INC X/Y
    and the words no instruction has (the emulator runs those as NOP5, see isa.py).
    """
    text = mnemonic(word).split(";")[0].strip()
    if text.startswith("DW"):
        # RLC words whose two register copies differ still execute as RLC.
        if 0xAF0 <= word <= 0xAFF:
            return 7
        return 5
    name, _, operands = text.partition(" ")
    if name in _CYCLES_12:
        return 12
    if name in ("INC", "DEC"):
        return 7 if operands.startswith("M") else 5
    return 7 if name in _CYCLES_7 else 5
