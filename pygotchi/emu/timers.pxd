# Types of timers.py for the compiled build.

import cython

from pygotchi.emu.chip cimport Chip


cdef int clock_irq_bit(int channel) noexcept nogil

@cython.locals(i=int, period="long long", late="long long", reg=int, bit=int, level=int, irq=int,
               data=int, _="long long")
cdef void run_timers(Chip c, long long tick) noexcept nogil
