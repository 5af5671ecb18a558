"""The clock timer and the programmable timer, driven by the tick count.

TamaLIB updates every timer after every instruction. Here the chip knows the
tick of the next timer event (``Chip.timer_event``) and the CPU loop calls
``run_timers`` only when the tick count reaches it; the events, and so the
traces, are the same.

Clock timer (TamaLIB's model): eight square waves of 1-128 Hz whose levels are
the bits of F21 (1, 2, 4, 8 Hz in bits 3..0) and F20 (16, 32, 64, 128 Hz in bits
3..0). Channel i toggles every 16384 >> i ticks, counted from its own time
stamp, and the falling edges of 1, 2, 8 and 32 Hz raise clock interrupts (F00
bits 3..0). Programmable timer: an 8-bit down counter clocked at 256 Hz whatever
F79 says (TamaLIB ignores the clock select); reaching 0 reloads it and raises
F02 bit 0.
"""

from __future__ import annotations

# Literals below, not module constants: the compiled build runs this without the GIL.
# Interrupt slots: 0 = programmable timer, 5 = clock timer (memory.py lists them all).


def clock_irq_bit(channel: int) -> int:
    """F00 bit raised on a falling edge of clock-timer channel 0-7, or -1."""
    if channel == 0:
        return 3  # 1 Hz
    if channel == 1:
        return 2  # 2 Hz
    if channel == 3:
        return 1  # 8 Hz
    if channel == 5:
        return 0  # 32 Hz
    return -1


def run_timers(c, tick: int) -> None:
    """Apply every timer event due at ``tick``.

    Most calls (hundreds a second) find, with the channels in phase, at most the
    128 and 64 Hz channels (which raise no interrupt) and one count of the
    programmable timer that does not reach 0 due: those are applied here, in a
    function small enough that the C compiler saves no registers for it; every
    other call goes to ``run_timers_full``, which gives the same result for
    these cases.
    """
    if c.clock_aligned and tick < c.clock_stamps[5] + 512:
        if c.prog_enabled:
            late = tick - c.prog_stamp
            if late >= 128:
                if late >= 256 or c.prog_data == 1:
                    run_timers_full(c, tick)
                    return
                c.prog_stamp += 128
                c.prog_data = (c.prog_data - 1) & 0xFF
        event = c.clock_stamps[7] + 128
        if tick >= event:  # the 128 Hz channel: F20 bit 0
            c.clock_stamps[7] = event
            c.mem[0xF20] ^= 1
            event += 128
            # In phase, the 64 Hz channel (F20 bit 1) is due only with it, and
            # at most one period late while the 32 Hz one is not due.
            if tick - c.clock_stamps[6] >= 256:
                c.clock_stamps[6] += 256
                c.mem[0xF20] ^= 2
        if c.prog_enabled and c.prog_stamp + 128 < event:
            event = c.prog_stamp + 128
        c.timer_event = event
        if c.attn != 0:
            # Nothing latched while I=1 (attn would be 0): attn is the timer event.
            c.attn = event
        else:
            c.update_attn()
        return
    run_timers_full(c, tick)


def run_timers_full(c, tick: int) -> None:
    """``run_timers`` for any set of due events.

    A channel that is several periods late (after loading an old TLST file)
    catches its stamp up but toggles once, as TamaLIB does.

    While the channels are in phase (``Chip.clock_aligned``: every stamp is the
    128 Hz stamp rounded down to its own period, as from reset) a channel is due
    only if every faster one is, so the scan stops at the first one that is not,
    and the next clock event is one 128 Hz period on.
    """
    if c.clock_aligned:
        # The 128 and 64 Hz channels are looked at on their own: the compiled
        # loop's ``settle`` may have moved them on already (see lazy mode below).
        late = tick - c.clock_stamps[7]
        if late >= 128:
            clock_toggle(c, 7, late)
        late = tick - c.clock_stamps[6]
        if late >= 256:
            clock_toggle(c, 6, late)
        i = 5
        while i >= 0:
            period = 16384 >> i
            late = tick - c.clock_stamps[i]
            if late < period:
                break
            clock_toggle(c, i, late)
            i -= 1
        event = c.clock_stamps[7] + 128
    else:
        for i in range(8):
            late = tick - c.clock_stamps[i]
            if late >= 16384 >> i:
                clock_toggle(c, i, late)
        event = -1
    if c.prog_enabled:
        late = tick - c.prog_stamp
        if late >= 128:  # 256 Hz
            if late < 256 and c.prog_data != 1:  # one count that does not reach 0
                c.prog_stamp += 128
                c.prog_data = (c.prog_data - 1) & 0xFF
            else:
                for _ in range(late >> 7):
                    c.prog_stamp += 128
                    data = (c.prog_data - 1) & 0xFF
                    if data == 0:
                        data = c.prog_reload
                        c.raise_interrupt(0, 0)
                    c.prog_data = data
        if event >= 0 and c.prog_stamp + 128 < event:
            event = c.prog_stamp + 128
    if event < 0:
        c.update_timer_event()
    else:
        c.timer_event = event
        if c.attn != 0:
            # Nothing latched while I=1 (attn would be 0): attn is the timer event.
            c.attn = event
        else:
            c.update_attn()


def clock_toggle(c, i: int, late: int) -> None:
    """Channel ``i``, ``late`` ticks past its stamp (at least one period): toggle once."""
    c.clock_stamps[i] += (late >> (14 - i)) << (14 - i)
    reg = 0xF21 if i < 4 else 0xF20
    bit = 1 << (3 - (i & 3))
    level = c.mem[reg] ^ bit
    c.mem[reg] = level
    irq = clock_irq_bit(i)
    if irq >= 0 and not level & bit:
        c.raise_interrupt(5, irq)


# --- lazy mode of the compiled loop ------------------------------------------
#
# Most timer events change nothing but a counter: the 128 and 64 Hz channels
# toggle F20 bits 0 and 1 (no interrupt), and the programmable timer counts
# down without reaching 0. While the channels are in phase, the compiled loop
# (ops.run_awake_native) lets those go by and stops only at the *real* events:
# the 32 Hz channel (and every slower one with it) and the count that reaches
# 0. ``settle`` applies the skipped events in one go whenever they could be
# seen: at every stop of the loop, when it leaves, and in the middle of a step
# before an instruction reads F20, F24 or F25 or writes F78 (up to the end of
# the previous step, where the step-by-step model ran them). Every step is
# shorter than the shortest period (128 ticks), so each skipped event is one
# that a step would have applied on its own: n events at once are n toggles
# or n counts. Everywhere else (``attend``, halted time, the debugger, state
# files) the timers are settled and ``timer_event``/``attn`` are the usual ones.


def real_event(c) -> int:
    """The tick of the next event that lazy mode does not skip (channels in phase)."""
    event = c.clock_stamps[5] + 512  # in phase, every slower channel is due only with this one
    if c.prog_enabled:
        first = c.prog_data if c.prog_data else 256  # counts until it reaches 0
        t = c.prog_stamp + 128 * first
        if t < event:
            event = t
    return event


def settle(c, tick: int) -> None:
    """In lazy mode, apply the skipped events due by ``tick`` (none that reaches a real event)."""
    n = (tick - c.clock_stamps[7]) >> 7
    if n > 0:
        c.clock_stamps[7] += n << 7
        if n & 1:
            c.mem[0xF20] ^= 1
        n = (tick - c.clock_stamps[6]) >> 8  # in phase, due only with the 128 Hz channel
        if n > 0:
            c.clock_stamps[6] += n << 8
            if n & 1:
                c.mem[0xF20] ^= 2
    event = c.clock_stamps[7] + 128
    if c.clock_stamps[5] + 512 < event:  # the 32 Hz channel, due with the 128 Hz one just settled
        event = c.clock_stamps[5] + 512
    if c.prog_enabled:
        n = (tick - c.prog_stamp) >> 7
        if n > 0:
            first = c.prog_data if c.prog_data else 256
            if n >= first:  # the count that reaches 0 is a real event: never here
                n = first - 1
            c.prog_stamp += n << 7
            c.prog_data = (c.prog_data - n) & 0xFF
        if c.prog_stamp + 128 < event:
            event = c.prog_stamp + 128
    c.timer_event = event


def enter_lazy(c) -> None:
    """At the start of the compiled loop: skip the counter-only events if the timers allow.

    Only with the channels in phase, on OSC1, with nothing due yet (so no
    channel is a whole period late, as after loading an old TLST file) and
    no interrupt waiting; ``attn`` is then the next real event.
    """
    if c.clock_aligned and c.osc3 == 0 and c.attn != 0 and c.tick < c.timer_event:
        c.lazy = 1
        c.attn = real_event(c)


def loop_timers(c, tick: int) -> None:
    """At a stop of the compiled loop (``tick >= attn``): the timer events due at ``tick``.

    In lazy mode those are the skipped ones (as ``settle`` applies them) and
    then the real ones, as ``run_timers_full`` would apply them; then ``attn``
    is the next real event. Otherwise the usual ``run_timers``, and lazy mode
    from here on if the timers allow it. (This runs at every real event, a
    hundred times a second: the stamps are read once, into locals.)
    """
    if c.lazy:
        s7 = c.clock_stamps[7]
        if tick - s7 >= 128:
            n = (tick - s7) >> 7
            s7 += n << 7
            c.clock_stamps[7] = s7
            level = c.mem[0xF20] ^ (n & 1)
            s6 = c.clock_stamps[6]
            if tick - s6 >= 256:  # in phase, due only with the 128 Hz channel
                n = (tick - s6) >> 8
                c.clock_stamps[6] = s6 + (n << 8)
                level ^= (n & 1) << 1
            c.mem[0xF20] = level
        s5 = c.clock_stamps[5]
        if tick - s5 >= 512:
            # The 32 Hz channel (F20 bit 2; falling edge: F00 bit 0), as clock_toggle
            # does it, then every slower one that is due with it (in phase).
            s5 += ((tick - s5) >> 9) << 9
            c.clock_stamps[5] = s5
            level = c.mem[0xF20] ^ 4
            c.mem[0xF20] = level
            if not level & 4:
                c.raise_interrupt(5, 0)
            i = 4
            while i >= 0:
                late = tick - c.clock_stamps[i]
                if late < (16384 >> i):
                    break
                clock_toggle(c, i, late)
                i -= 1
        event = s5 + 512
        if c.prog_enabled:
            stamp = c.prog_stamp
            data = c.prog_data
            n = (tick - stamp) >> 7
            if n > 0:
                first = data if data else 256
                if n < first:  # counts that do not reach 0 (settle)
                    stamp += n << 7
                    data = (data - n) & 0xFF
                else:
                    # Up to the count that reaches 0, which reloads and raises
                    # F02 bit 0; any count after it, as run_timers_full does.
                    stamp += first << 7
                    n -= first
                    data = c.prog_reload
                    c.raise_interrupt(0, 0)
                    while n > 0:
                        stamp += 128
                        n -= 1
                        data = (data - 1) & 0xFF
                        if data == 0:
                            data = c.prog_reload
                            c.raise_interrupt(0, 0)
                c.prog_stamp = stamp
                c.prog_data = data
            t = stamp + 128 * (data if data else 256)  # the next count that reaches 0
            if t < event:
                event = t
        if c.attn != 0:
            c.attn = event
        return
    if tick >= c.timer_event:
        run_timers(c, tick)
    if c.clock_aligned and c.osc3 == 0 and c.attn != 0:
        c.lazy = 1
        c.attn = real_event(c)


def leave_lazy(c, tick: int) -> None:
    """When the compiled loop leaves after the step that ended at ``tick``: timers settled.

    A real event due at ``tick`` may still be pending (the loop leaves before
    it looks at the timers): ``timer_event`` then says so, and ``attend`` runs it.
    """
    if c.lazy:
        settle(c, tick)
        c.lazy = 0
        c.update_attn()


# --- halted time in one jump -------------------------------------------------
#
# A halted CPU wakes only when a timer event latches an interrupt while I=1.
# Every other timer event in between only toggles a clock-timer bit, sets a
# factor flag (and a latch, with I=0) or counts the programmable timer down:
# effects that can be computed in one go. Stepping applies them one per halted
# step (a step is 5 ticks, every period is at least 128, so no step ever sees
# two events of one channel), which is what ``skip_halted`` reproduces.


def timers_current(c) -> bool:
    """No timer is a whole period late (after a TLST load one may be: TamaLIB then
    toggles once for several periods, which only normal steps reproduce)."""
    for i in range(8):
        if c.tick - c.clock_stamps[i] >= (16384 >> i):
            return False
    return not (c.prog_enabled and c.tick - c.prog_stamp >= 128)


def next_wake(c) -> int:
    """The earliest tick of a timer event that would wake the halted CPU, or -1."""
    wake = -1
    if not c.f & 8:
        return wake  # with I=0 nothing can wake it
    for i in range(8):
        irq = clock_irq_bit(i)
        if irq < 0 or not c.mask[5] & (1 << irq):
            continue
        period = 16384 >> i
        reg = 0xF21 if i < 4 else 0xF20
        # The next falling edge: one toggle away if the bit is high, two if low.
        edge = c.clock_stamps[i] + (period if c.mem[reg] & (1 << (3 - (i & 3))) else 2 * period)
        if wake < 0 or edge < wake:
            wake = edge
    if c.prog_enabled and c.mask[0] & 1:
        first = c.prog_data if c.prog_data else 256  # decrements until it reaches 0
        edge = c.prog_stamp + 128 * first
        if wake < 0 or edge < wake:
            wake = edge
    return wake


def skip_halted(c, tick: int) -> None:
    """Apply every timer event due by ``tick`` at once; none of them may wake the CPU."""
    for i in range(8):
        shift = 14 - i
        n = (tick - c.clock_stamps[i]) >> shift  # events of this channel by `tick`
        if n <= 0:
            continue
        c.clock_stamps[i] += n << shift
        reg = 0xF21 if i < 4 else 0xF20
        bit = 1 << (3 - (i & 3))
        high = 1 if c.mem[reg] & bit else 0
        if n & 1:
            c.mem[reg] ^= bit
        irq = clock_irq_bit(i)
        # Toggles alternate; from high the 1st, 3rd ... fall, from low the 2nd, 4th ...
        if irq >= 0 and (n + high) >> 1:
            c.raise_interrupt(5, irq)
    if c.prog_enabled:
        n = (tick - c.prog_stamp) >> 7
        if n > 0:
            c.prog_stamp += n << 7
            first = c.prog_data if c.prog_data else 256
            if n < first:
                c.prog_data = (c.prog_data - n) & 0xFF
            else:
                # Reaching 0 reloads; after that it underflows every `period` counts.
                period = c.prog_reload if c.prog_reload else 256
                c.prog_data = (c.prog_reload - (n - first) % period) & 0xFF
                c.raise_interrupt(0, 0)
    c.update_timer_event()
