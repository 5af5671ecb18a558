"""Halted time is skipped in bulk: the result must equal stepping halted step by step.

Programs here sleep in HALT with every mix of clock-timer masks, programmable
timer reloads (including 0, which counts 256), I set or clear, OSC1 or OSC3,
and an interrupt routine that acknowledges and samples the timer registers into
RAM, so that a wrong level of F20/F21, a lost factor flag or a wrong counter
value after a skip shows up in the compared state.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pygotchi.emu import Machine, assemble, load_rom
from pygotchi.emu.rom import words_to_rombin

SOURCE = """
        ORG 0x100
        JP start
        ORG 0x102
        JP isr              ; clock timer
        ORG 0x10C
        JP isr              ; programmable timer
        ORG 0x110
start:  LD A,0
        LD SPH,A
        LD SPL,A
        LD A,0xF
        LD XP,A
        LD X,0x70           ; F70: CPU clock
        LD MX,{osc}
        LD X,0x10           ; F10: clock-timer masks
        LD MX,{clock_mask}
        LD X,0x26           ; F26/F27: programmable timer reload
        LD MX,{reload_lo}
        LD X,0x27
        LD MX,{reload_hi}
        LD X,0x12           ; F12: programmable timer mask
        LD MX,{prog_mask}
        LD X,0x78           ; F78: reload and run
        LD MX,{prog_ctrl}
        {ei}
idle:   HALT
        JP idle

isr:    PUSH A
        PUSH XP
        PUSH XH
        PUSH XL
        LD A,0xF
        LD XP,A
        LD X,0x00
        LD A,MX             ; acknowledge the clock timer
        LD X,0x02
        LD B,MX             ; and the programmable timer
        LD X,0x20
        LD A,MX             ; sample the clock-timer levels
        LD M0,A
        LD X,0x21
        LD A,MX
        LD M1,A
        LD X,0x24
        LD A,MX             ; and the counter
        LD M2,A
        INC M3              ; count the wake-ups
        POP XL
        POP XH
        POP XP
        POP A
        {reti_ei}
        RET
"""


def build(params: dict) -> Machine:
    program = assemble(SOURCE.format(**params))
    return Machine(load_rom(words_to_rombin(program.image(6144))))


params = st.fixed_dictionaries({
    "osc": st.sampled_from(["0x0", "0x8"]),
    "clock_mask": st.integers(0, 15).map(hex),
    "reload_lo": st.integers(0, 15).map(hex),
    "reload_hi": st.sampled_from(["0x0", "0x0", "0x1", "0xF"]),
    "prog_mask": st.sampled_from(["0x0", "0x1"]),
    "prog_ctrl": st.sampled_from(["0x0", "0x3", "0x2", "0x1"]),
    "ei": st.sampled_from(["EI", "DI"]),
    "reti_ei": st.sampled_from(["EI", "NOP5"]),
})


@settings(max_examples=60, deadline=None)
@given(params=params, stops=st.lists(st.integers(1, 40_000), min_size=1, max_size=4))
def test_skipping_equals_stepping(params: dict, stops: list[int]) -> None:
    skipped, stepped = build(params), build(params)
    for stop in sorted(stops):
        skipped.run_until(stop)
        while stepped.tick < stop:
            stepped.step()
        assert skipped.save_state() == stepped.save_state()


def test_a_sleeper_with_interrupts_off_keeps_its_timers() -> None:
    """HALT with I=0 never wakes; the timers still run and flag what happened."""
    m = build({"osc": "0x0", "clock_mask": "0xF", "reload_lo": "0x0", "reload_hi": "0x0",
               "prog_mask": "0x1", "prog_ctrl": "0x3", "ei": "DI", "reti_ei": "NOP5"})
    m.run_until(10 * 32768 + 100)
    c = m.cpu
    assert c.halted and c.interrupts == 0
    assert c.factor[5] == 0xF  # every clock interrupt flag was raised
    assert c.triggered[5] and c.triggered[0]  # latched, waiting for I
    assert c.halted_steps > 60_000
