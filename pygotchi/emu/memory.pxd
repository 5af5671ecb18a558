# Types of memory.py for the compiled build.

import cython

from pygotchi.emu cimport timers
from pygotchi.emu.chip cimport Chip


cdef int reg_slot(int reg) noexcept nogil
cdef bint s48_plain(int reg) noexcept nogil

@cython.locals(reg=int, slot=int, value=int)
cdef int read_io(Chip c, int addr) noexcept nogil

@cython.locals(reg=int, slot=int, osc3=int)
cdef void write_mem(Chip c, int addr, int value) noexcept nogil

@cython.locals(audible=bint)
cdef void set_buzzer(Chip c, int freq, int on) noexcept nogil

@cython.locals(slot=int, value=int)
cdef int read_io_loop(Chip c, int addr, long long before) noexcept nogil
cdef void write_mem_loop(Chip c, int addr, int value, long long before) noexcept nogil
