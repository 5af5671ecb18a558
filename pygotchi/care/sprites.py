"""Pictures the carer looks for on the 32x16 dot matrix, and how it finds them.

Every picture here was read off the P1's own screen, running the real ROM in
this emulator (``python -m pygotchi screenshot --load-state ...`` and a frame
dump of the same moments): droppings, the skull of a sick pet, the "Z" of a
sleeping one, the ghost that ends a life, the hearts of the status pages, the
arrow of the menus. The P2 shares the P1's glass and menus (its characters
differ, these pictures do not). They are this project's transcription of what
the toy shows, not code from anywhere.

A sprite is rows of ``#`` (dot on), ``.`` (dot off) and ``?`` (either), and
matches where all its ``#`` dots are on and all its ``.`` dots are off.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 32
HEIGHT = 16
FULL_ROW = (1 << WIDTH) - 1


def frame_rows(frame: bytes) -> tuple[int, ...]:
    """The 16 rows of a 65-byte LCD frame as ints, bit 31 = column 0."""
    return tuple(int.from_bytes(frame[4 * y : 4 * y + 4], "big") for y in range(HEIGHT))


def rows_from_text(lines: list[str] | tuple[str, ...]) -> tuple[int, ...]:
    """Rows from 16 lines of 32 ``#``/``.``: how the tests draw screens."""
    if len(lines) != HEIGHT or any(len(line) != WIDTH for line in lines):
        raise ValueError("a screen is 16 lines of 32 characters")
    return tuple(int(line.replace("#", "1").replace(".", "0"), 2) for line in lines)


@dataclass(frozen=True)
class Sprite:
    name: str
    art: tuple[str, ...]

    @property
    def width(self) -> int:
        return len(self.art[0])

    @property
    def height(self) -> int:
        return len(self.art)

    def _masks(self) -> tuple[tuple[int, int], ...]:
        out = []
        for line in self.art:
            on = int(line.replace("#", "1").replace(".", "0").replace("?", "0"), 2)
            off = int(line.replace(".", "1").replace("#", "0").replace("?", "0"), 2)
            out.append((on, off))
        return tuple(out)

    def at(self, rows: tuple[int, ...], x: int, y: int) -> bool:
        """Whether the sprite is drawn with its top-left corner at (x, y)."""
        shift = WIDTH - x - self.width
        if shift < 0 or x < 0 or y < 0 or y + self.height > HEIGHT:
            return False
        span = (1 << self.width) - 1
        for k, (on, off) in enumerate(_MASKS[self]):
            r = (rows[y + k] >> shift) & span
            if r & on != on or r & off:
                return False
        return True

    def find(self, rows: tuple[int, ...]) -> list[tuple[int, int]]:
        """Every place the sprite is drawn, top-left corners, row by row."""
        hits = []
        masks = _MASKS[self]
        on0, off0 = masks[0]
        span = (1 << self.width) - 1
        for y in range(HEIGHT - self.height + 1):
            row = rows[y]
            if not row and on0:
                continue
            for x in range(WIDTH - self.width + 1):
                r = (row >> (WIDTH - x - self.width)) & span
                if r & on0 == on0 and not r & off0 and self.at(rows, x, y):
                    hits.append((x, y))
        return hits


class _MaskCache(dict):
    def __missing__(self, sprite: Sprite):
        masks = sprite._masks()
        self[sprite] = masks
        return masks


_MASKS: dict[Sprite, tuple[tuple[int, int], ...]] = _MaskCache()


# --- the pet's surroundings (idle screen) ------------------------------------------

# A dropping: the body only; its stink lines wave from frame to frame.
DROPPING = Sprite("dropping", (
    "...##...",
    "..##.#..",
    ".??????.",
    ".######.",
))

# The skull that floats beside a sick pet.
SKULL = Sprite("skull", (
    ".#####.",
    "#######",
    "#..#..#",
    "#######",
    "###.###",
    ".#####.",
    ".#.#.#.",
))

# The ghost with its halo: the last picture of a life, beside twinkling stars.
GHOST = Sprite("ghost", (
    ".....###........",
    "....#####.......",
    "...#.#...#......",
    "..#...#...#.....",
    "..#.#...#.#.....",
    ".##.......###...",
    "#.#..##...#..#..",
    "#..#.....#...#..",
    "#...#####....#..",
    "#.###....###.#..",
    ".#..#.....#.#...",
    ".....#...##.....",
    "......###.#.....",
    "........#.......",
))

# The egg, in its two wobbles (before hatching, and while the clock is unset).
EGG = (
    Sprite("egg", (
        "....##....",
        "..######..",
        ".#.####.#.",
        "#..####..#",
    )),
    Sprite("egg", (
        "...####...",
        "..#.####..",
        ".#..##.##.",
        ".#.###..#.",
    )),
)

# The lower half of the clock screen while the clock waits to be set ("SET").
CLOCK_SET = Sprite("clock-set", (
    ".##..###.###",
    "#..#.#....#.",
    "#....#....#.",
    ".##..###..#.",
))

# --- menus -------------------------------------------------------------------------

# The arrow in front of the chosen line of a two-line menu (meal/snack, on/off).
ARROW = Sprite("arrow", (
    "..#...",
    "..##..",
    "#####.",
    "######",
    "#####.",
    "..##..",
    "..#...",
))

# The left/right game: the guess, an arrow beside the pet (A: pointing left, at the left).
GUESS_LEFT = Sprite("guess-left", (
    "...#...",
    "..##...",
    ".#####.",
    "######.",
    ".#####.",
    "..##...",
    "...#...",
))
GUESS_RIGHT = Sprite("guess-right", tuple(line[::-1] for line in GUESS_LEFT.art))

# --- the status pages --------------------------------------------------------------

HEART_FULL = Sprite("heart-full", (
    ".##.##.",
    "#.#####",
    "#.#####",
    "#######",
    ".#####.",
    "..###..",
    "...#...",
))
HEART_EMPTY = Sprite("heart-empty", (
    ".##.##.",
    "#..#..#",
    "#.....#",
    "#.....#",
    ".#...#.",
    "..#.#..",
    "...#...",
))
HUNGRY_TITLE = Sprite("hungry", (
    "#..#............................",
    "#..#............................",
    "#..#.#.#.###.###.#.#.#.#........",
    "####.#.#.#.#.#.#.##..#.#........",
    "#..#.#.#.#.#.#.#.#...#.#........",
    "#..#.#.#.#.#.###.#....##........",
    "#..#.###.#.#...#.#.....#........",
    ".............###.....##.........",
))
HAPPY_TITLE = Sprite("happy", (
    ".#..#...........................",
    ".#..#...........................",
    ".#..#..###..###.###.#.#.........",
    ".####....#..#.#.#.#.#.#.........",
    ".#..#.####..#.#.#.#.#.#.........",
    ".#..#.#..#..###.###..##.........",
    ".#..#..##.#.#...#.....#.........",
    "............#...#...##..........",
))
# The discipline page: its title, and the bar below it (rows 9-14).
DISCIPLINE_TITLE = Sprite("discipline", (
    ".###................#...........",
    ".#..#...............#...........",
    ".#..#.#.##.##.#.###.#.#.###.###.",
    ".#..#...#..#....#.#.#...#.#.#.#.",
    ".#..#.#.##.#..#.#.#.#.#.#.#.###.",
    ".#..#.#..#.#..#.###.#.#.#.#.#...",
    ".###..#.##.##.#.#...#.#.#.#.###.",
))

# The "Z"s that float over a sleeping pet, in their two positions.
ZZZ = (
    Sprite("z", (
        "......",
        ".####.",
        "....#.",
        "...#..",
        "..#...",
        ".#....",
        ".####.",
        "......",
    )),
    Sprite("z", (
        "..###.",
        "....#.",
        "...#..",
        "..#...",
        "#.###.",
    )),
)
