"""Shared by the GUI benchmarks: make sure an X server is there (QtInteractor needs one)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def relaunch_under_xvfb(script: str) -> int | None:
    """None when DISPLAY is set (carry on); else the exit status of `script` re-run under xvfb-run."""
    if os.environ.get("DISPLAY"):
        return None
    if not shutil.which("xvfb-run"):
        print("needs an X server (install xvfb)", file=sys.stderr)
        return 2
    return subprocess.call(["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, script, *sys.argv[1:]])
