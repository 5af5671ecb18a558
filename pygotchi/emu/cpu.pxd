# Types of cpu.py for the compiled build.

import cython

from pygotchi.emu cimport ops, timers
from pygotchi.emu.chip cimport Chip


cdef long long INTERRUPT_CYCLES, HALT_CYCLES

cdef class Cpu(Chip):
    @cython.locals(pc=int, op=int, pset=bint)
    cpdef void step(self)
    cpdef void run(self, long long limit)
    @cython.locals(slot=int)
    cdef void attend(self, bint after_pset) noexcept nogil
    @cython.locals(pc=int, sp=int)
    cdef void enter_interrupt(self, int slot) noexcept nogil
    cdef void halted_run(self, long long count) noexcept nogil
    @cython.locals(acc="long long", ticks="long long")
    cdef void charge_halted(self, long long count) noexcept nogil
    @cython.locals(need="long long", per_step="long long", steps="long long")
    cdef long long halted_steps_until(self, long long target) noexcept nogil
    @cython.locals(bit=int, old=int)
    cpdef void set_input(self, int pin, int level)

@cython.locals(i=long, n=long, addrs="unsigned long long[::1]")
cpdef void run_batch(list cpus, const long long[::1] limits)

@cython.locals(count="long long", wake="long long")
cdef void run_until(Cpu c, long long limit) noexcept nogil

