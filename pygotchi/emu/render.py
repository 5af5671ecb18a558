"""Pictures of the LCD: a PNG with the dot matrix and the eight icons.

The icon glyphs are pygotchi's own 11x11 pixel art (top row: food, light,
game, medicine; bottom row: toilet, status, discipline, attention on the P1),
drawn for this project. Off pixels are drawn faintly, as on the real glass.
"""

from __future__ import annotations

import io

from pygotchi.emu.lcd import HEIGHT, WIDTH

# 11x11 glyphs, '#' = on. Order = icon bit order on the P1 glass.
ICON_GLYPHS: tuple[tuple[str, ...], ...] = (
    (  # food: fork and knife
        "..#.#.#..#.", "..#.#.#.##.", "..#.#.#.##.", "..#####.##.", "...###..##.",
        "....#...##.", "....#....#.", "....#....#.", "....#....#.", "....#....#.", "...........",
    ),
    (  # light: bulb
        "....###....", "...#...#...", "..#.....#..", "..#.....#..", "..#.....#..",
        "...#...#...", "....###....", "....###....", "....###....", ".....#.....", "...........",
    ),
    (  # game: bat and ball
        ".........#.", "........###", ".......###.", "......###..", ".....###...",
        "....###....", "...###.....", "..###......", ".#.........", "#....###...", ".....###...",
    ),
    (  # medicine: syringe
        "........#..", ".......###.", "......#.#..", ".....#.#...", "....#.#....",
        "...#.#.....", "..###......", ".###.......", "#..........", "...........", "...........",
    ),
    (  # toilet: duck
        "...........", "...###.....", "..#.#.#....", "..#####.##.", "...###..#..",
        "..######...", ".#......#..", ".#......#..", "..######...", "...........", "...........",
    ),
    (  # status: meter
        "...........", "#.........#", "#.........#", "#...#.....#", "#..###....#",
        "#.#####...#", "###########", "...........", ".#.#.#.#.#.", "...........", "...........",
    ),
    (  # discipline: raised hand
        "...#.#.....", "..##.##.#..", "..##.##.##.", "..######.#.", "..#######..",
        "..######...", "...#####...", "....####...", "....####...", "...........", "...........",
    ),
    (  # attention: face with exclamation
        "..#######..", ".#.......#.", "#..#...#..#", "#.........#", "#...###...#",
        ".#.......#.", "..#######..", "...........", ".....#.....", ".....#.....", "...........",
    ),
)

LCD_ON = (26, 30, 32)
LCD_OFF = (182, 193, 171)
BACKGROUND = (196, 207, 184)


def screenshot_png(frame: bytes, scale: int = 8) -> bytes:
    """PNG bytes of a 65-byte frame: icons 0-3 above the matrix, 4-7 below."""
    from PIL import Image, ImageDraw

    scale = max(1, min(int(scale), 64))
    glyph = len(ICON_GLYPHS[0])
    icon_band = glyph + 4  # pixels in matrix units, before scaling
    unit = max(1, scale // 2)  # icon pixels are half a dot
    width = WIDTH * scale + 2 * scale
    band = icon_band * unit
    height = HEIGHT * scale + 2 * band + 2 * scale
    img = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(img)
    icons = frame[64]
    slot = width // 4
    for i, art in enumerate(ICON_GLYPHS):
        color = LCD_ON if icons & (1 << i) else LCD_OFF
        ox = (i % 4) * slot + (slot - glyph * unit) // 2
        oy = scale + 2 * unit if i < 4 else height - band - scale + 2 * unit
        for y, row in enumerate(art):
            for x, ch in enumerate(row):
                if ch == "#":
                    draw.rectangle([ox + x * unit, oy + y * unit,
                                    ox + (x + 1) * unit - 1, oy + (y + 1) * unit - 1], fill=color)
    top = scale + band
    gap = 1 if scale >= 4 else 0
    for y in range(HEIGHT):
        row = int.from_bytes(frame[4 * y : 4 * y + 4], "big")
        for x in range(WIDTH):
            color = LCD_ON if row & (1 << (31 - x)) else LCD_OFF
            x0 = scale + x * scale
            y0 = top + y * scale
            draw.rectangle([x0, y0, x0 + scale - 1 - gap, y0 + scale - 1 - gap], fill=color)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
