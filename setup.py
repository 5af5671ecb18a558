"""Build the compiled emulator core when Cython and a C compiler are available.

The modules below are plain Python that Cython compiles in pure-Python mode
(types come from the ``.pxd`` beside each one). Every extension is optional:
when it cannot be built, ``pip install .`` still succeeds and pygotchi runs
the same ``.py`` files in pure Python (``python -m pygotchi info`` says which).
"""

from __future__ import annotations

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = ["chip", "timers", "memory", "ops", "cpu", "debugops"]


class OptionalBuildExt(build_ext):
    """Never fail the install because the compiled core could not be built."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, missing headers ...
            self._skip(exc)

    def build_extension(self, ext) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._skip(exc)

    @staticmethod
    def _skip(exc: Exception) -> None:
        print(f"pygotchi: compiled emulator core not built ({exc}); "
              "the pure-Python core will be used", file=sys.stderr)


def extensions() -> list:
    if os.environ.get("PYGOTCHI_NO_COMPILE"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("pygotchi: Cython not available; the pure-Python core will be used", file=sys.stderr)
        return []
    from setuptools import Extension

    exts = [
        Extension(f"pygotchi.emu.{name}", [f"pygotchi/emu/{name}.py"],
                  extra_compile_args=["-O3"] if sys.platform != "win32" else [],
                  optional=True)
        for name in COMPILED
    ]
    return cythonize(
        exts,
        language_level=3,
        compiler_directives={
            "boundscheck": False, "wraparound": False, "cdivision": True,
            "initializedcheck": False, "nonecheck": False, "overflowcheck": False,
            "infer_types": True, "embedsignature": False,
            "annotation_typing": False,  # types come from the .pxd files only
        },
        quiet=True,
    )


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
