"""Atomic file output (pure core): a file appears complete, or not at all.

`atomic_path(target)` yields a temp file name in the target's folder; the caller
writes it by any means (PIL, ffmpeg, Qt's PDF writer, json); on a normal exit the
temp file is fsynced, given normal permissions (mkstemp makes 0600) and renamed
over the target; on any exception (including a cancel) it is removed and an
existing target is left untouched. `scenario.save_scenario` keeps its own version
because it also preserves the mode of the file it replaces.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "write_text_atomic"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(target: Path | str, suffix: str = ".tmp"):
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=parent)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(target: Path | str, text: str) -> Path:
    with atomic_path(target) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return Path(target)
