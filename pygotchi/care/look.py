"""What a person sees when they glance at the toy: one LCD frame, read.

``look(frame)`` turns the 32x16 dots and the 8 icons into facts the rules
use: is a menu icon lit, is the pet calling, asleep, sick, are there
droppings, is the light off, is this a status page and how many hearts does
it show. It reads nothing but the frame, so the same code judges a frame from
the emulator, from the server's websocket, or one drawn by hand in a test.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pygotchi.care import sprites
from pygotchi.care.sprites import FULL_ROW, frame_rows

# Icon slots of the P1/P2 glass (pygotchi.emu.Model.icons names them per model).
P1_ICONS = ("food", "light", "game", "medicine", "toilet", "status", "discipline", "attention")

# More dots than this lit: the light is off (the P1 then shows the screen inverted).
DARK_DOTS = 400


@dataclass(frozen=True)
class Look:
    """Facts read from one frame. ``None`` means "this frame does not say"."""

    icons: int  # bit i = icon i lit
    selected: str | None  # the menu icon lit (not the attention icon)
    attention: bool
    dark: bool  # the light is off
    asleep: bool  # a "Z" floats on the screen
    sick: bool  # a skull beside the pet
    droppings: int
    dead: bool  # the ghost: the end of a life
    egg: bool
    clock_unset: bool  # the clock screen says SET
    page: str | None  # status page on screen: "hungry", "happy", "discipline"
    hearts: int | None  # filled hearts on a hungry/happy page
    discipline: int | None  # percent of the discipline bar filled
    arrow: int | None  # two-line menu: 0 = arrow on the top line, 1 = bottom line
    blank: bool = False  # nothing on the glass (the first instants after a reset)

    @property
    def idle(self) -> bool:
        """The plain pet screen: no menu icon lit, no status page."""
        return self.selected is None and self.page is None


def _dots(rows: tuple[int, ...]) -> int:
    return sum(bin(r).count("1") for r in rows)


def _hearts(rows: tuple[int, ...]) -> int | None:
    full = 0
    for k in range(4):
        if sprites.HEART_FULL.at(rows, 8 * k, 9):
            full += 1
        elif not sprites.HEART_EMPTY.at(rows, 8 * k, 9):
            return None
    return full


def _discipline_bar(rows: tuple[int, ...]) -> int | None:
    # The bar's frame spans x 1-31, rows 8-14; its fill grows from the left.
    inner = rows[11]
    filled = 0
    for x in range(2, 31):
        if inner & (1 << (31 - x)):
            filled += 1
    return round(100 * filled / 29)


@functools.lru_cache(maxsize=4096)
def look(frame: bytes, icon_names: tuple[str, ...] = P1_ICONS) -> Look:
    """Read one 65-byte frame (cached: the idle animations repeat a few frames)."""
    rows = frame_rows(frame)
    icons = frame[64] if len(frame) > 64 else 0
    attention_slot = icon_names.index("attention") if "attention" in icon_names else None
    selected = None
    for i, name in enumerate(icon_names):
        if i != attention_slot and icons & (1 << i):
            selected = name
            break
    attention = attention_slot is not None and bool(icons & (1 << attention_slot))
    dark = _dots(rows) > DARK_DOTS
    seen = tuple(FULL_ROW ^ r for r in rows) if dark else rows
    page = None
    hearts = discipline = None
    if sprites.HUNGRY_TITLE.at(rows, 0, 0):
        page, hearts = "hungry", _hearts(rows)
    elif sprites.HAPPY_TITLE.at(rows, 0, 0):
        page, hearts = "happy", _hearts(rows)
    elif sprites.DISCIPLINE_TITLE.at(rows, 0, 0):
        page, discipline = "discipline", _discipline_bar(rows)
    arrow = None
    if selected is not None and page is None:
        if sprites.ARROW.at(rows, 1, 1):
            arrow = 0
        elif sprites.ARROW.at(rows, 1, 9):
            arrow = 1
    idle = page is None and arrow is None
    return Look(
        icons=icons,
        selected=selected,
        attention=attention,
        dark=dark,
        asleep=idle and any(z.find(seen) for z in sprites.ZZZ),
        sick=idle and bool(sprites.SKULL.find(seen)),
        droppings=len(sprites.DROPPING.find(seen)) if idle else 0,
        dead=bool(sprites.GHOST.find(rows)),
        egg=any(e.find(rows) for e in sprites.EGG),
        clock_unset=bool(sprites.CLOCK_SET.find(rows)),
        page=page,
        hearts=hearts,
        discipline=discipline,
        arrow=arrow,
        blank=not any(rows) and not icons,
    )


__all__ = ["DARK_DOTS", "Look", "P1_ICONS", "look"]
