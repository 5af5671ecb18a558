"""Interrupts, HALT and the CPU clock, in small assembled programs.

Expected behaviour comes from ../shared/notes/E0C6S46.md: §1 (step order, HALT,
interrupt entry: push PC, clear I, page-1 vector, 12 cycles at once), §4 (sources,
vectors, priority, TamaLIB's latch model), §5 (clock timer edges), §7 (K0 polarity),
§9 (OSC3). Where TamaLIB and the chip differ, the emulator follows TamaLIB for the
E0C6S46 because the golden traces depend on it (EI is not deferred, a mask set after
the event does not fire, F13/F14 masks swapped so K00-K03 never interrupt).
"""

from __future__ import annotations

import pytest

from pygotchi.emu import Machine
from tests.emu.helpers import (
    VEC_CLOCK,
    VEC_K00,
    VEC_K10,
    VEC_PROG,
    VECTOR_TABLE,
    build,
    flags,
    io_write,
    labels,
    ram,
    run_state,
    step_n,
    step_until_pc,
)

K00, K01, K02, K03, K10 = 0, 1, 2, 3, 4
HANDLERS = ("clock", "stopwatch", "k00", "k10", "serial", "prog")

SP_40 = """
        LD   A,0x4
        LD   SPH,A
        LD   A,0x0
        LD   SPL,A
"""


def program(main: str, **isrs: str) -> str:
    """The vector table, ``main`` at ``start`` and a handler per source (default: spin)."""
    parts = [VECTOR_TABLE, "start:", SP_40, main]
    for name in HANDLERS:
        body = isrs.get(name, f"        JP   isr_{name}\n")
        parts.append(f"isr_{name}:\n{body}")
    return "\n".join(parts)


def step_to_interrupt(m: Machine, max_steps: int = 100_000) -> tuple[int, int]:
    """Step until an interrupt is entered; return (tick before that step, tick after)."""
    count = m.cpu.interrupts
    for _ in range(max_steps):
        before = m.tick
        m.step()
        if m.cpu.interrupts != count:
            return before, m.tick
    raise AssertionError("no interrupt")


def pushed_pc(m: Machine) -> int:
    """The return address on top of the stack: PCSL at SP, PCSH at SP+1, PCP at SP+2."""
    sp = m.registers()["SP"]
    lo, mid, hi = (m.read_memory((sp + i) & 0xFF) for i in range(3))
    return (hi << 8) | (mid << 4) | lo


# --- entry mechanics --------------------------------------------------------------

K10_MAIN = io_write(0xF15, 0x1) + """
        EI
main:   NOP5
        NOP5
        NOP5
        NOP5
        JP   main
"""


def test_interrupt_entry_pushes_pc_clears_i_and_charges_12_cycles() -> None:
    source = program(K10_MAIN, k10="""
        LD   B,0xF
        LD   YP,B
        LD   Y,0x05
        LD   A,MY         ; F05: K10 factor, bit 0
        LD   B,MY         ; read again: reading cleared it
idle:   JP   idle
""")
    m = build(source, s48=True)
    lab = labels(source)
    step_until_pc(m, lab["main"])
    m.step()  # NOP5 at main; the next step runs the NOP5 at main+1
    t0 = m.tick
    m.set_pin(K10, 0)
    m.step()
    regs = m.registers()
    assert regs["PC"] == VEC_K10
    assert regs["NP"] == 0x01
    assert regs["SP"] == 0x3D
    assert pushed_pc(m) == lab["main"] + 2
    assert ram(m, 0x3D, 3) == [(lab["main"] + 2) & 0xF, ((lab["main"] + 2) >> 4) & 0xF, 0x1]
    assert flags(m)["I"] == 0
    # The step charged the NOP5 before it (lag), ran the NOP5 at main+1, then
    # added the 12 entry cycles at once.
    assert m.tick == t0 + 5 + 12
    m.step()  # the JP at the vector; this step charges the interrupted NOP5
    assert m.registers()["PC"] == lab["isr_k10"]
    assert m.tick == t0 + 5 + 12 + 5
    step_until_pc(m, lab["idle"])
    assert (m.registers()["A"], m.registers()["B"]) == (0x1, 0x0)
    assert m.cpu.interrupts == 1


def test_vector_is_in_page_one_of_the_current_bank() -> None:
    source = program(io_write(0xF15, 0x1) + """
        EI
        PSET 0x10
        JP   0x00         ; -> 1000
        ORG 0x1000
far:    NOP5
        NOP5
        JP   far
        ORG 0x1108
bank1_k10:
        JP   0x20         ; -> 1120
        ORG 0x1120
        LD   A,0xB
b1:     JP   b1
        ORG 0x160
""")
    m = build(source, s48=True)
    step_until_pc(m, 0x1000)
    m.set_pin(K10, 0)
    m.step()
    assert m.registers()["PC"] == 0x1108
    assert pushed_pc(m) == 0x001  # 0x1001 without the bank bit
    step_n(m, 2)
    assert m.registers()["A"] == 0xB


def test_ei_takes_a_pending_interrupt_in_the_same_step() -> None:
    """TamaLIB (notes §1): the interrupt is taken at the end of the EI step itself."""
    source = program(io_write(0xF15, 0x1) + """
wait:   NOP5
        NOP5
        NOP5
        NOP5
at_ei:  EI
after:  NOP5
        JP   after
""")
    m = build(source, s48=True)
    lab = labels(source)
    step_until_pc(m, lab["wait"])
    m.set_pin(K10, 0)  # masked in, but I = 0: latched, not taken
    step_n(m, 4)
    assert m.cpu.interrupts == 0
    assert m.registers()["PC"] == lab["at_ei"]
    m.step()
    assert m.registers()["PC"] == VEC_K10
    assert pushed_pc(m) == lab["after"]


def test_pset_holds_an_interrupt_off_for_one_step() -> None:
    source = program(io_write(0xF15, 0x1) + """
        EI
        NOP5
at_pset:
        PSET 0x01
        JP   target
        ORG 0x1C0
target: NOP5
        JP   target
        ORG 0x160
""")
    m = build(source, s48=True)
    lab = labels(source)
    step_until_pc(m, lab["at_pset"])
    m.set_pin(K10, 0)
    m.step()  # PSET: no interrupt after it
    assert m.cpu.interrupts == 0
    assert m.registers()["PC"] == lab["at_pset"] + 1
    m.step()  # JP, then the interrupt
    assert m.registers()["PC"] == VEC_K10
    assert pushed_pc(m) == 0x1C0


def test_di_keeps_a_latched_interrupt_pending() -> None:
    source = program(io_write(0xF15, 0x1) + """
        DI
loop:   NOP5
        JP   loop
""")
    m = build(source, s48=True)
    step_until_pc(m, labels(source)["loop"])
    m.set_pin(K10, 0)
    step_n(m, 500)
    assert m.cpu.interrupts == 0


def test_a_mask_set_after_the_event_does_not_fire() -> None:
    """TamaLIB's latch model (notes §4): only an event with its mask already set latches."""
    source = program("""
        EI
wait:   NOP5
""" + io_write(0xF15, 0x1) + """
        LD   Y,0x05
        LD   A,MY         ; the factor flag is set all the same
loop:   NOP5
        JP   loop
""")
    m = build(source, s48=True)
    lab = labels(source)
    step_until_pc(m, lab["wait"])
    m.set_pin(K10, 0)
    step_until_pc(m, lab["loop"])
    step_n(m, 200)
    assert m.cpu.interrupts == 0
    assert m.registers()["A"] == 0x1


def test_priority_prog_then_k10_then_k00_then_clock() -> None:
    """Simultaneously pending interrupts are entered highest priority first (notes §4)."""
    setup = (io_write(0xF10, 0x1) + io_write(0xF12, 0x1) + io_write(0xF14, 0x1)
             + io_write(0xF15, 0x1) + io_write(0xF26, 0x1) + io_write(0xF27, 0x0)
             + io_write(0xF78, 0x3))
    source = program(setup + """
        LD   X,0x80       ; log pointer
        LD   A,0x0
        LD   M0,A
        LD   M1,A
wait:   INC  M0           ; about 16 * 16 * 12 ticks with I = 0: every source latches
        JP   NZ,wait
        INC  M1
        JP   NZ,wait
""" + io_write(0xF78, 0x0) + """
        EI                ; stopped timer: its latched interrupt stays pending
loop:   JP   loop
""", prog="""
        LDPX MX,0xC
        EI
        RET
""", k10="""
        LDPX MX,0x8
        EI
        RET
""", k00="""
        LDPX MX,0x6
        EI
        RET
""", clock="""
        LDPX MX,0x2
        EI
        RET
""")
    m = build(source, s48=True)
    lab = labels(source)
    step_until_pc(m, lab["wait"])
    m.set_pin(K00, 0)
    m.set_pin(K10, 0)
    entered = []
    while m.registers()["PC"] != lab["loop"] or len(entered) < 4:
        count = m.cpu.interrupts
        m.step()
        if m.cpu.interrupts != count:
            entered.append(m.registers()["PC"])
        assert m.tick < 20_000
    assert entered[:4] == [VEC_PROG, VEC_K10, VEC_K00, VEC_CLOCK]
    assert ram(m, 0x80, 4) == [0xC, 0x8, 0x6, 0x2]


# --- clock timer ------------------------------------------------------------------

CLOCK_ISR = """
        LD   B,0xF
        LD   YP,B
        LD   Y,0x00
        LD   A,MY         ; F00
        LD   B,MY         ; F00 again: cleared by the first read
idle:   JP   idle
"""


@pytest.mark.parametrize(("bit", "edge", "f00"), [
    (0, 1024, 0b0001),    # 32 Hz: first falling edge after 1/32 s
    (1, 4096, 0b0011),    # 8 Hz; the 32 Hz flag is also up (never read)
    (2, 16384, 0b0111),   # 2 Hz
    (3, 32768, 0b1111),   # 1 Hz: first interrupt at tick 32,768 (notes §5)
], ids=["32Hz", "8Hz", "2Hz", "1Hz"])
def test_clock_timer_interrupt_on_falling_edges(bit: int, edge: int, f00: int) -> None:
    source = program(io_write(0xF10, 1 << bit) + """
        EI
loop:   JP   loop
""", clock=CLOCK_ISR)
    m = build(source)
    before, after = step_to_interrupt(m)
    assert m.registers()["PC"] == VEC_CLOCK
    # Timers run at the end of a step with that step's tick; the entry adds 12.
    assert before < edge <= after - 12 < edge + 5
    step_until_pc(m, labels(source)["idle"])
    assert (m.registers()["A"], m.registers()["B"]) == (f00, 0)


def test_clock_timer_keeps_interrupting_at_its_rate() -> None:
    source = program(io_write(0xF10, 0x1) + """
        EI
loop:   JP   loop
""", clock="""
        EI
        RET
""")
    m = build(source)
    entries = []
    while len(entries) < 5:
        _, after = step_to_interrupt(m)
        entries.append(after - 12)
    for k, tick in enumerate(entries, 1):
        assert 1024 * k <= tick < 1024 * k + 7


def test_clock_timer_data_registers_are_square_waves() -> None:
    """F21 = 1/2/4/8 Hz in bits 3..0, F20 = 16/32/64/128 Hz; each bit starts low.

    A read sees the timers as updated at the end of the previous step. Writes to
    these read-only registers are ignored (the chip's behaviour).
    """
    source = """
        ORG 0x100
        LD   B,0xF
        LD   XP,B
        LD   YP,B
        LD   X,0x20
        LD   Y,0x21
        LDPY MY,0xF       ; ignored
        LD   Y,0x21
loop:   LD   A,MY
        LD   B,MX
        JP   loop
    """
    m = build(source)
    lab = labels(source)
    step_until_pc(m, lab["loop"])
    halves_f21 = (2048, 4096, 8192, 16384)    # bit 0..3
    halves_f20 = (128, 256, 512, 1024)

    def level(tick: int, halves: tuple[int, ...]) -> int:
        return sum(((tick // h) & 1) << b for b, h in enumerate(halves))

    checked = 0
    while m.tick < 70_000:
        pc = m.registers()["PC"]
        before = m.tick
        m.step()
        if pc == lab["loop"]:
            assert m.registers()["A"] == level(before, halves_f21), m.tick
            checked += 1
        elif pc == lab["loop"] + 1:
            assert m.registers()["B"] == level(before, halves_f20), m.tick
    assert checked > 4000


def test_a_compare_reads_the_factor_register_once() -> None:
    """CP on F00 sees the flag and clears it by that one read (the chip; TamaLIB's
    second read for Z is an artefact the notes say not to copy, §1)."""
    source = """
        ORG 0x100
        LD   B,0xF
        LD   YP,B
        LD   Y,0x00
        LD   A,0x0
        LD   M0,A
        LD   M1,A
wait:   INC  M0           ; about 3,300 ticks: the 32 Hz flag (F00 bit 0) is up
        JP   NZ,wait
        INC  M1
        JP   NZ,wait
        RST  F,0x0
        CP   MY,0x1       ; F00 = 1: Z = 1, C = 0
        LD   A,MY         ; cleared by the compare's read
done:   JP   done
    """
    m = build(source)
    step_until_pc(m, labels(source)["done"])
    assert 3072 < m.tick < 4096  # past three 32 Hz edges, before the 8 Hz one
    assert flags(m) == {"C": 0, "Z": 1, "D": 0, "I": 0}
    assert m.registers()["A"] == 0


# --- programmable timer ---------------------------------------------------------

@pytest.mark.parametrize("reload", [7, 1, 0x21, 0])
def test_programmable_timer_underflows_every_reload_periods(reload: int) -> None:
    """256 Hz down counter (128 ticks); reaching 0 reloads from F26/F27 and sets F02.

    Reload 0 counts 256 periods (the counter wraps through 0xFF).
    """
    setup = (io_write(0xF12, 0x1) + io_write(0xF26, reload & 0xF)
             + io_write(0xF27, reload >> 4) + "        EI\n")
    source = program(setup + io_write(0xF78, 0x3) + """
armed:  NOP5
loop:   JP   loop
""", prog="""
        LD   B,0xF
        LD   YP,B
        LD   Y,0x02
        LD   A,MY         ; F02
        LD   M0,A
        LD   Y,0x24
        LD   A,MY         ; counter, just reloaded
        LD   M1,A
        LD   Y,0x25
        LD   A,MY
        LD   M2,A
        INC  M3
        EI
        RET
""")
    m = build(source)
    lab = labels(source)
    step_until_pc(m, lab["armed"])
    start = m.tick  # the tick at which the F78 write executed (the count lags one step)
    period = (reload or 256) * 128
    for k in range(1, 4):
        before, after = step_to_interrupt(m)
        assert m.registers()["PC"] == VEC_PROG
        assert before < start + k * period <= after - 12 < start + k * period + 8
        step_until_pc(m, lab["loop"])
        assert ram(m, 0, 4) == [0x1, reload & 0xF, reload >> 4, k]


def test_stopped_programmable_timer_does_not_interrupt() -> None:
    source = program(io_write(0xF12, 0x1) + io_write(0xF26, 0x2) + io_write(0xF78, 0x3)
                     + "        EI\nloop:   JP loop\n",
                     prog=io_write(0xF78, 0x0) + "        EI\n        RET\n")
    m = build(source)
    step_to_interrupt(m)
    m.run_until(m.tick + 20 * 256)
    assert m.cpu.interrupts == 1


# --- input ports ----------------------------------------------------------------

K0_WATCH = """
        LD   B,0xF
        LD   YP,B
watch:  LD   Y,0x04
        LD   A,MY         ; F04, cleared by reading
        OR   A,0x0
        JP   Z,watch
        LD   M0,A
        LD   Y,0x40
        LD   A,MY
        LD   M1,A         ; F40 while pressed
idle:   JP   idle
"""


def test_k00_k03_factor_flags_but_no_interrupt_on_the_e0c6s46() -> None:
    """TamaLIB's mask bug (notes §3): F14 lands in the serial slot; K0 never interrupts."""
    source = program(io_write(0xF14, 0xF) + "        EI\n" + K0_WATCH)
    m = build(source)
    lab = labels(source)
    step_until_pc(m, lab["watch"])
    step_n(m, 20)
    m.press("A")  # K02
    step_until_pc(m, lab["idle"])
    step_n(m, 100)
    assert m.cpu.interrupts == 0
    assert ram(m, 0, 2) == [0b0100, 0b1011]


def test_k00_k03_interrupt_on_the_e0c6s48() -> None:
    source = program(io_write(0xF14, 0x4) + "        EI\nloop:   JP loop\n", k00="""
        LD   B,0xF
        LD   YP,B
        LD   Y,0x04
        LD   A,MY
        LD   M0,A
        LD   Y,0x40
        LD   A,MY
        LD   M1,A
idle:   JP   idle
""")
    m = build(source, s48=True)
    lab = labels(source)
    step_until_pc(m, lab["loop"])
    m.set_pin(K00, 0)  # not in the mask: flag only
    step_n(m, 50)
    assert m.cpu.interrupts == 0
    m.set_pin(K02, 0)
    m.step()
    assert m.registers()["PC"] == VEC_K00
    step_until_pc(m, lab["idle"])
    assert ram(m, 0, 2) == [0b0101, 0b1010]


@pytest.mark.parametrize(("f41", "fires_on"), [(0xF, "press"), (0xB, "release")])
def test_k0_interrupt_polarity_follows_f41(f41: int, fires_on: str) -> None:
    """An edge interrupts when the new level differs from the F41 bit (notes §7)."""
    source = program(io_write(0xF41, f41) + io_write(0xF14, 0x4) + """
        EI
loop:   JP   loop
""", k00="""
        EI
        RET
""")
    m = build(source, s48=True)
    step_until_pc(m, labels(source)["loop"])
    m.set_pin(K02, 0)
    step_n(m, 20)
    on_press = m.cpu.interrupts
    m.set_pin(K02, 1)
    step_n(m, 20)
    on_release = m.cpu.interrupts - on_press
    assert (on_press, on_release) == ((1, 0) if fires_on == "press" else (0, 1))


def test_k10_interrupts_on_falling_edges_and_f42_reads_the_pins() -> None:
    source = program(io_write(0xF15, 0x1) + """
        LD   Y,0x42
        LD   A,MY
        LD   M0,A         ; all released: F
        EI
loop:   JP   loop
""", k10="""
        LD   B,0xF
        LD   YP,B
        LD   Y,0x42
        LD   A,MY
        LD   M1,A         ; K10 low: E
        EI
        RET
""")
    m = build(source, s48=True)
    lab = labels(source)
    step_until_pc(m, lab["loop"])
    m.set_pin(K10, 0)
    step_n(m, 20)
    assert m.cpu.interrupts == 1
    m.set_pin(K10, 1)  # rising: no interrupt
    step_n(m, 20)
    assert m.cpu.interrupts == 1
    assert ram(m, 0, 2) == [0xF, 0xE]


def test_k10_port_on_the_e0c6s46_reads_zero_and_never_interrupts() -> None:
    """TamaLIB cannot drive K10-K13 on its E0C6S46 build: F42 reads 0 (notes §3, §12)."""
    source = program(io_write(0xF13, 0xF) + io_write(0xF15, 0xF) + """
        LD   Y,0x42
        LD   A,MY
        LD   M0,A
        EI
loop:   JP   loop
""")
    m = build(source)
    step_until_pc(m, labels(source)["loop"])
    m.set_pin(K10, 0)
    step_n(m, 50)
    assert m.cpu.interrupts == 0
    assert ram(m, 0, 1) == [0]


# --- HALT -----------------------------------------------------------------------

HALT_PROGRAM = program(io_write(0xF10, 0x1) + """
        EI
at_halt:
        HALT
after:  LD   A,0x5
done:   JP   done
""", clock="""
        LD   B,0x7
        RET
""")


def test_halt_waits_5_cycles_per_step_and_wakes_on_an_interrupt() -> None:
    m = build(HALT_PROGRAM)
    lab = labels(HALT_PROGRAM)
    step_until_pc(m, lab["at_halt"])
    m.step()  # HALT
    t_halt = m.tick
    instructions = m.cpu.instructions
    k = 0
    while m.cpu.interrupts == 0:
        m.step()
        k += 1
        if m.cpu.interrupts == 0:
            assert m.registers()["PC"] == lab["after"]
            assert m.tick == t_halt + 5 * k
    assert m.cpu.instructions == instructions  # halted steps execute nothing
    # The step that woke: 5 more ticks, reached the 32 Hz edge, then 12 for the entry.
    assert t_halt + 5 * (k - 1) < 1024 <= t_halt + 5 * k
    assert m.tick == t_halt + 5 * k + 12
    assert m.registers()["PC"] == VEC_CLOCK
    assert pushed_pc(m) == lab["after"]
    woke = m.tick
    m.step()  # a halted step forgets the last instruction's cycles: nothing charged
    assert m.tick == woke
    m.step()
    assert m.tick == woke + 5
    step_until_pc(m, lab["done"])
    assert (m.registers()["A"], m.registers()["B"]) == (5, 7)


def test_an_interrupt_latched_during_the_halt_step_is_taken_at_once() -> None:
    """The HALT step ends like any other: a pending interrupt is entered, HALT cleared,
    and the next step charges HALT's own 5 cycles (it was not a halted step)."""
    source = program(io_write(0xF15, 0x1) + """
        EI
at_halt:
        HALT
after:  NOP5
done:   JP   done
""", k10="""
        RET
""")
    m = build(source, s48=True)
    lab = labels(source)
    step_until_pc(m, lab["at_halt"])
    m.set_pin(K10, 0)
    m.step()
    t = m.tick
    assert m.registers()["PC"] == VEC_K10
    assert m.cpu.halted == 0
    assert pushed_pc(m) == lab["after"]
    m.step()
    assert m.tick == t + 5
    step_until_pc(m, lab["done"])


def test_halt_with_interrupts_disabled_never_wakes() -> None:
    source = program("""
        DI
        HALT
done:   JP   done
""")
    m = build(source)
    step_until_pc(m, labels(source)["done"] - 1)
    m.step()
    t_halt = m.tick
    steps = m.cpu.steps
    m.run_until(5 * 32768)
    assert m.registers()["PC"] == labels(source)["done"]
    assert 5 * 32768 <= m.tick < 5 * 32768 + 5
    assert (m.tick - t_halt) % 5 == 0
    assert m.cpu.steps - steps == (m.tick - t_halt) // 5


@pytest.mark.parametrize(("s48", "osc3"), [(False, False), (True, False), (True, True)],
                         ids=["s46", "s48", "s48-osc3"])
def test_fast_forwarded_halt_equals_single_steps(s48: bool, osc3: bool) -> None:
    """run_until may skip idle time in one jump; it must land where stepping lands."""
    clock = io_write(0xF70, 0x8) if osc3 else ""
    source = program(clock + io_write(0xF10, 0xF) + io_write(0xF12, 0x1)
                     + io_write(0xF26, 0xD) + io_write(0xF78, 0x3) + """
        EI
sleep:  HALT
        INC  M0
        JP   sleep
""", clock="""
        INC  M1
        EI
        RET
""", prog="""
        INC  M2
        EI
        RET
""")
    stepped = build(source, s48=s48)
    jumped = build(source, s48=s48)
    for target in (700, 5000, 40_000, 70_001):
        while stepped.tick < target:
            stepped.step()
        jumped.run_until(target)
        assert run_state(jumped) == run_state(stepped), target
    assert stepped.cpu.halted_steps > 1000
    assert stepped.read_memory(0x001) > 0 and stepped.read_memory(0x002) > 0


# --- OSC3 -----------------------------------------------------------------------


def _expected_ticks(cycles: list[int], osc3_after: list[bool]) -> list[int]:
    """Tick after each step of straight-line code, per notes §1 and §9.

    Cycles of instruction n are charged at the start of step n+1, at the clock
    in force then; on OSC3 through a remainder accumulator (reset on a switch).
    """
    tick, acc, out, osc3 = 0, 0, [], False
    pending = 0
    for n, c in enumerate(cycles):
        if osc3:
            acc += pending * 32768
            tick += acc // 1_000_000
            acc %= 1_000_000
        else:
            tick += pending
        out.append(tick)
        pending = c
        if osc3_after[n] != osc3:
            osc3 = osc3_after[n]
            acc = 0
    return out


def test_osc3_changes_the_cycle_to_tick_rate() -> None:
    nops = 60
    source = ("        ORG 0x100\n" + io_write(0xF70, 0x8) + "        NOP7\n" * nops
              + io_write(0xF70, 0x0) + "        NOP5\n" * 10 + "done:   JP done\n")
    m = build(source, s48=True)
    cycles = [5] * 4 + [7] * nops + [5] * 4 + [5] * 10
    osc3 = [False] * 3 + [True] * (1 + nops + 3) + [False] * 11
    seen = []
    for _ in cycles:
        m.step()
        seen.append(m.tick)
    assert seen == _expected_ticks(cycles, osc3)
    # 60 NOP7 on OSC3: 420 cycles at 1 MHz ~ 13.8 ticks instead of 420
    assert seen[4 + nops] - seen[4] < 20


def test_osc3_halt_takes_about_six_steps_per_tick() -> None:
    source = program(io_write(0xF70, 0x8) + "        DI\n        HALT\ndone: JP done\n")
    m = build(source, s48=True)
    step_until_pc(m, labels(source)["done"])
    t0, s0 = m.tick, m.cpu.steps
    m.run_until(t0 + 1000)
    steps = m.cpu.steps - s0
    # each halted step is 5 cycles at 1 MHz = 0.16384 tick
    assert steps == pytest.approx(1000 / 0.16384, abs=8)


def test_clock_timer_keeps_osc1_time_on_osc3() -> None:
    source = program(io_write(0xF70, 0x8) + io_write(0xF10, 0x1) + """
        EI
loop:   JP   loop
""")
    m = build(source, s48=True)
    before, after = step_to_interrupt(m)
    # 12 entry cycles at 1 MHz are less than half a tick
    assert before < 1024 <= after <= before + 1
    assert m.cpu.steps > 5000  # ~30 instructions per tick on OSC3

