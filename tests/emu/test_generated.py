"""Generated emulator code must be current: ops.py/.pxd (opgen.py), debugops.py/.pxd
(debuggen.py)."""

from pygotchi.emu import opgen


def test_generated_handlers_are_up_to_date() -> None:
    stale = [path.name for path, text in opgen.outputs().items() if path.read_text() != text]
    assert not stale, f"{stale} out of date: run python -m pygotchi.emu.opgen"



def test_generated_debug_path_is_up_to_date() -> None:
    from pygotchi.emu import debuggen

    stale = [path.name for path, text in debuggen.outputs().items() if path.read_text() != text]
    assert not stale, f"{stale} out of date: run python -m pygotchi.emu.debuggen"
