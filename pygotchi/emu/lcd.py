"""From display RAM to the 32x16 dot matrix and the 8 icons.

Each display nibble drives four COM lines of one SEG line: nibble ``0xE00 +
2*seg`` holds COM 0-3 (bit 0 = COM 0, the top row), ``0xE01 + 2*seg`` COM 4-7,
and the same at 0xE80 for COM 8-15. The glass decides which SEG is which
column: the P1/P2/Angel glass (TamaLIB's ``seg_pos``) puts SEG 0-7 at x 0-7,
SEG 9-16 at x 8-15, SEG 20-27 at x 31 down to 24 and SEG 29-36 at x 23 down to
16; SEG 8 and 28 drive icons. The screen is a pure function of display RAM.

Frame format (what the server sends, 65 bytes): 16 rows of 4 bytes, row 0
first, the leftmost pixel in the top bit of a row's first byte; then one byte
with icon ``i`` in bit ``i``.
"""

from __future__ import annotations

import functools

DISPLAY1 = 0xE00
DISPLAY2 = 0xE80

WIDTH = 32
HEIGHT = 16
FRAME_BYTES = WIDTH * HEIGHT // 8 + 1

# SEG -> screen column on the P1 glass; -1: no pixel (icons or unused).
SEG_TO_X = tuple(
    [
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        -1,
        8,
        9,
        10,
        11,
        12,
        13,
        14,
        15,
        -1,
        -1,
        -1,
        31,
        30,
        29,
        28,
        27,
        26,
        25,
        24,
        -1,
        23,
        22,
        21,
        20,
        19,
        18,
        17,
        16,
    ]
    + [-1] * 14
)


def _nibble(seg: int, com: int) -> tuple[int, int]:
    """Display RAM address and bit of (seg, com)."""
    base = DISPLAY2 if com >= 8 else DISPLAY1
    return base + 2 * seg + ((com >> 2) & 1), com & 3


def _columns(seg_to_x) -> tuple[tuple[int, ...], ...]:
    """For each column x, the 4 display addresses (COM 0-3, 4-7, 8-11, 12-15)."""
    cols: list[tuple[int, ...]] = [()] * WIDTH
    for seg, x in enumerate(seg_to_x):
        if x >= 0:
            cols[x] = (
                DISPLAY1 + 2 * seg,
                DISPLAY1 + 2 * seg + 1,
                DISPLAY2 + 2 * seg,
                DISPLAY2 + 2 * seg + 1,
            )
    return tuple(cols)


_P1_COLUMNS = _columns(SEG_TO_X)


# The Yasashii Tamagotchi's glass (from the segment layout of BrickEmuPy's
# face drawing): all 32 used SEGs are dots, turned half a circle against the P1:
# SEG 0-15 are x 31 down to 16, SEG 16-31 are x 0-15, and COM 0 is the bottom row.
YASASHII_SEG_TO_X = tuple([31 - s for s in range(16)] + list(range(16)) + [-1] * 19)


class Glass:
    """A model's LCD wiring: which display bits are which pixel and icon."""

    def __init__(self, icon_map, seg_to_x=None, flip_y: bool = False) -> None:
        seg_to_x = SEG_TO_X if seg_to_x is None else seg_to_x
        self.columns = _P1_COLUMNS if seg_to_x == SEG_TO_X else _columns(seg_to_x)
        self.flip_y = flip_y
        self.icons = tuple(tuple(_nibble(seg, com) for seg, com in spots) for spots in icon_map)

    def rows(self, mem) -> list[int]:
        """16 ints, one per row, bit 31 = column 0."""
        rows = [0] * HEIGHT
        for x, addrs in enumerate(self.columns):
            if not addrs:
                continue
            bit = 1 << (31 - x)
            for quarter, addr in enumerate(addrs):
                nib = mem[addr]
                if nib:
                    y = quarter * 4
                    for b in range(4):
                        if nib & (1 << b):
                            rows[y + b] |= bit
        if self.flip_y:
            rows.reverse()
        return rows

    def icon_bits(self, mem) -> int:
        bits = 0
        for i, spots in enumerate(self.icons):
            for addr, b in spots:
                if mem[addr] & (1 << b):
                    bits |= 1 << i
                    break
        return bits

    def icon_lit(self, mem, index: int) -> bool:
        """Whether icon ``index`` is lit: one or two nibble reads, no frame built."""
        for addr, b in self.icons[index]:
            if mem[addr] & (1 << b):
                return True
        return False

    def frame(self, mem) -> bytes:
        """The 65-byte frame: 64 bytes of pixels, then the icon byte."""
        out = bytearray()
        for row in self.rows(mem):
            out += row.to_bytes(4, "big")
        out.append(self.icon_bits(mem))
        return bytes(out)


@functools.cache
def glass_for(icon_map, seg_to_x=None, flip_y: bool = False) -> Glass:
    """One Glass per wiring, shared by every machine of that model."""
    return Glass(icon_map, seg_to_x, flip_y)


def frame_to_text(frame: bytes, on: str = "#", off: str = ".") -> list[str]:
    """Rows of characters, for traces and debugging."""
    lines = []
    for y in range(HEIGHT):
        row = int.from_bytes(frame[4 * y : 4 * y + 4], "big")
        lines.append("".join(on if row & (1 << (31 - x)) else off for x in range(WIDTH)))
    return lines
