"""pygotchi's built-in demo ROM: "Sprout", an original program for the E0C6S46.

The source is ``demo.asm`` (E0C6200 assembly, commented as a tutorial), built
with pygotchi's own assembler; its pictures come from ``art.py``. Nothing in it
comes from a Bandai ROM, so it can ship with pygotchi and run in tests.

    from pygotchi.demo import demo_rom_bytes, DEMO_NAME
    machine = Machine(demo_rom_bytes())   # identified as a generic E0C6S46
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pygotchi.emu.asm import assemble
from pygotchi.emu.rom import S46_WORDS, words_to_rombin

DEMO_NAME = "pygotchi demo"
SOURCE_PATH = Path(__file__).with_name("demo.asm")

__all__ = ["DEMO_NAME", "SOURCE_PATH", "demo_rom_bytes", "demo_source"]


def demo_source() -> str:
    """The assembly source of the demo ROM."""
    return SOURCE_PATH.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def demo_rom_bytes() -> bytes:
    """The demo as a 6,144-word ``rom.bin`` image (12,288 bytes), assembled once."""
    program = assemble(demo_source(), SOURCE_PATH.name)
    return words_to_rombin(program.image(S46_WORDS))
