"""Is the menu bar of a window grab drawn with real glyphs, or with boxes ("tofu")?

Without a usable font Qt draws every character as the same hollow rectangle. Real text has many
differently shaped glyphs (F, i, l, e, E, d, t, ...), boxes have one or two shapes (a box, a box
with the mnemonic underline). So: find the menu bar's text line at the top of the grab, split it
into connected ink components and count the distinct component bitmaps.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage


def menu_text_line(gray: np.ndarray, width: int = 700, max_rows: int = 80) -> np.ndarray:
    """The first run of rows with ink at the top of a grab (the menu bar titles)."""
    strip = gray[:max_rows, :width].astype(int)
    bg = int(np.median(strip))
    ink = np.abs(strip - bg) > 80
    rows = ink.sum(axis=1) > 0
    start = int(np.argmax(rows)) if rows.any() else 0
    end, blank = start, 0
    for y in range(start, max_rows):
        if rows[y]:
            end, blank = y + 1, 0
        else:
            blank += 1
            if blank >= 3:  # the gap between the menu bar and the toolbar
                break
    return ink[start:end]


def distinct_glyph_shapes(png: Path | str) -> int:
    gray = np.asarray(Image.open(png).convert("L"))
    line = menu_text_line(gray)
    labels, _ = ndimage.label(line, structure=np.ones((3, 3), bool))
    shapes = set()
    for idx, sl in enumerate(ndimage.find_objects(labels), start=1):
        comp = labels[sl] == idx
        if comp.sum() >= 3:
            shapes.add((comp.shape, comp.tobytes()))
    return len(shapes)
