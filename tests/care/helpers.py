"""Screens drawn by hand, from the sprites the carer looks for."""

from __future__ import annotations

from pygotchi.care.look import P1_ICONS
from pygotchi.care.sprites import Sprite


def blank() -> list[list[str]]:
    return [["."] * 32 for _ in range(16)]


def draw(canvas: list[list[str]], sprite: Sprite, x: int, y: int) -> None:
    for dy, line in enumerate(sprite.art):
        for dx, ch in enumerate(line):
            if ch == "#":
                canvas[y + dy][x + dx] = "#"


def pet(canvas: list[list[str]], x: int = 10) -> None:
    """A stand-in pet: a ring of dots at the bottom of the screen."""
    for dx in range(8):
        canvas[10][x + dx] = canvas[15][x + dx] = "#"
    for dy in range(10, 16):
        canvas[dy][x] = canvas[dy][x + 7] = "#"


def frame(canvas: list[list[str]], *icons: str, dark: bool = False) -> bytes:
    out = bytearray()
    for row in canvas:
        bits = int("".join("1" if c == "#" else "0" for c in row), 2)
        if dark:
            bits ^= (1 << 32) - 1
        out += bits.to_bytes(4, "big")
    out.append(sum(1 << P1_ICONS.index(name) for name in icons))
    return bytes(out)
