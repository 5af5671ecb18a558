"""Generate ``ops.py``: one small handler per instruction and register operand.

Run ``python -m pygotchi.emu.opgen`` after changing a template; a test checks
that ``ops.py`` is what this script writes. Specialising on the r/q register
operands (A, B, M(X), M(Y)) at generation time removes a branch per operand
from the hot path of the pure-Python build, and leaves plain functions that
Cython can compile to C. The instruction table in ``isa.py`` stays the only
source of opcodes and cycle counts: handlers are attached to opcodes there.

Semantics follow TamaLIB (jcrona/tamalib ce304d55), the reference of the golden
traces, with the deviations documented in the templates below.

The compiled build's run loop is generated here too (``LOOP``), next to the
switch over handlers, so that the C compiler inlines every handler into one
loop instead of paying a call per instruction.

Every handler has the signature ``(c, op, pc) -> next_pc``: ``c`` is the Cpu,
``op`` the 12-bit word, ``pc`` its address. Memory through X or Y may reach
display RAM or I/O, which have side effects, so those go through
``read_io``/``write_mem`` past the plain-RAM fast path.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pygotchi.emu.isa import CYCLES, DECODE, REG_NAMES, TABLE

NEXT = "return (pc + 1) & 0x1FFF"

# Templates: lines of Python. $R/$Q read the register operands r/q and SET_R(v)
# writes r; $MX/$MY read M(X)/M(Y) and SET_MX(v)/SET_MY(v) write them; WRITE(a, v)
# writes any data address. Results are kept to 4 bits.
ALU_ADD = (
    """
t = $R + {rhs}{carry}
if c.f & 4:
    if t >= 10:
        t = (t - 10) & 15
        cy = 1
    else:
        cy = 0
else:
    cy = t >> 4
    t &= 15
SET_R(t)
c.f = (c.f & 12) | cy | (0 if t else 2)
"""
    + NEXT
)

ALU_SUB = (
    """
t = $R - {rhs}{carry}
if t < 0:
    cy = 1
    t = ((t - 6) if c.f & 4 else t) & 15
else:
    cy = 0
SET_R(t)
c.f = (c.f & 12) | cy | (0 if t else 2)
"""
    + NEXT
)

LOGIC = (
    """
t = $R {op} {rhs}
SET_R(t)
c.f = (c.f & 13) | (0 if t else 2)
"""
    + NEXT
)

CP = (
    """
u = $R
v = {rhs}
c.f = (c.f & 12) | (1 if u < v else 0) | (2 if u == v else 0)
"""
    + NEXT
)

FAN = (
    """
c.f = (c.f & 13) | (0 if $R & {rhs} else 2)
"""
    + NEXT
)


def _jump(cond: str) -> str:
    # Every return ends its branch (no code after it): the compiled loop turns
    # each ``return E`` into ``pc = E`` when it inlines the handler.
    if not cond:
        return "return (c.np << 8) | (op & 0xFF)"
    return f"if {cond}:\n    return (c.np << 8) | (op & 0xFF)\nelse:\n    " + NEXT


def _index_adc(reg: str, shift: int) -> str:
    # ADC XH/XL/YH/YL,i: one nibble of X or Y, binary only (no decimal mode).
    keep = 0xFFF & ~(0xF << shift)
    return (
        f"""
t = ((c.{reg} >> {shift}) & 15) + (op & 15) + (c.f & 1)
c.{reg} = (c.{reg} & {keep:#x}) | ((t & 15) << {shift})
c.f = (c.f & 12) | (t >> 4) | (0 if t & 15 else 2)
"""
        + NEXT
    )


def _index_cp(reg: str, shift: int) -> str:
    return (
        f"""
u = (c.{reg} >> {shift}) & 15
v = op & 15
c.f = (c.f & 12) | (1 if u < v else 0) | (2 if u == v else 0)
"""
        + NEXT
    )


def _post_inc(reg: str, by: int = 1) -> str:
    return f"c.{reg} = (c.{reg} & 0xF00) | ((c.{reg} + {by}) & 0xFF)"


def _mem_adjust(reg: str, sub: bool) -> str:
    # ACPX/ACPY/SCPX/SCPY: M(X or Y) +/- r +/- C, decimal aware, then X/Y += 1.
    mem = "$MX" if reg == "x" else "$MY"
    body = (ALU_SUB if sub else ALU_ADD).format(
        rhs="$R", carry=" - (c.f & 1)" if sub else " + (c.f & 1)"
    )
    body = body.replace("t = $R", f"t = {mem}", 1).replace("SET_R(t)", f"SET_{mem[1:]}(t)")
    return body.replace(NEXT, _post_inc(reg) + "\n" + NEXT)


def _push(value: str) -> str:
    return (
        f"""
sp = (c.sp - 1) & 0xFF
c.mem[sp] = {value}
c.sp = sp
"""
        + NEXT
    )


def _pop(target: str) -> str:
    # target is a statement using `v`
    return (
        f"""
sp = c.sp
v = c.mem[sp]
{target}
c.sp = (sp + 1) & 0xFF
"""
        + NEXT
    )


_RET = """
sp = c.sp
t = c.mem[sp] | (c.mem[(sp + 1) & 0xFF] << 4) | (c.mem[(sp + 2) & 0xFF] << 8) | (pc & 0x1000)
c.sp = (sp + 3) & 0xFF
if c.call_depth > 0:
    c.call_depth -= 1
"""

_CALL = """
ret = (pc + 1) & 0x1FFF
sp = c.sp
c.mem[(sp - 1) & 0xFF] = (ret >> 8) & 15
c.mem[(sp - 2) & 0xFF] = (ret >> 4) & 15
c.mem[(sp - 3) & 0xFF] = ret & 15
c.sp = (sp - 3) & 0xFF
c.call_depth += 1
return (ret & 0x1000) | {page}(op & 0xFF)
"""

_STORE_E_AT_X = """
x = c.x
WRITE(x, {lo})
WRITE((x & 0xF00) | ((x + 1) & 0xFF), {hi})
c.x = (x & 0xF00) | ((x + 2) & 0xFF)
"""

TEMPLATES: dict[str, str] = {
    "pset": "c.np = op & 0x1F\n" + NEXT,
    "jp": _jump(""),
    "jp_c": _jump("c.f & 1"),
    "jp_nc": _jump("not c.f & 1"),
    "jp_z": _jump("c.f & 2"),
    "jp_nz": _jump("not c.f & 2"),
    "jpba": "return (c.np << 8) | (c.b << 4) | c.a",
    "call": _CALL.format(page="((c.np & 15) << 8) | "),
    "calz": _CALL.format(page=""),
    "ret": _RET + "return t",
    "rets": _RET + "return (t + 1) & 0x1FFF",
    "retd": _RET + _STORE_E_AT_X.format(lo="op & 15", hi="(op >> 4) & 15") + "return t",
    "nop": NEXT,
    # Words no row matches: TamaLIB stops there; we run them as NOP5 (see isa.py).
    "unknown": NEXT,
    "halt": "c.halted = 1\nc.attn = 0\n" + NEXT,
    "inc_x": _post_inc("x") + "\n" + NEXT,
    "inc_y": _post_inc("y") + "\n" + NEXT,
    "ld_x_e": "c.x = (c.x & 0xF00) | (op & 0xFF)\n" + NEXT,
    "ld_y_e": "c.y = (c.y & 0xF00) | (op & 0xFF)\n" + NEXT,
    "ld_xp_r": "c.x = (c.x & 0x0FF) | ($R << 8)\n" + NEXT,
    "ld_xh_r": "c.x = (c.x & 0xF0F) | ($R << 4)\n" + NEXT,
    "ld_xl_r": "c.x = (c.x & 0xFF0) | $R\n" + NEXT,
    "ld_yp_r": "c.y = (c.y & 0x0FF) | ($R << 8)\n" + NEXT,
    "ld_yh_r": "c.y = (c.y & 0xF0F) | ($R << 4)\n" + NEXT,
    "ld_yl_r": "c.y = (c.y & 0xFF0) | $R\n" + NEXT,
    "ld_r_xp": "SET_R(c.x >> 8)\n" + NEXT,
    "ld_r_xh": "SET_R((c.x >> 4) & 15)\n" + NEXT,
    "ld_r_xl": "SET_R(c.x & 15)\n" + NEXT,
    "ld_r_yp": "SET_R(c.y >> 8)\n" + NEXT,
    "ld_r_yh": "SET_R((c.y >> 4) & 15)\n" + NEXT,
    "ld_r_yl": "SET_R(c.y & 15)\n" + NEXT,
    "adc_xh_i": _index_adc("x", 4),
    "adc_xl_i": _index_adc("x", 0),
    "adc_yh_i": _index_adc("y", 4),
    "adc_yl_i": _index_adc("y", 0),
    "cp_xh_i": _index_cp("x", 4),
    "cp_xl_i": _index_cp("x", 0),
    "cp_yh_i": _index_cp("y", 4),
    "cp_yl_i": _index_cp("y", 0),
    "ld_r_i": "SET_R(op & 15)\n" + NEXT,
    "ld_r_q": "SET_R($Q)\n" + NEXT,
    # Mn is RAM 0x00-0x0F: no side effects, plain byte access.
    "ld_a_mn": "c.a = c.mem[op & 15]\n" + NEXT,
    "ld_b_mn": "c.b = c.mem[op & 15]\n" + NEXT,
    "ld_mn_a": "c.mem[op & 15] = c.a\n" + NEXT,
    "ld_mn_b": "c.mem[op & 15] = c.b\n" + NEXT,
    "ldpx_mx_i": "SET_MX(op & 15)\n" + _post_inc("x") + "\n" + NEXT,
    "ldpy_my_i": "SET_MY(op & 15)\n" + _post_inc("y") + "\n" + NEXT,
    # LDPX r,q: the source is read and the destination written before X moves.
    "ldpx_r_q": "SET_R($Q)\n" + _post_inc("x") + "\n" + NEXT,
    "ldpy_r_q": "SET_R($Q)\n" + _post_inc("y") + "\n" + NEXT,
    "lbpx": _STORE_E_AT_X.format(lo="op & 15", hi="(op >> 4) & 15") + NEXT,
    # Setting I (EI) may release a latched interrupt: the loop must look again.
    "set_f": "c.f |= op & 15\nif op & 8:\n    c.update_attn()\n" + NEXT,
    "rst_f": "c.f &= op & 15\n" + NEXT,
    "inc_sp": "c.sp = (c.sp + 1) & 0xFF\n" + NEXT,
    "dec_sp": "c.sp = (c.sp - 1) & 0xFF\n" + NEXT,
    "push_r": _push("$R"),
    "push_xp": _push("c.x >> 8"),
    "push_xh": _push("(c.x >> 4) & 15"),
    "push_xl": _push("c.x & 15"),
    "push_yp": _push("c.y >> 8"),
    "push_yh": _push("(c.y >> 4) & 15"),
    "push_yl": _push("c.y & 15"),
    "push_f": _push("c.f"),
    "pop_r": _pop("SET_R(v)"),
    "pop_xp": _pop("c.x = (c.x & 0x0FF) | (v << 8)"),
    "pop_xh": _pop("c.x = (c.x & 0xF0F) | (v << 4)"),
    "pop_xl": _pop("c.x = (c.x & 0xFF0) | v"),
    "pop_yp": _pop("c.y = (c.y & 0x0FF) | (v << 8)"),
    "pop_yh": _pop("c.y = (c.y & 0xF0F) | (v << 4)"),
    "pop_yl": _pop("c.y = (c.y & 0xFF0) | v"),
    "pop_f": _pop("c.f = v\nif v & 8:\n    c.update_attn()"),
    "ld_sph_r": "c.sp = (c.sp & 0x0F) | ($R << 4)\n" + NEXT,
    "ld_spl_r": "c.sp = (c.sp & 0xF0) | $R\n" + NEXT,
    "ld_r_sph": "SET_R(c.sp >> 4)\n" + NEXT,
    "ld_r_spl": "SET_R(c.sp & 15)\n" + NEXT,
    "add_r_i": ALU_ADD.format(rhs="(op & 15)", carry=""),
    "add_r_q": ALU_ADD.format(rhs="$Q", carry=""),
    "adc_r_i": ALU_ADD.format(rhs="(op & 15)", carry=" + (c.f & 1)"),
    "adc_r_q": ALU_ADD.format(rhs="$Q", carry=" + (c.f & 1)"),
    "sub_r_q": ALU_SUB.format(rhs="$Q", carry=""),
    "sbc_r_i": ALU_SUB.format(rhs="(op & 15)", carry=" - (c.f & 1)"),
    "sbc_r_q": ALU_SUB.format(rhs="$Q", carry=" - (c.f & 1)"),
    "and_r_i": LOGIC.format(op="&", rhs="(op & 15)"),
    "and_r_q": LOGIC.format(op="&", rhs="$Q"),
    "or_r_i": LOGIC.format(op="|", rhs="(op & 15)"),
    "or_r_q": LOGIC.format(op="|", rhs="$Q"),
    "xor_r_i": LOGIC.format(op="^", rhs="(op & 15)"),
    "xor_r_q": LOGIC.format(op="^", rhs="$Q"),
    "cp_r_i": CP.format(rhs="(op & 15)"),
    "cp_r_q": CP.format(rhs="$Q"),
    "fan_r_i": FAN.format(rhs="(op & 15)"),
    "fan_r_q": FAN.format(rhs="$Q"),
    # RLC/RRC leave Z alone, as TamaLIB does (MAME updates it; the manual is unclear).
    "rlc_r": """
u = $R
cy_in = c.f & 1
c.f = (c.f & 14) | (u >> 3)
SET_R(((u << 1) & 15) | cy_in)
"""
    + NEXT,
    "rrc_r": """
u = $R
cy_in = c.f & 1
c.f = (c.f & 14) | (u & 1)
SET_R((u >> 1) | (cy_in << 3))
"""
    + NEXT,
    "inc_mn": """
n = op & 15
t = c.mem[n] + 1
c.mem[n] = t & 15
c.f = (c.f & 12) | (t >> 4) | (0 if t & 15 else 2)
"""
    + NEXT,
    "dec_mn": """
n = op & 15
t = c.mem[n] - 1
c.mem[n] = t & 15
c.f = (c.f & 12) | (1 if t < 0 else 0) | (0 if t & 15 else 2)
"""
    + NEXT,
    "acpx": _mem_adjust("x", sub=False),
    "acpy": _mem_adjust("y", sub=False),
    "scpx": _mem_adjust("x", sub=True),
    "scpy": _mem_adjust("y", sub=True),
}

# TamaLIB reads an operand twice in some instructions (CP, RLC/RRC, the Z flag
# of ALU results); a second read of a read-clear I/O register then differs. We
# read each operand once and take Z from the result, as the chip does (see
# ../shared/notes/E0C6S46.md §1); no real ROM is known to depend on it.

RAM_END = 0x300  # RAM as TamaLIB's dual-chip build maps it (768 nibbles)


def _mem_read(addr: str) -> str:
    return f"(c.mem[{addr}] if {addr} < 0xF00 else memory.read_io(c, {addr}))"


def _mem_write(addr: str, value: str) -> str:
    return (
        f"if {addr} < {RAM_END:#x}:\n    c.mem[{addr}] = {value}\n"
        f"else:\n    memory.write_mem(c, {addr}, {value})"
    )


# Register operand codes 0-3 = A, B, M(X), M(Y); the memory ones read through an
# address temp (ax/ay) loaded once at the top of the handler.
_REG_READ = {0: "c.a", 1: "c.b", 2: "$MX", 3: "$MY"}
_REG_SET = {0: "c.a = {v}", 1: "c.b = {v}", 2: "SET_MX({v})", 3: "SET_MY({v})"}


def _expand(template: str, r: int | None, q: int | None) -> str:
    body = template.strip("\n")
    # 1. register operands become A/B or memory placeholders
    for letter, reg in (("R", r), ("Q", q)):
        if reg is None:
            continue
        body = body.replace(f"${letter}", _REG_READ[reg])
        body = re.sub(
            rf"SET_{letter}\((.*)\)$",
            lambda m, reg=reg: _REG_SET[reg].format(v=m.group(1)),
            body,
            flags=re.M,
        )
    # 2. memory placeholders become fast-path reads/writes through ax/ay
    prologue = []
    for name, addr, src in (("MX", "ax", "c.x"), ("MY", "ay", "c.y")):
        if f"${name}" in body or f"SET_{name}(" in body:
            prologue.append(f"{addr} = {src}")
        body = body.replace(f"${name}", _mem_read(addr))
        lines = []
        for line in body.split("\n"):
            stripped = line.lstrip()
            indent = line[: len(line) - len(stripped)]
            if stripped.startswith(f"SET_{name}(") and stripped.endswith(")"):
                value = stripped[len(name) + 5 : -1]
                lines.extend(indent + s for s in _mem_write(addr, value).split("\n"))
            else:
                lines.append(line)
        body = "\n".join(lines)
    # 3. writes to computed addresses (LBPX, RETD)
    lines = []
    for line in body.split("\n"):
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("WRITE(") and stripped.endswith(")"):
            addr, value = stripped[len("WRITE(") : -1].split(", ", 1)
            if not addr.isidentifier():
                lines.append(f"{indent}w = {addr}")
                addr = "w"
            lines.extend(indent + s for s in _mem_write(addr, value).split("\n"))
        else:
            lines.append(line)
    return "\n".join(prologue + lines)


def _operand_sets(kind: str) -> list[tuple[int | None, int | None]]:
    template = TEMPLATES[kind]
    rs = range(4) if "$R" in template or "SET_R(" in template else [None]
    qs = range(4) if "$Q" in template or "SET_Q(" in template else [None]
    return [(r, q) for r in rs for q in qs]


def handler_name(kind: str, r: int | None, q: int | None) -> str:
    parts = [kind]
    for reg in (r, q):
        if reg is not None:
            parts.append(REG_NAMES[reg].lower())
    return "op_" + "_".join(parts)


def _operand_regs(word: int) -> tuple[int | None, int | None]:
    ins = DECODE[word]
    ops = ins.operands(word)
    r, q = _operand_sets(ins.kind)[0]
    return (None if r is None else ops["r"]), (None if q is None else ops["q"])


_LOCALS = ("t", "cy", "u", "v", "ax", "ay", "w", "sp", "ret", "n", "cy_in", "x", "y", "wv",
           "np_")


def _handler_names() -> tuple[list[tuple[str, str, int]], list[str]]:
    """(name, body, cycles) of every handler, and the handler name of each of the 4,096 words.

    A handler runs words of one cycle count (NOP5 and NOP7 get one each), so the
    compiled loop knows an instruction's cycles from its case, at compile time.
    """
    handlers: list[tuple[str, str, int]] = []
    names: dict[tuple[str, int | None, int | None, int], str] = {}
    table = []
    for w in range(4096):
        kind = DECODE[w].kind
        if kind not in TEMPLATES:
            raise SystemExit(f"no template for instruction kind {kind!r}")
        r, q = _operand_regs(w)
        key = (kind, r, q, CYCLES[w])
        if key not in names:
            name = handler_name(kind, r, q)
            if any(k[:3] == key[:3] for k in names):
                name += f"_{CYCLES[w]}"
            names[key] = name
        table.append(names[key])
    for (kind, r, q, cycles), name in names.items():
        handlers.append((name, _expand(TEMPLATES[kind], r, q), cycles))
    return sorted(handlers), table


# The pure-Python run loop: a table of handlers indexed by the word. The compiled
# build's loop (NATIVE_LOOP) runs the same steps with every handler inlined.
LOOP = """
def {name}(c, limit):
    \"\"\"Steps while awake and below ``limit``; leaves at timer events, interrupts, HALT.

    PC, tick and the pending cycles live in locals; ``attn`` is the tick at which
    timers or a latched interrupt need the slow path (``Cpu.attend``).
    \"\"\"
{setup}    tick = c.tick
    pending = c.pending
    pc = c.pc
    osc3 = c.osc3
    steps = 0
    while tick < limit:
        if osc3:
            acc = c.acc + pending * 32768
            ticks = acc // 1_000_000
            c.acc = acc - ticks * 1_000_000
            tick += ticks
        else:
            tick += pending
        c.tick = tick
{fetch}
        steps += 1
        if (op & 0xFE0) != 0xE40:
            c.np = pc >> 8
        if tick >= c.attn:
            c.pc = pc
            c.pending = pending
            c.attend((op & 0xFE0) == 0xE40)
            pc = c.pc
            tick = c.tick
            osc3 = c.osc3
            if c.halted:
                break
    c.pc = pc
    c.tick = tick
    c.pending = pending
    c.steps += steps
"""

PY_SETUP = """    rom = c.rom
    handlers = HANDLERS
    cycles = CYCLES
"""
PY_FETCH = """        op = rom[pc]
        pc = handlers[op](c, op, pc)
        pending = cycles[op]"""

# The compiled loop. Same steps as LOOP, arranged for a C compiler:
# * the CPU registers live in C locals for the length of a run (written back
#   before anything that reads them from the Chip: I/O writes, EI, the slow path);
# * ``c.code[pc]`` is the handler number of the word at pc, decided once per ROM;
#   each case knows its cycle count and carries its handler's body inline;
# * NP equals PC's page except right after PSET, so jumps take their page from
#   PC; PSET leaves the fast loop, and the step after it runs through the
#   handler functions (``step_generic``), which read NP;
# * timers are due at ``c.timer_event``: the loop applies them in place and
#   leaves only for an interrupt, HALT, a clock change or the limit; on OSC1
#   with the clock channels in phase it stops only for the events that can
#   raise an interrupt and lets the others go by until they could be seen
#   (lazy mode, timers.py), as ``timers.settle`` applies them;
# * on OSC1 the loop reads ``c.fused``, where a frequent run of instructions
#   (FUSED) has one case that runs them one after the other (see _fused_case).
NATIVE_LOOP = """
def run_awake_native(c, limit):
    \"\"\"Steps while awake and below ``limit``; leaves at interrupts, HALT and PSET.\"\"\"
    code = c.code
    fused = c.fused
    rom = c.rom
    mem = c.mem
    while not c.halted and c.tick < limit:
        if c.np != (c.pc >> 8):
            step_generic(c)  # right after PSET: the jump that follows reads NP
            continue
        tick = c.tick
        pending = c.pending
        pc = c.pc
        ra = c.a
        rb = c.b
        rx = c.x
        ry = c.y
        rsp = c.sp
        rf = c.f
        timers.enter_lazy(c)
        stop = c.attn if c.attn < limit else limit
        steps = 0
        after_pset = 0
        if c.osc3:
            while True:
                acc = c.acc + pending * 32768
                ticks = acc // 1_000_000
                c.acc = acc - ticks * 1_000_000
                tick += ticks
                k = code[pc]
{switch3}
                steps += 1
                if cold(tick >= stop):
{slow3}
        else:
            while True:
                tick += pending
                k = fused[pc] & 0x3FF
{switch1}
                steps += 1
                if cold(tick >= stop):
{slow}
        c.pc = pc
        c.tick = tick
        c.pending = pending
        c.a = ra
        c.b = rb
        c.x = rx
        c.y = ry
        c.sp = rsp
        c.f = rf
        c.steps += steps
        if not after_pset:
            c.np = pc >> 8
        timers.leave_lazy(c, tick)
        if tick >= c.attn:
            c.attend(after_pset)


def step_generic(c):
    \"\"\"One awake step through the handler functions, which read every register from ``c``.\"\"\"
    c.charge(c.pending)
    pc = c.pc
    k = c.code[pc]
    op = c.rom[pc]
    c.pc = dispatch(c, k, op, pc)
    c.pending = cycles_of(k)
    pset = (op & 0xFE0) == 0xE40
    if not pset:
        c.np = c.pc >> 8
    c.steps += 1
    if c.tick >= c.attn:
        c.attend(pset)
"""

_REGISTERS = {"a": "ra", "b": "rb", "x": "rx", "y": "ry", "sp": "rsp", "f": "rf"}
_STOP = "stop = c.attn if c.attn < limit else limit"
# The tick at which the previous step ended, for memory.read_io_loop/write_mem_loop
# (-1 in the loop's first step: the timers are settled then).
_BEFORE = "(tick - pending) if steps else -1"


_READ = re.compile(r"\(c\.mem\[(\w+)\] if \1 < 0xF00 else memory\.read_io\(c, \1\)\)")
_WRITE = re.compile(r"^( *)if (\w+) < 0x300:\n\1    c\.mem\[\2\] = (.*)\n\1else:\n"
                    r"\1    memory\.write_mem\(c, \2, (.*)\)$", re.M)


def _native_write(m: re.Match) -> str:
    """A data write as the compiled loop does it: RAM and display RAM inline, I/O by call."""
    indent, addr, value = m.group(1), m.group(2), m.group(3)
    lines = []
    if not re.fullmatch(r"\w+", value):
        lines.append(f"wv = {value}")  # evaluated once, before any branch, as in the handler
        value = "wv"
    lines += [
        f"if hot({addr} < 0x300):",
        f"    c.mem[{addr}] = {value}",
        f"elif ({addr} & 0xF00) == 0xE00:  # display RAM: 0xE00-0xE65 and 0xE80-0xEE5",
        f"    if ({addr} & 0x7F) < 0x66 and c.mem[{addr}] != {value}:",
        f"        c.mem[{addr}] = {value}",
        "        c.lcd_version += 1",
        "else:",
        f"    memory.write_mem(c, {addr}, {value})",
    ]
    return "\n".join(indent + line for line in lines)


def _inline(kind: str, body: str, cycles: int) -> list[str]:
    """A handler's body as a case of the compiled loop: registers in locals, ``pc = ...``."""
    if kind == "pset":
        return ["c.np = op & 0x1F", "pc = (pc + 1) & 0x1FFF", f"pending = {cycles}", "stop = 0",
                "after_pset = 1"]
    body = _WRITE.sub(_native_write, body)
    body = body.replace("c.np", "(pc >> 8)")
    body = re.sub(r"\bc\.(a|b|x|y|sp|f)\b", lambda m: _REGISTERS[m.group(1)], body)
    # The plain-RAM paths are the hot ones: ``hot``/``cold`` tell the C compiler.
    body = _READ.sub(rf"(memory.read_io_loop(c, \1, {_BEFORE}) if cold(\1 >= 0xF00) else mem[\1])",
                     body)
    body = body.replace("c.mem[", "mem[")
    out = []
    for line in body.split("\n"):
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("return "):
            out.append(f"{indent}pc = {stripped[len('return '):]}")
            out.append(f"{indent}pending = {cycles}")
        elif stripped.startswith("if ") and stripped.endswith(" & 8:") and "update_attn" in body:
            out.append(f"{indent}if cold({stripped[3:-1]}):")
        elif "c.update_attn()" in stripped:
            # EI: only an interrupt already latched changes what the loop waits for.
            out += [f"{indent}if (c.triggered[0] or c.triggered[1] or c.triggered[2]"
                    " or c.triggered[3] or c.triggered[4] or c.triggered[5]):",
                    f"{indent}    c.attn = 0", f"{indent}    stop = 0"]
        elif "memory.write_mem(" in stripped:
            # I/O: reads F and the tick from the Chip and may move ``attn``.
            line = line.replace("memory.write_mem(", "memory.write_mem_loop(")[:-1]
            line += f", {_BEFORE})"
            out += [f"{indent}c.f = rf", f"{indent}c.tick = tick", line, indent + _STOP]
        elif stripped == "c.attn = 0":
            out += [line, f"{indent}stop = 0"]
        else:
            out.append(line)
    if "return" in "\n".join(out) or not any("pending" in line for line in out):
        raise SystemExit(f"handler {kind!r} does not end every branch with a return")
    return out


def _switch(handlers: list[tuple[str, str, int]], indent: str, action: str) -> list[str]:
    lines = []
    for i, (name, _, _) in enumerate(handlers):
        lines.append(f"{indent}{'if' if i == 0 else 'elif'} k == {i}:")
        lines.append(f"{indent}    {action.format(name=name)}")
    return lines


# End of a step that reached ``stop``: timers in place; leave the fast loop for
# anything else (an interrupt to enter, HALT, a clock change, PSET, the limit),
# where ``attend`` runs any timers due.
NATIVE_SLOW = """if tick >= limit or c.attn == 0 or after_pset or c.halted or c.osc3 != {osc}:
    break
c.f = rf
timers.loop_timers(c, tick)
if c.attn == 0:
{enter}
stop = c.attn if c.attn < limit else limit"""

# A timer event latched an interrupt with I=1 (attn is 0). In lazy mode (OSC1) the
# loop enters it in place, as Cpu.enter_interrupt does, unless the limit comes
# first: the 12 cycles go into ``pending``, so the next step's tick is the same
# and ``tick - pending`` is still where the timers were run.
NATIVE_ENTER = """    if c.lazy and tick + 12 < limit:
        slot = 0
        while not c.triggered[slot]:
            slot += 1
        sp = rsp
        mem[(sp - 1) & 0xFF] = (pc >> 8) & 0xF
        mem[(sp - 2) & 0xFF] = (pc >> 4) & 0xF
        mem[(sp - 3) & 0xFF] = pc & 0xF
        rsp = (sp - 3) & 0xFF
        rf &= 0x7
        pc = (pc & 0x1000) | 0x100 | (0x0C - 2 * slot)
        c.call_depth += 1
        c.interrupts += 1
        c.triggered[slot] = 0
        pending += 12
        c.f = rf
        c.attn = timers.real_event(c)
    else:
        break"""


# Runs of instructions that get one case of the compiled OSC1 loop each (_fused_case):
# the most frequent runs of the P1 and Yasashii ROMs over 600 s from reset, as
# ``python bench/fusion_profile.py`` lists them (256 runs of up to 8). Only how fast a program runs
# depends on this list: any run of any program executes exactly as single steps.
FUSED: list[tuple[str, ...]] = [
    ('op_adc_yh_i', 'op_ret'),
    ('op_adc_yl_i', 'op_jp_c'),
    ('op_add_r_i_a', 'op_jp_nc'),
    ('op_add_r_i_b', 'op_jp_nc'),
    ('op_add_r_i_b', 'op_jp_nz'),
    ('op_cp_r_i_a', 'op_jp_nz'),
    ('op_cp_r_i_mx', 'op_jp_nz'),
    ('op_cp_xh_i', 'op_jp_nz'),
    ('op_cp_xl_i', 'op_jp_nz'),
    ('op_fan_r_i_a', 'op_jp_z'),
    ('op_lbpx', 'op_cp_xl_i'),
    ('op_lbpx', 'op_lbpx'),
    ('op_ld_a_mn', 'op_cp_r_i_a'),
    ('op_ld_a_mn', 'op_ld_b_mn'),
    ('op_ld_r_i_a', 'op_ld_xp_r_a'),
    ('op_ld_r_q_a_mx', 'op_cp_r_i_a'),
    ('op_ld_x_e', 'op_add_r_i_mx'),
    ('op_ld_x_e', 'op_and_r_i_mx'),
    ('op_ld_x_e', 'op_calz'),
    ('op_ld_x_e', 'op_cp_r_i_mx'),
    ('op_ld_x_e', 'op_fan_r_i_mx'),
    ('op_ld_x_e', 'op_lbpx'),
    ('op_ld_x_e', 'op_ld_r_i_mx'),
    ('op_rst_f', 'op_adc_yl_i'),
    ('op_adc_xl_i', 'op_ldpy_r_q_mx_my', 'op_inc_x'),
    ('op_add_r_i_mx', 'op_inc_x', 'op_adc_r_i_mx'),
    ('op_and_r_i_a', 'op_ld_x_e', 'op_xor_r_q_mx_a'),
    ('op_inc_x', 'op_adc_r_i_mx', 'op_ret'),
    ('op_inc_x', 'op_fan_r_i_mx', 'op_jp_nz'),
    ('op_lbpx', 'op_cp_xl_i', 'op_jp_nz'),
    ('op_lbpx', 'op_lbpx', 'op_lbpx'),
    ('op_ld_a_mn', 'op_and_r_i_a', 'op_ld_x_e'),
    ('op_ld_a_mn', 'op_cp_r_i_a', 'op_jp_z'),
    ('op_ld_a_mn', 'op_fan_r_i_a', 'op_jp_nz'),
    ('op_ld_a_mn', 'op_fan_r_i_a', 'op_jp_z'),
    ('op_ld_mn_a', 'op_add_r_i_a', 'op_jp_nc'),
    ('op_ld_r_i_a', 'op_ld_r_i_b', 'op_jp'),
    ('op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e'),
    ('op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ret'),
    ('op_ld_r_i_a', 'op_ld_yp_r_a', 'op_ret'),
    ('op_ld_r_q_a_mx', 'op_cp_r_i_a', 'op_jp_c'),
    ('op_ld_r_q_a_mx', 'op_cp_r_i_a', 'op_jp_nz'),
    ('op_ld_r_q_a_mx', 'op_ld_r_i_b', 'op_jpba'),
    ('op_ld_x_e', 'op_add_r_i_mx', 'op_inc_x'),
    ('op_ld_x_e', 'op_add_r_i_mx', 'op_jp_c'),
    ('op_ld_x_e', 'op_add_r_i_mx', 'op_jp_nz'),
    ('op_ld_x_e', 'op_and_r_i_mx', 'op_ret'),
    ('op_ld_x_e', 'op_cp_r_i_mx', 'op_jp_z'),
    ('op_ld_x_e', 'op_cp_r_q_mx_b', 'op_jp_nz'),
    ('op_ld_x_e', 'op_cp_r_q_mx_b', 'op_jp_z'),
    ('op_ld_x_e', 'op_fan_r_i_mx', 'op_jp_nz'),
    ('op_ld_x_e', 'op_fan_r_i_mx', 'op_jp_z'),
    ('op_ld_x_e', 'op_lbpx', 'op_ld_r_i_mx'),
    ('op_ld_x_e', 'op_ld_r_i_mx', 'op_calz'),
    ('op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ld_r_i_b'),
    ('op_ld_x_e', 'op_ld_y_e', 'op_call'),
    ('op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx'),
    ('op_ld_x_e', 'op_or_r_i_mx', 'op_ret'),
    ('op_ld_x_e', 'op_set_f', 'op_call'),
    ('op_ld_x_e', 'op_set_f', 'op_jp'),
    ('op_ld_y_e', 'op_cp_r_i_my', 'op_jp_nz'),
    ('op_ld_y_e', 'op_fan_r_i_my', 'op_jp_nz'),
    ('op_ld_y_e', 'op_fan_r_i_my', 'op_jp_z'),
    ('op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_ldpy_r_q_my_a'),
    ('op_ldpx_r_q_b_mx', 'op_ldpy_r_q_my_a', 'op_ldpy_r_q_my_b'),
    ('op_ldpx_r_q_mx_a', 'op_ld_r_q_mx_b', 'op_ret'),
    ('op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my'),
    ('op_ldpy_r_q_my_a', 'op_ldpy_r_q_my_b', 'op_ret'),
    ('op_rst_f', 'op_adc_yh_i', 'op_ld_x_e'),
    ('op_rst_f', 'op_adc_yl_i', 'op_jp_c'),
    ('op_adc_xl_i', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my'),
    ('op_adc_yh_i', 'op_ld_x_e', 'op_set_f', 'op_call'),
    ('op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my'),
    ('op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx'),
    ('op_ld_a_mn', 'op_and_r_i_a', 'op_ld_x_e', 'op_xor_r_q_mx_a'),
    ('op_ld_mn_a', 'op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx'),
    ('op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_add_r_i_mx'),
    ('op_ld_r_i_a', 'op_ld_yp_r_a', 'op_ld_r_i_a', 'op_ld_xp_r_a'),
    ('op_ld_r_i_mx', 'op_ld_r_i_a', 'op_add_r_i_a', 'op_jp_nc'),
    ('op_ld_x_e', 'op_add_r_i_mx', 'op_inc_x', 'op_adc_r_i_mx'),
    ('op_ld_x_e', 'op_inc_mn', 'op_dec_mn', 'op_jp_z'),
    ('op_ld_x_e', 'op_ld_r_i_mx', 'op_set_f', 'op_jp'),
    ('op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ld_r_i_b', 'op_jpba'),
    ('op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_cp_r_i_a', 'op_jp_nz'),
    ('op_ld_yp_r_a', 'op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ret'),
    ('op_ldpx_r_q_a_mx', 'op_ld_r_q_b_mx', 'op_ldpx_mx_i', 'op_calz'),
    ('op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_ldpy_r_q_my_a', 'op_ldpy_r_q_my_b'),
    ('op_ldpx_r_q_b_mx', 'op_ldpy_r_q_my_a', 'op_ldpy_r_q_my_b', 'op_ret'),
    ('op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x'),
    ('op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_ret'),
    ('op_pop_r_a', 'op_pop_xl', 'op_pop_xh', 'op_pop_xp'),
    ('op_pop_xl', 'op_pop_xh', 'op_pop_xp', 'op_ret'),
    ('op_push_xh', 'op_push_xl', 'op_push_r_a', 'op_calz'),
    ('op_push_xp', 'op_push_xh', 'op_push_xl', 'op_push_r_a'),
    ('op_rst_f', 'op_adc_yh_i', 'op_ld_x_e', 'op_call'),
    ('op_rst_f', 'op_adc_yh_i', 'op_ld_x_e', 'op_set_f'),
    ('op_rst_f', 'op_ld_x_e', 'op_fan_r_i_mx', 'op_jp_nz'),
    ('op_adc_xl_i', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_adc_xl_i'),
    ('op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x'),
    ('op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx'),
    ('op_lbpx', 'op_ld_r_i_mx', 'op_ld_x_e', 'op_lbpx', 'op_ld_r_i_mx'),
    ('op_ld_a_mn', 'op_ld_r_i_b', 'op_rst_f', 'op_rlc_r_a', 'op_rlc_r_b'),
    ('op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_cp_r_i_mx', 'op_jp_z'),
    ('op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_fan_r_i_mx', 'op_ret'),
    ('op_ld_r_i_a', 'op_ld_yp_r_a', 'op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ret'),
    ('op_ld_r_i_b', 'op_rst_f', 'op_rlc_r_a', 'op_rlc_r_b', 'op_ld_x_e'),
    ('op_ld_r_i_mx', 'op_ld_x_e', 'op_lbpx', 'op_ld_r_i_mx', 'op_ret'),
    ('op_ld_x_e', 'op_add_r_i_mx', 'op_ld_x_e', 'op_fan_r_i_mx', 'op_jp_z'),
    ('op_ld_x_e', 'op_and_r_i_mx', 'op_ld_x_e', 'op_and_r_i_mx', 'op_ret'),
    ('op_ld_x_e', 'op_lbpx', 'op_ld_r_i_mx', 'op_ld_x_e', 'op_lbpx'),
    ('op_ld_x_e', 'op_ld_r_i_mx', 'op_ld_r_i_a', 'op_add_r_i_a', 'op_jp_nc'),
    ('op_ld_x_e', 'op_ld_r_q_b_mx', 'op_ld_x_e', 'op_fan_r_i_b', 'op_jp_z'),
    ('op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_fan_r_i_a', 'op_jp_z'),
    ('op_ld_xp_r_a', 'op_ld_x_e', 'op_lbpx', 'op_cp_xl_i', 'op_jp_nz'),
    ('op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_ldpy_r_q_my_a', 'op_ldpy_r_q_my_b', 'op_ret'),
    ('op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my'),
    ('op_pop_r_a', 'op_pop_xl', 'op_pop_xh', 'op_pop_xp', 'op_ret'),
    ('op_push_xp', 'op_push_xh', 'op_push_xl', 'op_push_r_a', 'op_calz'),
    ('op_rst_f', 'op_adc_yh_i', 'op_ld_x_e', 'op_set_f', 'op_call'),
    ('op_rst_f', 'op_rlc_r_a', 'op_rlc_r_b', 'op_ld_x_e', 'op_jpba'),
    ('op_set_f', 'op_add_r_i_mx', 'op_inc_x', 'op_adc_r_i_mx', 'op_cp_r_i_mx'),
    ('op_adc_xl_i', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_adc_xl_i',
     'op_ldpy_r_q_mx_my'),
    ('op_inc_x', 'op_ldpy_r_q_mx_my', 'op_adc_xl_i', 'op_ldpy_r_q_mx_my', 'op_inc_x',
     'op_ldpy_r_q_mx_my'),
    ('op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x',
     'op_ldpy_r_q_mx_my'),
    ('op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx'),
    ('op_lbpx', 'op_lbpx', 'op_ld_x_e', 'op_lbpx', 'op_lbpx', 'op_lbpx'),
    ('op_lbpx', 'op_ld_r_i_mx', 'op_ld_x_e', 'op_lbpx', 'op_ld_r_i_mx', 'op_ret'),
    ('op_ld_a_mn', 'op_and_r_i_a', 'op_ld_r_i_b', 'op_add_r_q_a_a', 'op_add_r_q_a_a',
     'op_adc_r_q_b_b'),
    ('op_ld_a_mn', 'op_ld_b_mn', 'op_add_r_q_a_b', 'op_ld_b_mn', 'op_adc_r_i_b', 'op_ld_x_e'),
    ('op_ld_a_mn', 'op_ld_r_i_b', 'op_rst_f', 'op_rlc_r_a', 'op_rlc_r_b', 'op_ld_x_e'),
    ('op_ld_mn_a', 'op_ld_mn_b', 'op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ld_r_i_b', 'op_ld_x_e'),
    ('op_ld_mn_a', 'op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_and_r_i_b',
     'op_add_r_i_a'),
    ('op_ld_mn_a', 'op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_ld_xl_r_a',
     'op_ld_xh_r_b'),
    ('op_ld_mn_b', 'op_ld_mn_a', 'op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx',
     'op_ld_xl_r_a'),
    ('op_ld_r_i_b', 'op_rst_f', 'op_rlc_r_a', 'op_rlc_r_b', 'op_ld_x_e', 'op_jpba'),
    ('op_ld_r_i_mx', 'op_ld_x_e', 'op_and_r_q_b_mx', 'op_ld_x_e', 'op_or_r_q_mx_b', 'op_jp'),
    ('op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_b_mx', 'op_add_r_q_b_b', 'op_add_r_q_b_b',
     'op_ld_x_e'),
    ('op_ld_x_e', 'op_add_r_i_mx', 'op_inc_x', 'op_adc_r_i_mx', 'op_ld_r_i_a', 'op_ld_xp_r_a'),
    ('op_ld_x_e', 'op_lbpx', 'op_ld_r_i_mx', 'op_ld_x_e', 'op_lbpx', 'op_ld_r_i_mx'),
    ('op_ld_x_e', 'op_ld_r_q_b_mx', 'op_add_r_q_b_b', 'op_add_r_q_b_b', 'op_ld_x_e',
     'op_xor_r_q_b_mx'),
    ('op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_and_r_i_b', 'op_add_r_i_a',
     'op_adc_r_i_b'),
    ('op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_ld_xl_r_a', 'op_ld_xh_r_b',
     'op_calz'),
    ('op_ld_y_e', 'op_ldpy_my_i', 'op_ldpy_my_i', 'op_ld_y_e', 'op_ld_y_e', 'op_ld_r_i_my'),
    ('op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_and_r_i_b', 'op_add_r_i_a', 'op_adc_r_i_b',
     'op_cp_r_i_b'),
    ('op_ldpx_r_q_b_mx', 'op_and_r_i_b', 'op_add_r_i_a', 'op_adc_r_i_b', 'op_cp_r_i_b',
     'op_jp_nc'),
    ('op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_adc_xl_i', 'op_ldpy_r_q_mx_my',
     'op_inc_x'),
    ('op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my',
     'op_inc_x'),
    ('op_set_f', 'op_add_r_i_mx', 'op_inc_x', 'op_adc_r_i_mx', 'op_cp_r_i_mx', 'op_jp_nz'),
    ('op_adc_xl_i', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_adc_xl_i',
     'op_ldpy_r_q_mx_my', 'op_inc_x'),
    ('op_add_r_i_mx', 'op_pop_r_a', 'op_pop_xl', 'op_pop_xh', 'op_pop_xp', 'op_pop_f', 'op_set_f'),
    ('op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x',
     'op_ldpy_r_q_mx_my', 'op_inc_x'),
    ('op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx'),
    ('op_lbpx', 'op_lbpx', 'op_ld_x_e', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx'),
    ('op_lbpx', 'op_ld_x_e', 'op_ld_r_i_mx', 'op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e',
     'op_cp_r_i_mx'),
    ('op_ld_a_mn', 'op_and_r_i_a', 'op_ld_r_i_b', 'op_add_r_q_a_a', 'op_add_r_q_a_a',
     'op_adc_r_q_b_b', 'op_calz'),
    ('op_ld_a_mn', 'op_ld_r_i_b', 'op_rst_f', 'op_rlc_r_a', 'op_rlc_r_b', 'op_ld_x_e', 'op_jpba'),
    ('op_ld_mn_a', 'op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_and_r_i_b',
     'op_add_r_i_a', 'op_adc_r_i_b'),
    ('op_ld_mn_a', 'op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_ld_xl_r_a',
     'op_ld_xh_r_b', 'op_calz'),
    ('op_ld_mn_b', 'op_ld_mn_a', 'op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx',
     'op_ld_xl_r_a', 'op_ld_xh_r_b'),
    ('op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_add_r_i_mx', 'op_inc_x', 'op_adc_r_i_mx',
     'op_jp_nc'),
    ('op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_b_mx',
     'op_xor_r_i_b'),
    ('op_ld_r_i_mx', 'op_rst_f', 'op_pop_r_a', 'op_pop_xl', 'op_pop_xh', 'op_pop_xp', 'op_ret'),
    ('op_ld_r_q_a_mx', 'op_ld_x_e', 'op_lbpx', 'op_lbpx', 'op_ld_x_e', 'op_ld_r_i_mx',
     'op_ld_r_i_a'),
    ('op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_b_mx', 'op_add_r_q_b_b', 'op_add_r_q_b_b',
     'op_ld_x_e', 'op_xor_r_q_b_mx'),
    ('op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_b_mx', 'op_xor_r_i_b', 'op_and_r_i_b',
     'op_ld_r_i_a', 'op_ld_xp_r_a'),
    ('op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_mx_a', 'op_ld_x_e', 'op_add_r_i_mx', 'op_inc_x',
     'op_adc_r_i_mx'),
    ('op_ld_r_q_a_my', 'op_ld_y_e', 'op_ld_r_q_b_my', 'op_xor_r_i_a', 'op_xor_r_i_b', 'op_ld_x_e',
     'op_cp_r_q_mx_a'),
    ('op_ld_x_e', 'op_add_r_i_mx', 'op_inc_x', 'op_adc_r_i_mx', 'op_ld_r_i_a', 'op_ld_xp_r_a',
     'op_jp_c'),
    ('op_ld_x_e', 'op_add_r_i_mx', 'op_pop_r_a', 'op_pop_xl', 'op_pop_xh', 'op_pop_xp',
     'op_pop_f'),
    ('op_ld_x_e', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx'),
    ('op_ld_x_e', 'op_lbpx', 'op_ld_r_i_mx', 'op_ld_x_e', 'op_lbpx', 'op_ld_r_i_mx', 'op_ret'),
    ('op_ld_x_e', 'op_ld_r_i_mx', 'op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_cp_r_i_mx',
     'op_jp_z'),
    ('op_ld_x_e', 'op_ld_r_i_mx', 'op_rst_f', 'op_pop_r_a', 'op_pop_xl', 'op_pop_xh', 'op_pop_xp'),
    ('op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_b_mx', 'op_xor_r_i_b', 'op_and_r_i_b',
     'op_ld_r_i_a'),
    ('op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_mx_a', 'op_ld_x_e', 'op_add_r_i_mx',
     'op_inc_x'),
    ('op_ld_x_e', 'op_ld_r_q_mx_a', 'op_ld_x_e', 'op_add_r_i_mx', 'op_inc_x', 'op_adc_r_i_mx',
     'op_jp_c'),
    ('op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_and_r_i_b', 'op_add_r_i_a',
     'op_adc_r_i_b', 'op_cp_r_i_b'),
    ('op_ld_x_e', 'op_or_r_i_mx', 'op_ld_x_e', 'op_add_r_i_mx', 'op_pop_r_a', 'op_pop_xl',
     'op_pop_xh'),
    ('op_ld_xp_r_a', 'op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_b_mx', 'op_xor_r_i_b',
     'op_and_r_i_b'),
    ('op_ld_y_e', 'op_ld_r_q_a_my', 'op_ld_y_e', 'op_ld_r_q_b_my', 'op_xor_r_i_a', 'op_xor_r_i_b',
     'op_ld_x_e'),
    ('op_ld_y_e', 'op_ldpy_my_i', 'op_ldpy_my_i', 'op_ld_y_e', 'op_ld_y_e', 'op_ld_r_i_my',
     'op_call'),
    ('op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_and_r_i_b', 'op_add_r_i_a', 'op_adc_r_i_b',
     'op_cp_r_i_b', 'op_jp_nc'),
    ('op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_adc_xl_i', 'op_ldpy_r_q_mx_my',
     'op_inc_x', 'op_ldpy_r_q_mx_my'),
    ('op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my',
     'op_inc_x', 'op_ldpy_r_q_mx_my'),
    ('op_or_r_i_mx', 'op_ld_x_e', 'op_add_r_i_mx', 'op_pop_r_a', 'op_pop_xl', 'op_pop_xh',
     'op_pop_xp'),
    ('op_or_r_i_mx', 'op_ld_x_e', 'op_or_r_i_mx', 'op_ld_x_e', 'op_add_r_i_mx', 'op_pop_r_a',
     'op_pop_xl'),
    ('op_pop_xh', 'op_pop_xp', 'op_pop_r_b', 'op_pop_r_a', 'op_pop_f', 'op_set_f', 'op_ret'),
    ('op_pop_xl', 'op_pop_xh', 'op_pop_xp', 'op_pop_r_b', 'op_pop_r_a', 'op_pop_f', 'op_set_f'),
    ('op_push_f', 'op_push_r_a', 'op_push_r_b', 'op_push_xp', 'op_push_xh', 'op_push_xl',
     'op_rst_f'),
    ('op_push_f', 'op_rst_f', 'op_push_xp', 'op_push_xh', 'op_push_xl', 'op_push_r_a', 'op_calz'),
    ('op_push_r_a', 'op_push_r_b', 'op_push_xp', 'op_push_xh', 'op_push_xl', 'op_rst_f',
     'op_call'),
    ('op_adc_r_i_mx', 'op_inc_x', 'op_adc_r_i_mx', 'op_rst_f', 'op_ld_x_e', 'op_adc_r_i_mx',
     'op_inc_x', 'op_adc_r_i_mx'),
    ('op_adc_xl_i', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_adc_xl_i',
     'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my'),
    ('op_add_r_i_mx', 'op_ld_r_q_a_mx', 'op_rrc_r_a', 'op_and_r_i_a', 'op_add_r_i_a', 'op_ld_mn_a',
     'op_ld_x_e', 'op_ld_r_q_a_mx'),
    ('op_add_r_i_mx', 'op_pop_r_a', 'op_pop_xl', 'op_pop_xh', 'op_pop_xp', 'op_pop_f', 'op_set_f',
     'op_ret'),
    ('op_and_r_i_b', 'op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_add_r_i_mx', 'op_ld_x_e',
     'op_add_r_i_mx', 'op_inc_x'),
    ('op_inc_x', 'op_adc_r_i_mx', 'op_rst_f', 'op_ld_x_e', 'op_adc_r_i_mx', 'op_inc_x',
     'op_adc_r_i_mx', 'op_ret'),
    ('op_inc_x', 'op_ld_yh_r_mx', 'op_ld_r_i_a', 'op_ld_yp_r_a', 'op_ld_r_i_a', 'op_ld_xp_r_a',
     'op_ld_x_e', 'op_call'),
    ('op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x',
     'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my'),
    ('op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_add_r_i_b', 'op_jp_nz'),
    ('op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_add_r_i_b'),
    ('op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx'),
    ('op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_retd'),
    ('op_lbpx', 'op_lbpx', 'op_ld_x_e', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx'),
    ('op_lbpx', 'op_ld_r_i_a', 'op_ld_r_i_b', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_lbpx', 'op_lbpx',
     'op_lbpx'),
    ('op_lbpx', 'op_ld_x_e', 'op_ld_r_i_mx', 'op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e',
     'op_cp_r_i_mx', 'op_jp_z'),
    ('op_lbpx', 'op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ldpx_r_q_mx_b', 'op_xor_r_q_a_b',
     'op_and_r_q_a_b', 'op_or_r_q_mx_a', 'op_ld_x_e'),
    ('op_ld_mn_a', 'op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_and_r_i_b',
     'op_add_r_i_a', 'op_adc_r_i_b', 'op_cp_r_i_b'),
    ('op_ld_mn_b', 'op_ld_mn_a', 'op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx',
     'op_ld_xl_r_a', 'op_ld_xh_r_b', 'op_calz'),
    ('op_ld_r_i_a', 'op_ld_r_i_b', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_lbpx', 'op_lbpx', 'op_lbpx',
     'op_lbpx'),
    ('op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_add_r_i_mx', 'op_ld_x_e', 'op_add_r_i_mx',
     'op_inc_x', 'op_adc_r_i_mx'),
    ('op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_b_mx',
     'op_xor_r_i_b', 'op_and_r_i_b'),
    ('op_ld_r_i_b', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx',
     'op_lbpx'),
    ('op_ld_r_q_a_mx', 'op_ld_x_e', 'op_lbpx', 'op_lbpx', 'op_ld_x_e', 'op_ld_r_i_mx',
     'op_ld_r_i_a', 'op_ld_xp_r_a'),
    ('op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_b_mx', 'op_xor_r_i_b', 'op_and_r_i_b',
     'op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e'),
    ('op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_mx_a', 'op_ld_x_e', 'op_add_r_i_mx', 'op_inc_x',
     'op_adc_r_i_mx', 'op_jp_c'),
    ('op_ld_r_q_a_mx', 'op_ldpx_r_q_mx_b', 'op_xor_r_q_a_b', 'op_and_r_q_a_b', 'op_or_r_q_mx_a',
     'op_ld_x_e', 'op_cp_r_q_mx_b', 'op_jp_z'),
    ('op_ld_r_q_a_mx', 'op_rrc_r_a', 'op_and_r_i_a', 'op_add_r_i_a', 'op_ld_mn_a', 'op_ld_x_e',
     'op_ld_r_q_a_mx', 'op_cp_r_i_a'),
    ('op_ld_r_q_a_my', 'op_ld_y_e', 'op_ld_r_q_b_my', 'op_xor_r_i_a', 'op_xor_r_i_b', 'op_ld_x_e',
     'op_cp_r_q_mx_a', 'op_jp_nz'),
    ('op_ld_r_q_b_mx', 'op_xor_r_i_b', 'op_and_r_i_b', 'op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e',
     'op_add_r_i_mx', 'op_ld_x_e'),
    ('op_ld_x_e', 'op_add_r_i_mx', 'op_ld_r_q_a_mx', 'op_rrc_r_a', 'op_and_r_i_a', 'op_add_r_i_a',
     'op_ld_mn_a', 'op_ld_x_e'),
    ('op_ld_x_e', 'op_add_r_i_mx', 'op_pop_r_a', 'op_pop_xl', 'op_pop_xh', 'op_pop_xp', 'op_pop_f',
     'op_set_f'),
    ('op_ld_x_e', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx'),
    ('op_ld_x_e', 'op_lbpx', 'op_lbpx', 'op_ld_x_e', 'op_ld_r_i_mx', 'op_ld_r_i_a', 'op_ld_xp_r_a',
     'op_ld_x_e'),
    ('op_ld_x_e', 'op_lbpx', 'op_ld_r_i_a', 'op_ld_r_i_b', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_lbpx',
     'op_lbpx'),
    ('op_ld_x_e', 'op_lbpx', 'op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ldpx_r_q_mx_b', 'op_xor_r_q_a_b',
     'op_and_r_q_a_b', 'op_or_r_q_mx_a'),
    ('op_ld_x_e', 'op_ld_r_i_mx', 'op_rst_f', 'op_pop_r_a', 'op_pop_xl', 'op_pop_xh', 'op_pop_xp',
     'op_ret'),
    ('op_ld_x_e', 'op_ld_r_q_a_mx', 'op_add_r_i_mx', 'op_inc_x', 'op_ld_r_q_b_mx', 'op_adc_r_i_mx',
     'op_ld_x_e', 'op_call'),
    ('op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_b_mx', 'op_add_r_q_b_b',
     'op_add_r_q_b_b', 'op_ld_x_e', 'op_xor_r_q_b_mx'),
    ('op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_b_mx', 'op_xor_r_i_b', 'op_and_r_i_b',
     'op_ld_r_i_a', 'op_ld_xp_r_a'),
    ('op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_mx_a', 'op_ld_x_e', 'op_add_r_i_mx',
     'op_inc_x', 'op_adc_r_i_mx'),
    ('op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ldpx_r_q_mx_b', 'op_xor_r_q_a_b', 'op_and_r_q_a_b',
     'op_or_r_q_mx_a', 'op_ld_x_e', 'op_cp_r_q_mx_b'),
    ('op_ld_x_e', 'op_ld_r_q_b_mx', 'op_xor_r_i_b', 'op_and_r_i_b', 'op_ld_r_i_a', 'op_ld_xp_r_a',
     'op_ld_x_e', 'op_add_r_i_mx'),
    ('op_ld_x_e', 'op_ld_yl_r_mx', 'op_inc_x', 'op_ld_yh_r_mx', 'op_ld_r_i_a', 'op_ld_yp_r_a',
     'op_ld_r_i_a', 'op_ld_xp_r_a'),
    ('op_ld_x_e', 'op_ldpx_r_q_a_mx', 'op_ldpx_r_q_b_mx', 'op_and_r_i_b', 'op_add_r_i_a',
     'op_adc_r_i_b', 'op_cp_r_i_b', 'op_jp_nc'),
    ('op_ld_x_e', 'op_ldpx_r_q_mx_a', 'op_ldpx_r_q_mx_b', 'op_ld_x_e', 'op_ldpx_r_q_mx_a',
     'op_ldpx_r_q_mx_b', 'op_ld_x_e', 'op_fan_r_i_mx'),
    ('op_ld_x_e', 'op_or_r_i_mx', 'op_ld_x_e', 'op_add_r_i_mx', 'op_pop_r_a', 'op_pop_xl',
     'op_pop_xh', 'op_pop_xp'),
    ('op_ld_x_e', 'op_set_f', 'op_adc_r_i_mx', 'op_inc_x', 'op_adc_r_i_mx', 'op_rst_f',
     'op_ld_x_e', 'op_adc_r_i_mx'),
    ('op_ld_xp_r_a', 'op_ld_x_e', 'op_add_r_i_mx', 'op_ld_x_e', 'op_add_r_i_mx', 'op_inc_x',
     'op_adc_r_i_mx', 'op_jp_c'),
    ('op_ld_xp_r_a', 'op_ld_x_e', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx', 'op_lbpx',
     'op_lbpx'),
    ('op_ld_xp_r_a', 'op_ld_x_e', 'op_ld_r_q_a_mx', 'op_ld_x_e', 'op_ld_r_q_b_mx', 'op_xor_r_i_b',
     'op_and_r_i_b', 'op_ld_r_i_a'),
    ('op_ld_y_e', 'op_ld_r_q_a_my', 'op_ld_y_e', 'op_ld_r_q_b_my', 'op_xor_r_i_a', 'op_xor_r_i_b',
     'op_ld_x_e', 'op_cp_r_q_mx_a'),
    ('op_ld_yl_r_mx', 'op_inc_x', 'op_ld_yh_r_mx', 'op_ld_r_i_a', 'op_ld_yp_r_a', 'op_ld_r_i_a',
     'op_ld_xp_r_a', 'op_ld_x_e'),
    ('op_ldpx_r_q_mx_a', 'op_ldpx_r_q_mx_b', 'op_ld_x_e', 'op_ldpx_r_q_mx_a', 'op_ldpx_r_q_mx_b',
     'op_ld_x_e', 'op_fan_r_i_mx', 'op_jp_z'),
    ('op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_adc_xl_i', 'op_ldpy_r_q_mx_my',
     'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_adc_xl_i'),
    ('op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_adc_xl_i', 'op_ldpy_r_q_mx_my',
     'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_ret'),
    ('op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my',
     'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x'),
    ('op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_inc_x', 'op_ldpy_r_q_mx_my',
     'op_inc_x', 'op_ldpy_r_q_mx_my', 'op_ret'),
    ('op_or_r_i_mx', 'op_ld_x_e', 'op_add_r_i_mx', 'op_pop_r_a', 'op_pop_xl', 'op_pop_xh',
     'op_pop_xp', 'op_pop_f'),
    ('op_or_r_i_mx', 'op_ld_x_e', 'op_or_r_i_mx', 'op_ld_x_e', 'op_add_r_i_mx', 'op_pop_r_a',
     'op_pop_xl', 'op_pop_xh'),
    ('op_or_r_i_mx', 'op_or_r_i_mx', 'op_ld_x_e', 'op_or_r_i_mx', 'op_ld_x_e', 'op_add_r_i_mx',
     'op_pop_r_a', 'op_pop_xl'),
    ('op_pop_xl', 'op_pop_xh', 'op_pop_xp', 'op_pop_r_b', 'op_pop_r_a', 'op_pop_f', 'op_set_f',
     'op_ret'),
    ('op_push_f', 'op_push_r_a', 'op_push_r_b', 'op_push_xp', 'op_push_xh', 'op_push_xl',
     'op_rst_f', 'op_call'),
    ('op_rrc_r_a', 'op_and_r_i_a', 'op_add_r_i_a', 'op_ld_mn_a', 'op_ld_x_e', 'op_ld_r_q_a_mx',
     'op_cp_r_i_a', 'op_jp_c'),
    ('op_set_f', 'op_adc_r_i_mx', 'op_inc_x', 'op_adc_r_i_mx', 'op_rst_f', 'op_ld_x_e',
     'op_adc_r_i_mx', 'op_inc_x'),
    ('op_xor_r_i_b', 'op_and_r_i_b', 'op_ld_r_i_a', 'op_ld_xp_r_a', 'op_ld_x_e', 'op_add_r_i_mx',
     'op_ld_x_e', 'op_add_r_i_mx'),
]


# PSET and the jump after it, which reads the NP that PSET set: without a case of
# their own, the jump would run outside the compiled loop (``step_generic``).
PSET_FUSED: list[tuple[str, ...]] = [
    ("op_pset", name) for name in
    ("op_call", "op_jp", "op_jpba", "op_jp_nz", "op_jp_z", "op_jp_nc", "op_jp_c")
]


def _case(kind: str, body: str, cycles: int) -> list[str]:
    case = _inline(kind, body, cycles)
    if any(re.search(r"\bop\b", line) for line in case):
        case.insert(0, "op = rom[pc]")
    return case


def _fused_case(parts: list[tuple[str, str, int]]) -> list[str]:
    """One case for a run of instructions at consecutive addresses.

    Run alone, each instruction ends its step with ``tick >= stop`` (the tick
    its step started at, against ``stop`` as the instruction left it) and the
    next one starts by adding its cycles. Here the next one runs inline only if
    that check fails; otherwise the case ends after the instruction, in the
    very state its own case would have left, and the slow path runs as it would
    have. So the steps, ticks and timer events are those of single steps.
    """
    out: list[str] = []
    pad = ""
    for i, (kind, body, cycles) in enumerate(parts):
        if i:
            prev = parts[i - 1][2]
            out += [f"{pad}if hot(tick < stop):", f"{pad}    tick += {prev}",
                    f"{pad}    steps += 1"]
            pad += "    "
        if kind == "pset":
            # PSET first (PSET_FUSED): NP in a local for the jump that follows; if
            # the step ends at ``stop``, the case ends as PSET's own would.
            out += ["op = rom[pc]", "np_ = op & 0x1F", "pc = (pc + 1) & 0x1FFF",
                    f"pending = {cycles}"]
            continue
        case = _case(kind, body, cycles)
        if i and parts[0][0] == "pset":
            case = [line.replace("(pc >> 8)", "np_") for line in case]
            case += ["else:", "    c.np = np_", "    stop = 0", "    after_pset = 1"]
            out += [pad + line for line in case[:-4]]
            out += [line for line in case[-4:]]
            continue
        out += [pad + line if line.strip() else "" for line in case]
    return out


def _part_at(lines: list[str], j: int, off: list[int], last: bool) -> list[str]:
    """Part ``j`` of a fused run as the unchecked path runs it: PC, tick and steps not moved.

    Its word is at ``pc + j`` (runs never wrap past the end of the program: cpu.fuse),
    its step's tick is ``tick + off[j]``; only the last part sets PC and pending.
    """
    out = []
    at = f"(pc + {j})" if j else "pc"
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("pc = "):
            if not last:
                if stripped != "pc = (pc + 1) & 0x1FFF":
                    raise SystemExit(f"fused part {j} does not go on to the next word: {line}")
                continue
            target = re.sub(r"\bpc\b", at, stripped[5:])
            out.append(f"{indent}pc = {target}")
            continue
        if stripped.startswith("pending = ") and not last:
            continue
        if j:
            line = line.replace(_BEFORE, f"(tick + {off[j - 1]})")
            line = line.replace("c.tick = tick", f"c.tick = tick + {off[j]}")
        out.append(re.sub(r"\bpc\b", at, line))
    return out


def _fused_fast(parts: list[tuple[str, str, int]]) -> list[str]:
    """A fused run, with one check up front instead of one between each two parts.

    Every part but the last ends its step with ``tick >= stop`` for a tick
    that only grows, against a ``stop`` that only a call or EI can move: so if
    the last of those checks would fail, all of them would, and the parts run
    one after the other, tick and steps moved once at the end. After a part
    that can move ``stop``, the check is made there, and the case ends as
    that part's own case would if it fires. If the check up front fires (a
    stop is near), the parts run with a check after each (``_fused_case``).
    """
    off = [0]
    for _, _, cycles in parts:
        off.append(off[-1] + cycles)
    last = len(parts) - 1
    out = [f"if hot(tick + {off[last]} < stop):"]
    pad = "    "
    for j, (kind, body, cycles) in enumerate(parts):
        case = _part_at(_case(kind, body, cycles), j, off, j == last)
        out += [pad + line if line.strip() else "" for line in case]
        if j < last and any(re.match(r"\s*stop = ", line) for line in case):
            out += [f"{pad}if cold(tick + {off[j]} >= stop):",
                    f"{pad}    tick += {off[j]}", f"{pad}    steps += {j}",
                    f"{pad}    pc = (pc + {j + 1}) & 0x1FFF", f"{pad}    pending = {cycles}",
                    f"{pad}else:"]
            pad += "    "
    out += [f"{pad}tick += {off[last]}", f"{pad}steps += {last}"]
    out += ["else:"] + ["    " + line if line.strip() else "" for line in _fused_case(parts)]
    return out


def _native_switch(handlers: list[tuple[str, str, int]], kinds: dict[str, str],
                   fused: list[tuple[int, ...]]) -> str:
    """The switch of one copy of the loop; ``fused`` runs (numbered after the handlers)."""
    lines = []
    pad = " " * 16
    for i, (name, body, cycles) in enumerate(handlers):
        lines.append(f"{pad}{'if' if i == 0 else 'elif'} k == {i}:")
        lines.extend(pad + "    " + line if line.strip() else ""
                     for line in _case(kinds[name], body, cycles))
    for j, run in enumerate(fused):
        lines.append(f"{pad}elif k == {len(handlers) + j}:")
        parts = [(kinds[handlers[k][0]], handlers[k][1], handlers[k][2]) for k in run]
        case = _fused_case(parts) if parts[0][0] == "pset" else _fused_fast(parts)
        lines.extend(pad + "    " + line if line.strip() else "" for line in case)
    if fused:
        # The OSC1 copy switches on ``fused[pc] & 0x3FF`` with a case for each of the
        # 1,024 values, so the C compiler leaves out the jump table's range check.
        # (fused[] never holds the spare numbers; were one met, the loop would
        # leave before the step.)
        count = len(handlers) + len(fused)
        if count > 1024:
            raise SystemExit("more than 1,024 cases: widen the mask in NATIVE_LOOP")
        if count < 1024:
            spare = " or ".join(f"k == {k}" for k in range(count, 1024))
            lines.append(f"{pad}elif {spare}:")
            lines.append(f"{pad}    tick -= pending")
            lines.append(f"{pad}    break")
    lines.append(f"{pad}else:")
    lines.append(f"{pad}    unreachable()  # no range check: code[] holds handler numbers only")
    return "\n".join(lines)


# Instructions after which the next address is not always the next one to run.
_CONTROL = {"jp", "jp_c", "jp_nc", "jp_z", "jp_nz", "jpba", "call", "calz", "ret", "rets",
            "retd", "halt", "pset"}


def _fused_runs(handlers: list[tuple[str, str, int]],
                kinds: dict[str, str]) -> list[tuple[int, ...]]:
    """FUSED as handler numbers, checked: only the last may jump; PSET only first of two."""
    index = {name: i for i, (name, _, _) in enumerate(handlers)}
    runs = []
    for names in FUSED + PSET_FUSED:
        missing = [n for n in names if n not in index]
        if missing or len(names) < 2:
            raise SystemExit(f"fused run {names}: unknown handlers {missing}")
        pset_first = kinds[names[0]] == "pset" and len(names) == 2
        if (any(kinds[n] in _CONTROL for n in names[int(pset_first):-1])
                or kinds[names[-1]] == "pset"):
            raise SystemExit(f"fused run {names}: a jump before its end, or PSET")
        runs.append(tuple(index[n] for n in names))
    if len(set(runs)) != len(runs):
        raise SystemExit("fused runs listed twice")
    return runs


def _kind_of(handlers: list[tuple[str, str, int]], table: list[str]) -> dict[str, str]:
    kinds = {}
    for w, name in enumerate(table):
        kinds[name] = DECODE[w].kind
    return kinds


def generate() -> str:
    handlers, table = _handler_names()
    index = {name: i for i, (name, _, _) in enumerate(handlers)}
    runs = _fused_runs(handlers, _kind_of(handlers, table))
    out = [
        '"""Instruction handlers, generated by ``python -m pygotchi.emu.opgen``: do not edit.',
        "",
        "Each handler executes one instruction on the Chip ``c`` and returns the next PC.",
        "The pure-Python loop (cpu.py) calls them through ``HANDLERS[word]``; the compiled",
        "build runs ``run_awake_native``, whose if/elif chain on the handler number Cython",
        "turns into a C switch with every handler's body inline.",
        '"""',
        "",
        "# ruff: noqa: E501",
        "",
        "from array import array",
        "",
        "try:",
        "    import cython",
        "except ImportError:  # pure Python without Cython installed",
        "    from types import SimpleNamespace",
        "",
        "    cython = SimpleNamespace(compiled=False)",
        "",
        "from pygotchi.emu import memory, timers",
        "from pygotchi.emu.isa import CYCLES",
        "",
    ]
    for name, body, _ in handlers:
        out.append("")
        out.append(f"def {name}(c, op, pc):")
        out.extend("    " + line if line else "" for line in body.split("\n"))
        out.append("")
    out.append("")
    out.append("# KIND[word]: the number of the handler that runs instruction word `word`.")
    out.append('KIND = array("H", (')
    kinds = [index[name] for name in table]
    for i in range(0, 4096, 32):
        out.append("    " + ", ".join(str(k) for k in kinds[i : i + 32]) + ",")
    out.append("))")
    out.append("")
    out.append("")
    out.append("# FUSED[j]: the handler numbers of fused run j; its case is FIRST_FUSED + j.")
    out.append(f"FIRST_FUSED = {len(handlers)}")
    out.append("FUSED = (")
    out.extend(f"    {run}," for run in runs)
    out.append(")")
    out.append("")
    out.append("")
    out.append("def dispatch(c, k, op, pc):")
    out.append('    """Run word ``op`` at ``pc`` with handler number ``k``; return the next PC."""')
    out.extend(_switch(handlers, "    ", "return {name}(c, op, pc)"))
    out.append("    return (pc + 1) & 0x1FFF")
    out.append("")
    out.append("")
    out.append("def cycles_of(k):")
    out.append('    """The cycles of an instruction run by handler number ``k``."""')
    for i, (_, _, cycles) in enumerate(handlers):
        out.append(f"    {'if' if i == 0 else 'elif'} k == {i}:")
        out.append(f"        return {cycles}")
    out.append("    return 5")
    out.append("")
    slow = "\n".join(" " * 20 + line for line in NATIVE_SLOW.split("\n"))
    kinds = _kind_of(handlers, table)
    loop = NATIVE_LOOP.replace("{switch3}", _native_switch(handlers, kinds, []))
    loop = loop.replace("{switch1}", _native_switch(handlers, kinds, runs))
    enter = "\n".join(" " * 20 + line for line in NATIVE_ENTER.split("\n")).lstrip()
    slow1 = slow.replace("{enter}", "    " + enter)
    slow3 = slow.replace("{enter}", "    break").replace("{osc}", "1")
    loop = loop.replace("{slow3}", slow3).replace("{slow}", slow1)
    out.extend(loop.replace("{osc}", "0").split("\n"))
    out.append("")
    out.append("if not cython.compiled:")
    out.append("")
    out.append("    def hot(x):")
    out.append('        """Compiled, ``__builtin_expect(x, 1)`` (ops.pxd): a compiler hint."""')
    out.append("        return x")
    out.append("")
    out.append("    def cold(x):")
    out.append('        """Compiled, ``__builtin_expect(x, 0)``."""')
    out.append("        return x")
    out.append("")
    out.append("    def unreachable():")
    out.append('        """Compiled, a hint to the C compiler (ops.pxd); never reached."""')
    out.append('        raise AssertionError("no handler with this number")')
    out.append("")
    out.append("    # HANDLERS[word] runs word `word`; built once, shared by every machine.")
    out.append("    HANDLERS = (")
    for i in range(0, 4096, 4):
        out.append("        " + " ".join(f"{n}," for n in table[i : i + 4]))
    out.append("    )")
    out.append("")
    text = LOOP.replace("{name}", "run_awake_py").replace("{setup}", PY_SETUP)
    text = text.replace("{fetch}", PY_FETCH)
    out.extend("    " + line if line else "" for line in text.split("\n"))
    out.append("")
    return "\n".join(out)


def generate_pxd() -> str:
    handlers, _ = _handler_names()
    locals_decl = ", ".join(f"{name}=int" for name in _LOCALS)
    out = [
        "# Generated by ``python -m pygotchi.emu.opgen``: do not edit.",
        "# Types for the compiled build of ops.py.",
        "",
        "import cython",
        "",
        "from pygotchi.emu cimport memory, timers",
        "from pygotchi.emu.chip cimport Chip",
        "",
        "",
        "cdef extern from *:",
        '    """',
        "    #define unreachable() __builtin_unreachable()",
        "    #define hot(x) __builtin_expect(!!(x), 1)",
        "    #define cold(x) __builtin_expect(!!(x), 0)",
        '    """',
        "    void unreachable() noexcept nogil",
        "    bint hot(bint x) noexcept nogil",
        "    bint cold(bint x) noexcept nogil",
        "",
    ]
    for name, _, _ in handlers:
        out.append(f"@cython.locals({locals_decl})")
        out.append(f"cdef inline int {name}(Chip c, int op, int pc) noexcept nogil")
    out.append("")
    out.append("cdef int dispatch(Chip c, int k, int op, int pc) noexcept nogil")
    out.append("cdef int cycles_of(int k) noexcept nogil")
    out.append("")
    out.append('@cython.locals(tick="long long", pending="long long", pc=long, stop="long long",')
    out.append('               steps="long long", acc="long long", ticks="long long",')
    out.append('               op=int, k=int, after_pset=bint, ra=int, rb=int, rx=int, ry=int,')
    out.append('               rsp=int, rf=int, slot=int,')
    out.append('               code="unsigned short[::1]", fused="unsigned short[::1]",')
    out.append('               rom="unsigned short[::1]",')
    out.append(f'               mem="unsigned char[::1]", {locals_decl})')
    out.append("cdef void run_awake_native(Chip c, long long limit) noexcept nogil")
    out.append("")
    out.append("@cython.locals(pc=int, k=int, op=int, pset=bint)")
    out.append("cdef void step_generic(Chip c) noexcept nogil")
    out.append("")
    return "\n".join(out)


def _check_table() -> None:
    # Every table row's kind must have a template; every template must be used.
    kinds = {ins.kind for ins in TABLE}
    unused = set(TEMPLATES) - kinds - {"unknown"}
    if unused:
        raise SystemExit(f"templates without instructions: {sorted(unused)}")


def outputs() -> dict[Path, str]:
    here = Path(__file__).parent
    return {here / "ops.py": generate(), here / "ops.pxd": generate_pxd()}


def main(argv: list[str] | None = None) -> int:
    _check_table()
    files = outputs()
    if argv and argv[0] == "--check":
        stale = [p.name for p, text in files.items() if not p.exists() or p.read_text() != text]
        if stale:
            print(
                f"out of date: {', '.join(stale)}; run python -m pygotchi.emu.opgen",
                file=sys.stderr,
            )
        return 1 if stale else 0
    for path, text in files.items():
        path.write_text(text)
        print(f"wrote {path} ({text.count(chr(10))} lines)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
