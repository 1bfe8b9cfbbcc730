"""Benchmark: the mechanism animation model (viewer.mechanism_anim), pure core, no display (not a test).

Run: .venv/bin/python scripts/benchmarks/bench_mechanism.py [--repeats 50]

Prints the median time to build a plan (`build_mechanism_plan`) and to evaluate one frame
(`MechanismPlan.state_at`, over one loop) for one preset of each plan mode. The
lecture-hall budget: a plan is rebuilt after an edit (a few ms is fine) and `state_at` runs
every frame of the animation (it should stay far below a frame, ~0.1 ms).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from viewer.analysis import analyze
from viewer.anatomy import build_anatomy
from viewer.mechanism_anim import build_mechanism_plan
from viewer.presets import load_preset

# one preset per plan mode: chain (artery, vein, lesion), peripheral, central, synkinesis, none
PRESETS = (
    "aica-attached-segment",
    "venous-compression",
    "vestibular-schwannoma",
    "distal-cisternal-aica",
    "brainstem-ms-plaque",
    "post-bells-palsy",
    "idiopathic",
)


def median_ms(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=50)
    args = ap.parse_args()
    anatomy = build_anatomy()
    print(f"mechanism plans: median of {args.repeats} builds, state_at over 400 times in one loop")
    for name in PRESETS:
        f = analyze(load_preset(name), anatomy)
        build_mechanism_plan(f, anatomy)  # warm-up
        build = median_ms(lambda f=f: build_mechanism_plan(f, anatomy), args.repeats)
        plan = build_mechanism_plan(f, anatomy)
        ts = np.linspace(0.0, plan.period_s, 400, endpoint=False)
        per = []
        for t in ts:
            t0 = time.perf_counter()
            plan.state_at(t)
            per.append(time.perf_counter() - t0)
        state = 1e3 * statistics.median(per)
        print(f"  {name:24s} {plan.mode:11s} build {build:6.2f} ms   state_at {state:6.3f} ms")


if __name__ == "__main__":
    main()
