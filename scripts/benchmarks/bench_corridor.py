"""Benchmark: REZ visibility recomputation per retraction step and per vessel move (not a test).

Run: .venv/bin/python scripts/benchmarks/bench_corridor.py [--repeats 60]

Prints median times (ms) of the non-GL work one slider step or one drag move costs:
  - "retraction step": a new retraction value (0-10 mm, never seen before, so nothing is cached)
    with the default vessels: the cerebellum/flocculus re-trace plus the choroid plexus;
  - "vessel move": the AICA shifted by a new offset each call (what a drag does), at 4 mm;
  - "set-up": building the visibility model of an anatomy (once per anatomy, not per move).
Budget: <= 8 ms per move (the drag's non-GL share).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from viewer.corridor import CorridorVisibility  # noqa: E402
from viewer.scenario import default_scenario  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=60)
    args = ap.parse_args()
    sc = default_scenario()
    t0 = time.perf_counter()
    vis = CorridorVisibility()
    setup = (time.perf_counter() - t0) * 1000
    vis.fraction(0.0, sc.vessels)  # warm the vessel cache
    rng = np.random.default_rng(1)
    steps = []
    for r in rng.uniform(0.0, 10.0, args.repeats):
        t = time.perf_counter()
        vis.fraction(float(r), sc.vessels)
        steps.append((time.perf_counter() - t) * 1000)
    aica = next(v for v in sc.vessels if v.role == "aica")
    others = [v for v in sc.vessels if v is not aica]
    vis.fraction(4.0, sc.vessels)
    moves = []
    for k in range(args.repeats):
        moved = replace(aica, centerline_mm=aica.handles_mm + [0.0, 0.0, 0.01 * (k + 1)])
        t = time.perf_counter()
        vis.fraction(4.0, others + [moved])
        moves.append((time.perf_counter() - t) * 1000)
    print(f"set-up (once per anatomy)      {setup:8.1f} ms")
    print(f"retraction step, median        {statistics.median(steps):8.2f} ms  (max {max(steps):.2f}, n={len(steps)})")
    print(f"vessel move, median            {statistics.median(moves):8.2f} ms  (max {max(moves):.2f}, n={len(moves)})")
    print("budget per move                    8.00 ms")


if __name__ == "__main__":
    main()
