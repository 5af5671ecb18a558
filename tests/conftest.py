"""Shared test fixtures: where the licensed ROMs and the reference material live.

ROM images are never part of the project. Tests find them in
``$PYGOTCHI_TEST_ROMS`` (default ``../shared/roms`` from the repository root)
and the golden traces in ``$PYGOTCHI_SHARED/golden`` (default ``../shared``);
tests that need them are skipped, with the reason shown, when they are absent.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PYGOTCHI_SHARED", REPO.parent / "shared"))
ROMS = Path(os.environ.get("PYGOTCHI_TEST_ROMS", SHARED / "roms"))
GOLDEN = SHARED / "golden"

# Servers and CLIs started as subprocesses must run this checkout's code, not the copy an
# editable install elsewhere points at (their working directory is often a temporary one).
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)


def rom_path(name: str) -> Path:
    path = ROMS / name
    if not path.is_file():
        pytest.skip(f"ROM {name} not found in {ROMS} (set PYGOTCHI_TEST_ROMS)")
    return path


def find_by_sha256(sha: str) -> Path | None:
    """A ROM anywhere in the ROM or golden folders with this sha256."""
    for folder in (ROMS, GOLDEN, GOLDEN / "fuzz"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.bin")):
            if hashlib.sha256(path.read_bytes()).hexdigest() == sha:
                return path
    return None


@pytest.fixture
def p1_rom() -> Path:
    return rom_path("p1.bin")


@pytest.fixture
def yasashii_rom() -> Path:
    return rom_path("yasashii.bin")
