"""Choose the emulator core: the compiled modules when they were built, else pure Python.

``chip``, ``timers``, ``memory``, ``ops`` and ``cpu`` are plain Python that
Cython compiles, in place, when pygotchi is installed with a C compiler (see
setup.py). Python prefers an extension module over the ``.py`` beside it, so
the compiled core is used when present. ``PYGOTCHI_PURE_PYTHON=1`` forces the
``.py`` files (the tests run in both modes); a compiled module that fails to
load falls back to them too, and says why.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path

MODULES = ("chip", "timers", "memory", "ops", "cpu", "debugops")
_PACKAGE = "pygotchi.emu"
_HERE = Path(__file__).resolve().parent


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Load the core's modules from their .py files, ignoring compiled ones."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition(".")
        if package != _PACKAGE or name not in MODULES:
            return None
        return importlib.util.spec_from_file_location(fullname, _HERE / f"{name}.py")


def _forget() -> None:
    for name in MODULES:
        sys.modules.pop(f"{_PACKAGE}.{name}", None)


def _built() -> bool:
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return any(p.name.startswith("cpu.") and p.name.endswith(suffixes) for p in _HERE.iterdir())


def load() -> tuple[bool, str]:
    """Import the core; return (compiled?, a sentence saying which and why)."""
    if os.environ.get("PYGOTCHI_PURE_PYTHON", "") not in ("", "0"):
        sys.meta_path.insert(0, _SourceFinder())
        _forget()
        importlib.import_module(f"{_PACKAGE}.cpu")
        return False, "pure Python (forced by PYGOTCHI_PURE_PYTHON)"
    try:
        importlib.import_module(f"{_PACKAGE}.cpu")
        chip = importlib.import_module(f"{_PACKAGE}.chip")
    except ImportError as exc:
        _forget()
        sys.meta_path.insert(0, _SourceFinder())
        importlib.import_module(f"{_PACKAGE}.cpu")
        return False, f"pure Python (the compiled core failed to load: {exc})"
    if chip.COMPILED:
        return True, "compiled (Cython, GIL released while running)"
    if _built():
        return False, "pure Python (compiled modules present but not all of them load)"
    return False, ("pure Python (the compiled core was not built: install with Cython and a C "
                   "compiler available, e.g. `pip install --force-reinstall -e .`)")


def warning(compiled: bool, info: str) -> str | None:
    """The one line a server prints at start-up when it runs on the slow core unasked."""
    if compiled or "forced" in info:
        return None
    return f"pygotchi: emulator core is {info}; expect ~400x real time instead of ~30,000x"
