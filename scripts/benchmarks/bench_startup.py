"""Start-up benchmark: process start -> first rendered frame of the GUI, and peak RSS.

Compares the full application window against a floor measured in the same run:
scripts/benchmarks/startup_floor.py (a QMainWindow + QtInteractor with one sphere). Each
is run N times as a fresh process; medians are printed. Needs an X server: the
script starts one with xvfb-run when DISPLAY is unset.

    python scripts/benchmarks/bench_startup.py [--runs 7]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _display import relaunch_under_xvfb  # noqa: E402

APP_CHILD = r"""
import resource, sys, time
from PySide6.QtCore import QTimer
from viewer.gui.app import _application
from viewer.gui.main_window import MainWindow
app = _application()
win = MainWindow(persist=False)
win.resize(1600, 1000)
done = []
def first_frame(*_):
    if not done:
        done.append(time.time())
        QTimer.singleShot(0, app.quit)
win.scene_view.plotter.render_window.AddObserver("EndEvent", first_frame)
win.show()
app.exec()
win.close()
print(f"FIRST_FRAME {done[0]:.6f}")
print(f"PEAK_RSS_KB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
"""


def run_once(cmd: list[str]) -> tuple[float, float]:
    t0 = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=os.environ.copy())
    if out.returncode != 0:
        raise RuntimeError(f"{cmd} failed:\n{out.stderr[-2000:]}")
    vals = dict(line.split()[:2] for line in out.stdout.splitlines() if line.startswith(("FIRST_FRAME", "PEAK_RSS_KB")))
    return float(vals["FIRST_FRAME"]) - t0, float(vals["PEAK_RSS_KB"]) / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    status = relaunch_under_xvfb(__file__)
    if status is not None:
        return status
    floor_cmd = [sys.executable, str(HERE / "startup_floor.py")]
    app_cmd = [sys.executable, "-c", APP_CHILD]
    run_once(floor_cmd), run_once(app_cmd)  # warm the file cache
    floor, app = [], []
    for _ in range(args.runs):  # interleaved, so machine noise hits both alike
        floor.append(run_once(floor_cmd))
        app.append(run_once(app_cmd))
    f_t = statistics.median(t for t, _ in floor)
    f_m = statistics.median(m for _, m in floor)
    a_t = statistics.median(t for t, _ in app)
    a_m = statistics.median(m for _, m in app)
    print(f"runs: {args.runs} each, interleaved; medians")
    print(f"floor (QtInteractor + one sphere): first frame {f_t:.2f} s, peak RSS {f_m:.0f} MB")
    print(f"hfs-viewer main window, full scene: first frame {a_t:.2f} s, peak RSS {a_m:.0f} MB")
    print(f"overhead: +{a_t - f_t:.2f} s ({a_t / f_t:.2f}x), +{a_m - f_m:.0f} MB ({a_m / f_m:.2f}x)")
    ok = a_t <= f_t + 0.8 and a_m <= f_m + 100
    print(f"target (<= floor + 0.8 s, <= floor + 100 MB): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
