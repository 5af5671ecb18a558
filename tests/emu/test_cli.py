"""The emulator's command line: disasm, asm, screenshot, trace, info.

Contract (pygotchi/cli.py): a mistake the user can fix ends with exit status 2
and exactly one line ``error: ...`` on stderr, never a traceback. ``asm`` and
``screenshot`` write their output atomically: a failure leaves no partial file
and an existing file untouched.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pygotchi.cli import main
from pygotchi.emu import load_rom
from tests.conftest import REPO
from tests.emu.helpers import build, rom_bytes

SOURCE = """\
; a tiny program
        ORG 0x100
start:  LD   A,0x5
        LD   B,0xA
loop:   JP   loop
"""

DRAW = """\
        ORG 0x100
        LD   B,0xE
        LD   XP,B
        LD   X,0x00
        LDPX MX,0x1       ; pixel (0, 0)
        LD   X,0x10
        LDPX MX,0x1       ; icon 0
loop:   JP   loop
"""


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def assert_user_error(rc: int, err: str, *hints: str) -> None:
    assert rc == 2
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for hint in hints:
        assert hint in lines[0]


@pytest.fixture
def rom_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.bin"
    path.write_bytes(rom_bytes(SOURCE))
    return path


# --- asm ------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "source_format"), [
    ("rombin", "rombin"), ("packed", "packed12"), ("header", "c-header-packed")])
def test_asm_writes_each_format(capsys, tmp_path: Path, fmt: str, source_format: str) -> None:
    src = tmp_path / "prog.asm"
    src.write_text(SOURCE)
    out = tmp_path / f"prog.{fmt}"
    rc, stdout, err = cli(capsys, "asm", src, "-o", out, "--format", fmt)
    assert rc == 0, err
    rom = load_rom(out.read_bytes())
    assert rom.source_format == source_format
    assert len(rom.words) == 6144
    # LD A,5 = 1110 0000 0101; LD B,A = 1110 0001 1010; JP 0x02 = 0000 0000 0010
    assert rom.words[0x100:0x103] == (0xE05, 0xE1A, 0x002)
    assert rom.words[0x103] == 0xFFF  # gaps are NOP7
    assert {p.name for p in tmp_path.iterdir()} == {"prog.asm", out.name}


def test_asm_size_picks_the_chip(capsys, tmp_path: Path) -> None:
    src = tmp_path / "prog.asm"
    src.write_text(SOURCE)
    out = tmp_path / "big.bin"
    rc, _, err = cli(capsys, "asm", src, "-o", out, "--size", "8192")
    assert rc == 0, err
    assert load_rom(out.read_bytes()).chip == "E0C6S48"


def test_asm_error_names_the_line_and_leaves_the_old_output(capsys, tmp_path: Path) -> None:
    src = tmp_path / "bad.asm"
    src.write_text("        ORG 0x100\n        LD A,0x5\n        FROB A\n")
    out = tmp_path / "out.bin"
    out.write_bytes(b"precious")
    rc, _, err = cli(capsys, "asm", src, "-o", out)
    assert_user_error(rc, err, "bad.asm", "3", "FROB")
    assert out.read_bytes() == b"precious"
    assert {p.name for p in tmp_path.iterdir()} == {"bad.asm", "out.bin"}


def test_asm_program_too_big_for_size(capsys, tmp_path: Path) -> None:
    src = tmp_path / "far.asm"
    src.write_text("        ORG 0x1900\n        NOP5\n")
    rc, _, err = cli(capsys, "asm", src, "-o", tmp_path / "x.bin")
    assert_user_error(rc, err, "0x1900")
    assert not (tmp_path / "x.bin").exists()


@pytest.mark.parametrize("command", ["asm", "screenshot"])
def test_output_is_written_atomically(capsys, tmp_path: Path, monkeypatch,
                                      command: str) -> None:
    """If the final rename fails, the old file stays whole and no temporary is left."""
    src = tmp_path / "prog.asm"
    src.write_text(SOURCE)
    rom = tmp_path / "prog.bin"
    rom.write_bytes(rom_bytes(SOURCE))
    out = tmp_path / "out.bin"
    out.write_bytes(b"old contents")

    def failing_replace(a, b):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    if command == "asm":
        rc, _, err = cli(capsys, "asm", src, "-o", out)
    else:
        rc, _, err = cli(capsys, "screenshot", rom, "--seconds", "0.01", "-o", out)
    assert_user_error(rc, err, "out.bin")
    assert out.read_bytes() == b"old contents"
    assert {p.name for p in tmp_path.iterdir()} == {"prog.asm", "prog.bin", "out.bin"}


def test_asm_into_a_missing_directory(capsys, tmp_path: Path) -> None:
    src = tmp_path / "prog.asm"
    src.write_text(SOURCE)
    rc, _, err = cli(capsys, "asm", src, "-o", tmp_path / "no" / "such" / "dir.bin")
    assert_user_error(rc, err)


# --- disasm ---------------------------------------------------------------------


def test_disasm_prints_address_word_mnemonic(capsys, rom_file: Path) -> None:
    rc, out, err = cli(capsys, "disasm", rom_file, "--start", "0x100", "--count", "3")
    assert rc == 0, err
    lines = out.splitlines()
    assert len(lines) == 3
    fields = [line.split(None, 2) for line in lines]
    assert [(int(a, 16), int(w, 16)) for a, w, _ in fields] == [
        (0x100, 0xE05), (0x101, 0xE1A), (0x102, 0x002)]
    assert fields[0][2] == "LD A,0x5"
    assert fields[1][2] == "LD B,0xA"
    assert fields[2][2].startswith("JP 0x02")
    assert "0x0102" in fields[2][2]  # the full target of the jump


def test_disasm_whole_rom(capsys, rom_file: Path) -> None:
    rc, out, _ = cli(capsys, "disasm", rom_file)
    assert rc == 0
    assert len(out.splitlines()) == 6144


# --- screenshot -------------------------------------------------------------------


def test_screenshot_writes_a_png_of_the_screen(capsys, tmp_path: Path) -> None:
    from PIL import Image

    from pygotchi.emu.render import screenshot_png

    rom = tmp_path / "draw.bin"
    rom.write_bytes(rom_bytes(DRAW))
    blank = tmp_path / "blank.bin"
    blank.write_bytes(rom_bytes(SOURCE))
    shots = {}
    for path in (rom, blank):
        out = tmp_path / f"{path.stem}.png"
        rc, _, err = cli(capsys, "screenshot", path, "--seconds", "0.1", "--scale", "4",
                         "-o", out)
        assert rc == 0, err
        shots[path.stem] = out.read_bytes()
        with Image.open(out) as img:
            img.verify()
    assert shots["draw"] != shots["blank"]
    m = build(DRAW)
    m.run_until(3276)
    assert m.screen().pixel(0, 0) and m.screen().icons[0]
    assert shots["draw"] == screenshot_png(m.screen().frame, 4)


# --- trace ------------------------------------------------------------------------


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) % 2**64
    return h


def test_trace_prints_golden_format_snapshots(capsys, rom_file: Path) -> None:
    rc, out, err = cli(capsys, "trace", rom_file, "--duration-s", "0.01", "--snapshots", "5")
    assert rc == 0, err
    block = out[out.index("snapshot t_ms=5") :].splitlines()
    # 5 ms is tick 163; steps are 5 ticks apart (all 5-cycle instructions), and the
    # count lags one step: the snapshot comes before the first step at tick >= 163.
    assert block[:6] == [
        "snapshot t_ms=5",
        "ticks=165 steps=34 instructions=34 interrupts=0 halted=0",
        "regs PC=0x0102 A=0x5 B=0xA X=0x000 Y=0x000 SP=0x00 NP=0x01 F=0x0 C=0 Z=0 D=0 I=0",
        "buzzer freq_dHz=0 on=0",
        "icons 00000000",
        "lcd",
    ]
    assert block[6:22] == ["." * 32] * 16
    assert block[22] == f"ram_fnv1a64={fnv1a64(bytes(640)):016x}"
    assert block[23] == "ram " + "0" * 640
    assert block[24] == "vram1 " + "0" * 80
    assert block[25] == "vram2 " + "0" * 80
    assert block[26] == "end_snapshot"


def test_trace_with_a_script_and_a_state(capsys, tmp_path: Path, rom_file: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("# press and release\n1 A DOWN\n2 A UP\n")
    m = build(SOURCE)
    m.run_until(1000)
    state = tmp_path / "s.pgst"
    state.write_bytes(m.save_state())
    rc, out, err = cli(capsys, "trace", rom_file, "--script", script, "--duration-s", "0.1",
                       "--snapshots", "50", "--load-state", state)
    assert rc == 0, err
    assert "load_state s.pgst" in out
    ticks = int(out.split("snapshot t_ms=50\nticks=")[1].split()[0])
    assert ticks >= 1638


# --- user errors ----------------------------------------------------------------

def _bad_invocations(tmp: Path, rom: Path) -> dict[str, tuple[list[str], tuple[str, ...]]]:
    text = tmp / "notes.txt"
    text.write_text("shopping list: eggs, milk\n")
    junk = tmp / "junk.state"
    junk.write_bytes(b"\x00" * 100)
    other = tmp / "other.bin"
    other.write_bytes(rom_bytes(SOURCE.replace("0x5", "0x6")))
    foreign = tmp / "foreign.pgst"
    foreign.write_bytes(build(SOURCE.replace("0x5", "0x6")).save_state())
    script = tmp / "bad_script.txt"
    script.write_text("100 A DOWN\n200 Q UP\n")
    source = tmp / "bad.asm"
    source.write_text("LD A,\n")
    missing = tmp / "missing.bin"
    return {
        "disasm_missing": (["disasm", missing], ("missing.bin",)),
        "disasm_directory": (["disasm", tmp], ()),
        "disasm_not_a_rom": (["disasm", text], ("notes.txt",)),
        "disasm_bad_start": (["disasm", rom, "--start", "0x9999"], ("--start",)),
        "disasm_start_not_a_number": (["disasm", rom, "--start", "ten"], ("ten",)),
        "info_not_a_rom": (["info", text], ("notes.txt",)),
        "asm_missing_source": (["asm", missing, "-o", tmp / "x.bin"], ("missing.bin",)),
        "asm_bad_source": (["asm", source, "-o", tmp / "x.bin"], ("bad.asm",)),
        "asm_bad_size": (["asm", source, "-o", tmp / "x.bin", "--size", "10"], ("--size",)),
        "trace_bad_duration": (["trace", rom, "--duration-s", "soon"], ("soon",)),
        "trace_negative_snapshot": (["trace", rom, "--duration-s", "1", "--snapshots", "-5"],
                                    ()),
        "trace_bad_script": (["trace", rom, "--duration-s", "1", "--script", script],
                             ("bad_script.txt", "2")),
        "trace_missing_script": (["trace", rom, "--duration-s", "1", "--script", missing], ()),
        "trace_junk_state": (["trace", rom, "--duration-s", "1", "--load-state", junk],
                             ("junk.state",)),
        "trace_foreign_state": (["trace", rom, "--duration-s", "1", "--load-state", foreign],
                                ("another ROM",)),
        "screenshot_bad_seconds": (["screenshot", rom, "--seconds", "x", "-o", tmp / "a.png"],
                                   ()),
        "screenshot_junk_state": (["screenshot", other, "--seconds", "1", "-o", tmp / "a.png",
                                   "--load-state", junk], ()),
    }


BAD_NAMES = ["disasm_missing", "disasm_directory", "disasm_not_a_rom", "disasm_bad_start",
             "disasm_start_not_a_number", "info_not_a_rom", "asm_missing_source",
             "asm_bad_source", "asm_bad_size", "trace_bad_duration", "trace_negative_snapshot",
             "trace_bad_script", "trace_missing_script", "trace_junk_state",
             "trace_foreign_state", "screenshot_bad_seconds", "screenshot_junk_state"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_user_errors_exit_2_with_one_line(capsys, tmp_path: Path, rom_file: Path,
                                          name: str) -> None:
    args, hints = _bad_invocations(tmp_path, rom_file)[name]
    rc, _, err = cli(capsys, *args)
    assert_user_error(rc, err, *hints)
    assert not (tmp_path / "x.bin").exists() and not (tmp_path / "a.png").exists()


def test_header_rom_with_octal_numbers_is_a_user_error(capsys, tmp_path: Path) -> None:
    """A C header the loader cannot read must be reported, not crash the command."""
    header = tmp_path / "rom.h"
    header.write_text("static const unsigned char g_program_b12[] = {"
                      + ", ".join(["010"] * 9216) + "};\n")
    rc, out, err = cli(capsys, "disasm", header, "--count", "1")
    if rc == 0:
        assert out.split()[1] == "080"  # 010 read as C octal: 8
    else:
        assert_user_error(rc, err, "rom.h")


def test_the_real_command_line(tmp_path: Path, rom_file: Path) -> None:
    """``python -m pygotchi`` in a subprocess: status 2, one line, no traceback."""
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pygotchi", *args], cwd=REPO,
                              capture_output=True, text=True, timeout=120, check=False)

    bad = run("disasm", str(tmp_path / "missing.bin"))
    assert_user_error(bad.returncode, bad.stderr, "missing.bin")
    src = tmp_path / "p.asm"
    src.write_text(SOURCE)
    ok = run("asm", str(src), "-o", str(tmp_path / "p.bin"))
    assert ok.returncode == 0, ok.stderr
    assert load_rom((tmp_path / "p.bin").read_bytes()).words[0x100] == 0xE05
    dis = run("disasm", str(tmp_path / "p.bin"), "--start", "0x100", "--count", "1")
    assert dis.returncode == 0 and "LD A,0x5" in dis.stdout
