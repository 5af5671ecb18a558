"""``python -m pygotchi autopilot``: bad input is a one-line error with exit status 2."""

from __future__ import annotations

import pytest

from pygotchi.cli import main
from pygotchi.demo import demo_rom_bytes


@pytest.fixture
def demo(tmp_path):
    path = tmp_path / "sprout.bin"
    from pygotchi.emu import load_rom
    from pygotchi.emu.rom import words_to_rombin

    path.write_bytes(words_to_rombin(load_rom(demo_rom_bytes()).words))
    return str(path)


@pytest.mark.parametrize("days", ["0", "-1", "abc", "99999"])
def test_bad_days(demo, days, capsys) -> None:
    assert main(["autopilot", demo, "--days", days]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --days") and "Traceback" not in err


def test_missing_state_file(demo, tmp_path, capsys) -> None:
    assert main(["autopilot", demo, "--days", "1", "--load-state", str(tmp_path / "no")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_short_run_on_the_demo_rom(demo, tmp_path, capsys) -> None:
    state = tmp_path / "out.state"
    assert main(["autopilot", demo, "--days", "0.01", "--save-state", str(state)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("day 1, alive, actions ")
    assert out[-1].startswith("alive=yes days=0.01 actions=")
    assert state.stat().st_size > 0
    # The saved state loads back, and a second run continues from it.
    assert main(["autopilot", demo, "--days", "0.01", "--load-state", str(state)]) == 0
