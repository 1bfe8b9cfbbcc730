"""Start-up benchmark: `hfs-viewer --screenshot OUT.png` as a whole process, start to exit, and its peak RSS.

Compared with a floor measured in the same run: scripts/benchmarks/startup_floor.py, a
QMainWindow + QtInteractor with one sphere that renders, grabs the window to a PNG and
exits. Each is run N times as a fresh process, interleaved so that machine noise hits
both alike; medians are printed, the last line as

    start: APP s vs floor FLOOR s; rss APP MB vs floor FLOOR MB

Peak RSS is the child's own (wait4). Needs an X server: the script starts one with
xvfb-run when DISPLAY is unset.

    python scripts/benchmarks/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _display import relaunch_under_xvfb  # noqa: E402

TARGET_S, TARGET_MB = 0.8, 100  # at most this much over the floor


def run_once(cmd: list[str], out_png: Path) -> tuple[float, float]:
    """Wall time from spawn to exit (s) and peak RSS (MB) of one process that must write out_png."""
    out_png.unlink(missing_ok=True)
    with tempfile.TemporaryFile() as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen([*cmd, str(out_png)], stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0 or not out_png.is_file():
            log.seek(0)
            raise RuntimeError(f"{cmd} failed ({proc.returncode}):\n{log.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    status = relaunch_under_xvfb(__file__)
    if status is not None:
        return status
    floor_cmd = [sys.executable, str(HERE / "startup_floor.py")]
    app_cmd = [sys.executable, "-m", "viewer", "--screenshot"]  # what the hfs-viewer script runs
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "window.png"
        run_once(floor_cmd, png), run_once(app_cmd, png)  # warm the file cache
        floor, app = [], []
        for _ in range(args.runs):
            floor.append(run_once(floor_cmd, png))
            app.append(run_once(app_cmd, png))
    f_t = statistics.median(t for t, _ in floor)
    f_m = statistics.median(m for _, m in floor)
    a_t = statistics.median(t for t, _ in app)
    a_m = statistics.median(m for _, m in app)
    print(f"runs: {args.runs} each, interleaved; medians; floor: QtInteractor + one sphere, render, grab, exit")
    print(
        f"app runs (s): {' '.join(f'{t:.2f}' for t, _ in app)}; floor runs (s): {' '.join(f'{t:.2f}' for t, _ in floor)}"
    )
    ok = a_t <= f_t + TARGET_S and a_m <= f_m + TARGET_MB
    print(
        f"overhead: +{a_t - f_t:.2f} s ({a_t / f_t:.2f}x), +{a_m - f_m:.0f} MB ({a_m / f_m:.2f}x); "
        f"target <= floor + {TARGET_S} s and + {TARGET_MB} MB: {'met' if ok else 'NOT met'}"
    )
    print(f"start: {a_t:.2f} s vs floor {f_t:.2f} s; rss {a_m:.0f} MB vs floor {f_m:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
