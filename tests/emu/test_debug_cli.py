"""``python -m pygotchi debug``: the debugger's command loop, driven through stdin.

Commands print where the machine stopped; a refused command prints ``error: ...``
on stderr and the loop goes on (exit status 2 at the end); bad arguments end at
once with status 2. Never a traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pygotchi.emu import Machine, load_rom
from tests.conftest import REPO
from tests.emu.helpers import rom_bytes

SOURCE = """\
        ORG 0x100
start:  LD   A,0x5
        LD   Y,0x30
        CALL sub
        LDPY MY,0x9
        LD   B,0x2
loop:   JP   loop
        ORG 0x140
sub:    ADD  A,0x1
        RET
"""


def run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pygotchi", "debug", *args], input=stdin,
                          capture_output=True, text=True, cwd=REPO, timeout=120)


def _rom(tmp_path: Path) -> Path:
    path = tmp_path / "prog.bin"
    path.write_bytes(rom_bytes(SOURCE))
    return path


def test_a_session_through_stdin(tmp_path: Path) -> None:
    rom = _rom(tmp_path)
    script = "\n".join([
        "s 2",            # LD A; LD Y
        "n",              # the whole CALL
        "r",
        "w 0x30 w",
        "c",              # LDPY MY,9 writes 0x30
        "x 0x30 2",
        "back 3",         # before the call again
        "b 0x141",
        "c",              # the RET inside sub
        "set A 0xC",
        "poke 0x31 0x4",
        "x 0x30 2",
        "dis 0x102 2",
        "info",
        "q",
    ]) + "\n"
    proc = run([str(rom)], script)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    assert "[step] step 2," in out and "PC=0102" in out
    assert "[step] step 5, " in out and "PC=0103 NP=01 A=6" in out  # stepped over, A = 5 + 1
    assert "[watchpoint: write of 030] step 6," in out
    assert "030: 9*0 " in out  # changed since the last stop
    assert "[step] step 3," in out
    assert "[breakpoint] step 4," in out and "PC=0141" in out
    assert "A=C" in out
    assert "030: 0 4*" in out  # before LDPY ran; the poke shows as a change
    assert "0102  " in out and "-> 0x0140" in out
    assert "breakpoints: 0141" in out and "watchpoints: 030(w)" in out


def test_bad_commands_are_refused_and_the_loop_goes_on(tmp_path: Path) -> None:
    proc = run([str(_rom(tmp_path))], "frobnicate\nb zz\ns 0\nx 0xFFF 4\nset Q 1\ns\nq\n")
    assert proc.returncode == 2
    errors = proc.stderr.splitlines()
    assert errors == [
        "error: unknown command 'frobnicate' (help shows the commands)",
        "error: address 'zz' is not a number (write 0x1A0 for hex)",
        "error: step count must be at least 1",
        "error: x: ADDR and LEN must stay inside data memory 0x000-0xFFF",
        "error: no register 'Q'; registers: PC, NP, A, B, X, Y, SP, F, C, Z, D, I",
    ]
    assert "[step] step 1," in proc.stdout  # the good command after them still ran
    assert "Traceback" not in proc.stderr + proc.stdout


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    missing = run([str(tmp_path / "nothing.bin")])
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: cannot read ROM")
    assert run([]).returncode == 2
    junk = tmp_path / "junk.state"
    junk.write_bytes(b"not a state")
    bad_state = run([str(_rom(tmp_path)), "--load-state", str(junk)])
    assert bad_state.returncode == 2 and bad_state.stderr.startswith("error: ")
    for proc in (missing, bad_state):
        assert "Traceback" not in proc.stderr


def test_load_state(tmp_path: Path) -> None:
    rom = _rom(tmp_path)
    m = Machine(load_rom(rom.read_bytes()))
    for _ in range(5):
        m.step()
    state = tmp_path / "s.pgst"
    state.write_bytes(m.save_state())
    proc = run([str(rom), "--load-state", str(state)], "r\nq\n")
    assert proc.returncode == 0, proc.stderr
    assert "[start] step 5," in proc.stdout and "PC=0103" in proc.stdout
