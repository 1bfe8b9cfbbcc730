"""Start-up of the frozen build against the source install: process start -> first frame on screen.

The frozen executable cannot run injected code, so both are timed the same way from outside:
`hfs-viewer --screenshot OUT.png` prints its "wrote ..." line as soon as the 3D view has drawn its
first frame and the window grab is saved; the time to that line (not to process exit) is the
start-to-first-frame figure, grab and PNG write included. Runs are interleaved (machine noise hits
both alike), the first of each is a warm-up; medians are printed. Also times `analyze` (no VTK/Qt).

    python packaging/bench_frozen_startup.py [--runs 7]      (after `make package`)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "benchmarks"))
from _display import relaunch_under_xvfb  # noqa: E402

EXE = ROOT / "dist" / "hfs-viewer" / "hfs-viewer"


def first_frame(cmd: list[str], out: Path) -> float:
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd + ["--screenshot", str(out), "--size", "1600x1000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in proc.stdout:
        if line.startswith("wrote "):
            t = time.perf_counter() - t0
            break
    else:
        raise RuntimeError(f"{cmd} printed no 'wrote' line:\n{proc.stderr.read()[-2000:]}")
    proc.communicate(timeout=60)
    return t


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if not EXE.is_file():
        print(f"{EXE} missing: run `make package` first", file=sys.stderr)
        return 2
    status = relaunch_under_xvfb(__file__)
    if status is not None:
        return status
    source = [str(Path(sys.executable).with_name("hfs-viewer"))]
    frozen = [str(EXE)]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "w.png"
        scen = Path(tmp) / "s.json"
        scen.write_text(
            json.dumps(
                json.loads(subprocess.run(source + ["anatomy", "--json"], check=True, capture_output=True).stdout)[
                    "default_scenario"
                ]
            )
        )
        first_frame(source, out), first_frame(frozen, out)  # warm the file cache
        res = {"source": [], "frozen": [], "source_analyze": [], "frozen_analyze": []}
        for _ in range(args.runs):
            res["source"].append(first_frame(source, out))
            res["frozen"].append(first_frame(frozen, out))
            res["source_analyze"].append(wall(source + ["analyze", str(scen), "--json"]))
            res["frozen_analyze"].append(wall(frozen + ["analyze", str(scen), "--json"]))
    med = {k: statistics.median(v) for k, v in res.items()}
    print(f"runs: {args.runs} each, interleaved; medians (min-max)")
    for k in res:
        print(f"{k:15s} {med[k]:.2f} s ({min(res[k]):.2f}-{max(res[k]):.2f})")
    print(f"frozen/source first frame: {med['frozen'] / med['source']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
