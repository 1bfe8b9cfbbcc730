"""Writing images safely: the file appears complete or not at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ..atomic import atomic_path


def save_png_atomic(img: np.ndarray, path: Path | str, compress_level: int = 6) -> Path:
    """Write an RGB(A) uint8 array as PNG via a temp file in the same folder + rename.

    `compress_level` is zlib's 0-9 (PIL's default 6); 1 writes a full-HD window grab about
    three times faster for a file ~10 % larger."""
    with atomic_path(path) as tmp:
        Image.fromarray(np.ascontiguousarray(img, dtype=np.uint8)).save(
            tmp, format="PNG", compress_level=compress_level
        )
    return Path(path)
