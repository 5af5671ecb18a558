"""Properties that must hold for every program, checked on random ones (Hypothesis).

* The disassembler and the assembler are inverse: every 12-bit word, and every
  listing, assembles back to the same words.
* Saving, loading into a fresh machine and continuing is the same as continuing.
* The fast run loop (``run_until``, which fast-forwards HALT) and single steps
  (``step``) agree exactly, with buttons, HALT, interrupts and OSC3 in play;
  also on programs made of the runs the compiled loop fuses into one case.

Random programs use every instruction word, the ones no instruction has included.
Half of them start with a preamble that turns on the timers, interrupts, the
buzzer and sometimes OSC3, and sprinkle HALT and EI over a loop, so that the
idle fast path and the interrupt paths are exercised, not just straight code.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from pygotchi.emu import Machine, assemble, disassemble, ops
from pygotchi.emu.disasm import mnemonic
from pygotchi.emu.isa import DECODE
from tests.emu.helpers import S46_WORDS, S48_WORDS, build_words, io_write, run_state

# --- assembler and disassembler ----------------------------------------------------


def test_every_word_disassembles_to_text_that_assembles_back() -> None:
    wrong = {}
    for word in range(4096):
        text = mnemonic(word)
        words = assemble(f"        ORG 0x100\n        {text}\n").words
        if words != {0x100: word}:
            wrong[f"{word:03X}"] = (text, words)
    assert wrong == {}


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 0x1FC0), st.lists(st.integers(0, 0xFFF), min_size=1, max_size=64))
def test_listings_assemble_back_to_the_same_words(start: int, words: list[int]) -> None:
    lines = [f"        ORG {start:#x}"] + [f"        {text}" for _, _, text
                                            in disassemble(words, start)]
    program = assemble("\n".join(lines) + "\n")
    assert program.words == {start + i: w for i, w in enumerate(words)}


# --- random programs ----------------------------------------------------------------


def _preamble(rng: random.Random, s48: bool) -> str:
    """Set-up code at the reset vector: timers, masks, buzzer, maybe OSC3, then EI."""
    lines = ["        ORG 0x100", "        JP   0x0E"]
    for vector in range(0x102, 0x10E, 2):
        lines += [f"        ORG {vector:#x}", "        JP   0x70"]
    lines += ["        ORG 0x10E",
              f"        LD   A,{rng.randrange(2, 16):#x}", "        LD   SPH,A"]
    setup = [(0xF10, rng.randrange(16)), (0xF12, rng.randrange(2)),
             (0xF14, rng.randrange(16)), (0xF15, rng.randrange(16)),
             (0xF26, rng.randrange(16)), (0xF27, rng.randrange(2)),
             (0xF78, rng.choice((0, 3, 3))), (0xF74, rng.randrange(8)),
             (0xF54, rng.choice((0, 8))), (0xF41, rng.randrange(16))]
    if rng.random() < (0.6 if s48 else 0.2):
        setup.append((0xF70, 0x8))
    for addr, value in setup:
        lines.append(io_write(addr, value).rstrip("\n"))
    lines += ["        EI", "        JP   0x80",
              "        ORG 0x170",  # the interrupt handler
              f"        INC  M{rng.randrange(16):X}", "        EI", "        RET"]
    return "\n".join(lines) + "\n"


# Words that leave the main loop of a structured program or unbalance its stack.
_LEAVING = {"pset", "jp", "jp_c", "jp_nc", "jp_z", "jp_nz", "jpba", "call", "calz", "ret",
            "rets", "retd", "inc_sp", "dec_sp", "ld_sph_r", "ld_spl_r"}
LOOP_WORDS = tuple(w for w in range(4096) if DECODE[w].kind not in _LEAVING
                   and not DECODE[w].kind.startswith(("push", "pop")))


def random_program(seed: int, s48: bool, structured: bool) -> list[int]:
    """A whole ROM of random words; if ``structured``, with a preamble and a main loop
    of straight-line random code (any word that does not jump or touch SP), HALT and
    EI, which the program keeps running so that it halts and takes interrupts often."""
    rng = random.Random(seed)
    size = S48_WORDS if s48 else S46_WORDS
    words = [rng.randrange(4096) for _ in range(size)]
    if structured:
        for addr, word in assemble(_preamble(rng, s48)).words.items():
            words[addr] = word
        for addr in range(0x180, 0x1FF):
            r = rng.random()
            if r < 0.08:
                words[addr] = 0xFF8  # HALT
            elif r < 0.12:
                words[addr] = 0xF48  # EI
            else:
                words[addr] = rng.choice(LOOP_WORDS)
        words[0x1FF] = 0x080  # JP 0x80: back to 0x180
    return words


programs = st.tuples(st.integers(0, 2**32 - 1), st.booleans(), st.booleans())
pin_events = st.lists(st.tuples(st.integers(0, 12_000), st.integers(0, 7), st.integers(0, 1)),
                      max_size=12)


def _schedule(m: Machine, events: list[tuple[int, int, int]], base: int = 0) -> None:
    for tick, pin, level in events:
        m.set_pin(pin, level, at_tick=base + tick)


@settings(max_examples=100, deadline=None)
@given(programs, st.integers(1, 4000), st.integers(1, 40_000), pin_events, pin_events)
def test_save_load_continue_equals_continue(program: tuple[int, bool, bool], steps: int,
                                            more_ticks: int, before: list, after: list) -> None:
    seed, s48, structured = program
    words = random_program(seed, s48, structured)
    m = build_words(words)
    assert m.model.s48 == s48
    _schedule(m, [(t % 3000, p, v) for t, p, v in before])
    for _ in range(steps):
        m.step()
    m._inputs.clear()  # input still queued is not part of a saved state
    data = m.save_state()
    m.buzzer_events()
    fresh = build_words(words)
    fresh.run_until(seed % 500)  # a machine somewhere else in its life
    fresh.load_state(data)
    assert run_state(fresh) == run_state(m)
    base = m.tick
    for machine in (m, fresh):
        _schedule(machine, after, base=base)
        machine.run_until(base + more_ticks)
    assert run_state(fresh) == run_state(m)
    assert fresh.buzzer_events() == m.buzzer_events()
    assert fresh.screen().frame == m.screen().frame


@settings(max_examples=100, deadline=None)
@given(programs, st.lists(st.integers(1, 20_000), min_size=1, max_size=4), pin_events)
def test_single_steps_equal_run_until(program: tuple[int, bool, bool], chunks: list[int],
                                      events: list) -> None:
    seed, s48, structured = program
    words = random_program(seed, s48, structured)
    fast = build_words(words)
    slow = build_words(words)
    _schedule(fast, events)
    _schedule(slow, events)
    for chunk in chunks:
        target = fast.tick + chunk
        fast.run_until(target)
        while slow.tick < target:
            slow.step()
        # run_until also applies the input that falls due at its last tick; a step
        # applies due input before it runs. One more step each puts them level.
        fast.step()
        slow.step()
        assert run_state(fast) == run_state(slow)
    assert fast.buzzer_events() == slow.buzzer_events()
    assert fast.screen_version == slow.screen_version


@settings(max_examples=50, deadline=None)
@given(programs, st.lists(st.integers(1, 5000), min_size=2, max_size=6))
def test_running_in_pieces_equals_running_at_once(program: tuple[int, bool, bool],
                                                  pieces: list[int]) -> None:
    seed, s48, structured = program
    words = random_program(seed, s48, structured)
    whole = build_words(words)
    parts = build_words(words)
    whole.run_until(sum(pieces))
    for t in range(1, len(pieces) + 1):
        parts.run_until(sum(pieces[:t]))
    assert run_state(whole) == run_state(parts)


_AWAY = {"ret", "rets", "retd", "call", "calz", "jpba"}


def fused_program(seed: int, s48: bool) -> list[int]:
    """A structured random program whose main loop is made of ``ops.FUSED`` runs.

    Each run's handlers get random words of their own; jumps land in the loop, and
    runs that would leave it (returns, calls, JPBA) are left out.
    """
    rng = random.Random(seed)
    words = random_program(seed, s48, True)
    by_handler: dict[int, list[int]] = {}
    for w in range(4096):
        by_handler.setdefault(ops.KIND[w], []).append(w)
    staying = [run for run in ops.FUSED
               if not any(DECODE[by_handler[k][0]].kind in _AWAY for k in run)]
    addr = 0x180
    while addr < 0x1FF:
        for k in rng.choice(staying):
            if addr >= 0x1FF:
                break
            w = rng.choice(by_handler[k])
            if DECODE[w].kind in ("jp", "jp_c", "jp_nc", "jp_z", "jp_nz"):
                w = (w & 0xF00) | rng.randrange(0x80, 0xFF)
            words[addr] = w
            addr += 1
        if rng.random() < 0.1 and addr < 0x1FF:
            words[addr] = rng.choice((0xFF8, 0xF48))  # HALT, EI
            addr += 1
    return words


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans(),
       st.lists(st.integers(1, 20_000), min_size=1, max_size=3), pin_events)
def test_fused_runs_equal_single_steps(seed: int, s48: bool, chunks: list[int],
                                       events: list) -> None:
    words = fused_program(seed, s48)
    fast = build_words(words)
    slow = build_words(words)
    _schedule(fast, events)
    _schedule(slow, events)
    for chunk in chunks:
        target = fast.tick + chunk
        fast.run_until(target)
        while slow.tick < target:
            slow.step()
        fast.step()
        slow.step()
        assert run_state(fast) == run_state(slow)
    assert fast.buzzer_events() == slow.buzzer_events()


def test_structured_random_programs_reach_halt_osc3_and_interrupts() -> None:
    """The generator really exercises what the properties claim to cover."""
    halted = osc3 = interrupts = 0
    for seed in range(40):
        m = build_words(random_program(seed, True, True))
        for _ in range(40):
            m.run_until(m.tick + 250)
            halted += m.cpu.halted
            osc3 += m.cpu.osc3
        interrupts += m.cpu.interrupts
    assert halted > 20 and osc3 > 20 and interrupts > 40
