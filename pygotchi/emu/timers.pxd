# Types of timers.py for the compiled build.

import cython

from pygotchi.emu.chip cimport Chip


cdef int clock_irq_bit(int channel) noexcept nogil

@cython.locals(late="long long", event="long long")
cdef void run_timers(Chip c, long long tick) noexcept nogil

@cython.locals(i=int, period="long long", late="long long", data=int, _="long long",
               event="long long")
cdef void run_timers_full(Chip c, long long tick) noexcept nogil

@cython.locals(reg=int, bit=int, level=int, irq=int)
cdef inline void clock_toggle(Chip c, int i, long long late) noexcept nogil

@cython.locals(i=int)
cdef bint timers_current(Chip c) noexcept nogil

@cython.locals(wake="long long", i=int, irq=int, period="long long", reg=int, edge="long long",
               first="long long")
cdef long long next_wake(Chip c) noexcept nogil

@cython.locals(i=int, shift=int, n="long long", reg=int, bit=int, high=int, irq=int,
               first="long long", period="long long")
cdef void skip_halted(Chip c, long long tick) noexcept nogil

@cython.locals(event="long long", first="long long", t="long long")
cdef long long real_event(Chip c) noexcept nogil

@cython.locals(n="long long", first="long long", event="long long")
cdef void settle(Chip c, long long tick) noexcept nogil

cdef void enter_lazy(Chip c) noexcept nogil
@cython.locals(i=int, late="long long", data=int, n="long long", s7="long long", s6="long long",
               s5="long long", level=int, event="long long", stamp="long long", first="long long",
               t="long long")
cdef void loop_timers(Chip c, long long tick) noexcept nogil
cdef void leave_lazy(Chip c, long long tick) noexcept nogil
