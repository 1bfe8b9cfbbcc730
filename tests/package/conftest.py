"""Smoke tests of the frozen build (dist/hfs-viewer, made by `make package`).

Every test here is marked `package`. They run only when selected with `-m package` (a plain
`pytest` skips them, with the reason, whether dist/ exists or not), and are skipped when the build
is absent. CI builds the package and then runs `pytest tests/package -m package` (see .ci/run).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dist" / "hfs-viewer"
EXE = APP / ("hfs-viewer.exe" if sys.platform == "win32" else "hfs-viewer")
SOURCE = [sys.executable, "-m", "viewer"]  # the source install, as the `hfs-viewer` console script runs it
MISSING = f"no frozen build at {EXE.relative_to(ROOT)}: run `make package` first"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    selected = "package" in (config.getoption("markexpr", "") or "")
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.package)
            if not selected:  # a plain `pytest` never runs them, dist/ or not
                item.add_marker(
                    pytest.mark.skip(reason="frozen-build smoke test: run `pytest tests/package -m package`")
                )
            elif not EXE.is_file():
                item.add_marker(pytest.mark.skip(reason=MISSING))


def run(
    cmd: list[str], *, timeout: float = 180, env: dict | None = None, stdin: bytes | None = None, check: bool = True
) -> subprocess.CompletedProcess:
    """Run a command (bytes out); on failure the message carries the command and its stderr."""
    out = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env or os.environ.copy(), input=stdin)
    if check and out.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} exited {out.returncode}:\n"
            f"{out.stdout.decode(errors='replace')[-1500:]}\n{out.stderr.decode(errors='replace')[-3000:]}"
        )
    return out


@pytest.fixture(scope="session")
def frozen() -> list[str]:
    return [str(EXE)]


@pytest.fixture(scope="session")
def source() -> list[str]:
    return list(SOURCE)


@pytest.fixture(scope="session")
def display():
    """An X server for the GUI runs (pytest-xvfb started one when DISPLAY was unset)."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        pytest.skip("no DISPLAY (pytest-xvfb starts Xvfb when it is installed; or run under xvfb-run)")
    return os.environ["DISPLAY"] if sys.platform.startswith("linux") else None
