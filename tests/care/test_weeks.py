"""The proof: from the egg, the autopilot raises a P1 to an adult alive after 14 days.

Without it the same pet dies (within the first day). Death is read off the
screen: the ghost with its halo (sprites.GHOST) beside twinkling stars.
"""

from __future__ import annotations

from pygotchi.cli import main
from pygotchi.emu import Machine, load_rom_file
from tests.care.p1states import CHARACTER
from tests.conftest import rom_path


def test_fourteen_days_with_the_autopilot_an_adult_alive(tmp_path, capsys) -> None:
    rom = str(rom_path("p1.bin"))
    state = tmp_path / "day14.state"
    shots = tmp_path / "shots"
    assert main(["autopilot", rom, "--days", "14", "--save-state", str(state),
                 "--screenshots", str(shots)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 15
    assert all(line.startswith(f"day {i + 1}, alive,") for i, line in enumerate(lines[:14]))
    assert all("missed calls 0" in line for line in lines[:14])
    last = lines[-1].split()
    assert last[:2] == ["alive=yes", "days=14"] and int(last[2].split("=")[1]) > 100
    assert len(list(shots.glob("day*.png"))) == 14
    m = Machine(load_rom_file(rom))
    m.load_state(state.read_bytes())
    assert m.read_memory(CHARACTER) >= 5  # an adult (oracle only)


def test_fourteen_days_alone_it_dies(capsys) -> None:
    rom = str(rom_path("p1.bin"))
    assert main(["autopilot", rom, "--days", "14", "--off"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].startswith("day 1, dead")
    assert lines[-1].startswith("alive=no days=0.")  # it died on its first day
    assert "set_clock 1" in lines[-2]  # the only thing done: the clock, so the egg hatched
