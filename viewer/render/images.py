"""Writing images safely: the file appears complete or not at all."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save_png_atomic(img: np.ndarray, path: Path | str) -> Path:
    """Write an RGB(A) uint8 array as PNG via a temp file in the same folder + rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            Image.fromarray(np.ascontiguousarray(img, dtype=np.uint8)).save(fh, format="PNG")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a saved image gets normal permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
