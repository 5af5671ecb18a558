# Types of chip.py for the compiled build (Cython pure-Python mode).

import cython


cdef class Chip:
    cdef public unsigned short[::1] rom
    cdef public unsigned short[::1] code, fused
    cdef public bint s48
    cdef public unsigned char[::1] mem
    cdef public int pc, np, a, b, x, y, sp, f
    cdef public long long tick
    cdef public int pending
    cdef public long long acc
    cdef public int osc3, halted
    cdef public long long attn, timer_event
    cdef public long long[::1] clock_stamps
    cdef public bint clock_aligned, lazy
    cdef public long long prog_stamp
    cdef public int prog_enabled, prog_data, prog_reload
    cdef public unsigned char[::1] factor, mask, triggered
    cdef public int k0, k1, buzzer_freq, buzzer_on
    cdef public long long[::1] bz_ticks
    cdef public short[::1] bz_vals
    cdef public int bz_head, bz_count
    cdef public long long bz_dropped, lcd_version, steps, halted_steps, interrupts, call_depth

    cpdef void reset(self)
    cpdef void resync(self)
    @cython.locals(i=int, t="long long", event="long long", s7="long long", aligned=bint)
    cdef void update_timer_event(self) noexcept nogil
    cdef void update_attn(self) noexcept nogil
    cdef void raise_interrupt(self, int slot, int bit) noexcept nogil
    @cython.locals(acc="long long", ticks="long long")
    cdef void charge(self, long long cycles) noexcept nogil
    @cython.locals(i=int)
    cdef void record_buzzer(self) noexcept nogil
    cdef void attend(self, bint after_pset) noexcept nogil
