"""Benchmark: the MVD plan's routing and decompression check per drag move (not a test).

Run: .venv/bin/python scripts/benchmarks/bench_decompression.py [--repeats 80]

Prints median times (ms) of the non-GL work of one move while a pad is dragged, on the vertebral
sling rehearsal plus a second pad (two pads and a sling):
  - "analysis without a plan": analyze() of the same vessels with no pads or slings, one vessel
    moved a little every call (the baseline drag of a vessel);
  - "routing alone": decompression.route() with the dragged pad at a new place every call;
  - "analysis + routing": analyze() of the plan (routing, the after and before analyses, the pad
    contacts and warnings) with the dragged pad at a new place every call;
  - "scene state": SceneModel.evaluate() of the plan (the above plus the CN VII deformation).
Budget: <= 8 ms per move (the drag's non-GL share).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from viewer import decompression  # noqa: E402
from viewer.analysis import analyze  # noqa: E402
from viewer.anatomy import build_anatomy  # noqa: E402
from viewer.presets import load_preset  # noqa: E402
from viewer.scenario import Pad  # noqa: E402
from viewer.scene_model import SceneModel  # noqa: E402

BUDGET_MS = 8.0


def plan():
    """Two pads and a sling: the vertebral sling rehearsal plus a pad lifting the AICA off the nerve's course."""
    s = load_preset("mvd-vertebral-sling")
    aica = s.vessel("aica").course_mm
    p = aica[len(aica) // 2]
    return s.with_pad(Pad("pad2", tuple(p + [0.0, 0.0, -1.2]), (0.8, 2.0, 2.0)))


def timed(fn, n: int) -> list[float]:
    out = []
    for k in range(n):
        t0 = time.perf_counter()
        fn(k)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=80)
    args = ap.parse_args()
    n = args.repeats
    a = build_anatomy()
    s = plan()
    base = decompression.without_plan(s)
    pad = s.pad("pad")
    rng = np.random.default_rng(3)
    offsets = rng.normal(scale=0.05, size=(3 * n + 3, 3))  # a drag: small steps, each to a new place

    def dragged(k: int):
        return s.with_pad(Pad(pad.id, tuple(np.asarray(pad.center_mm) + offsets[k]), pad.radii_mm, pad.axes))

    aica = base.vessel("aica")
    analyze(s, a)  # warm the per-vessel caches of everything that does not move
    analyze(base, a)
    model = SceneModel(a, s)
    _ = model.state
    baseline = timed(lambda k: analyze(base.with_vessel(aica.moved(offsets[k] * 0.1)), a), n)
    routing = timed(lambda k: decompression.route(dragged(n + k), a), n)
    full = timed(lambda k: analyze(dragged(2 * n + k), a), n)
    offsets[:] = rng.normal(scale=0.05, size=offsets.shape)
    state = timed(lambda k: model.evaluate(dragged(k)), n)
    f = analyze(s, a)
    print(f"plan: {len(s.pads)} pads, {len(s.slings)} sling; status {f.decompression['status']}")
    for name, t in (
        ("analysis without a plan", baseline),
        ("routing alone", routing),
        ("analysis + routing", full),
        ("scene state (+ deformation)", state),
    ):
        print(f"{name + ', median':32s} {statistics.median(t):8.2f} ms  (max {max(t):.2f}, n={len(t)})")
    print(f"{'budget per move':32s} {BUDGET_MS:8.2f} ms")


if __name__ == "__main__":
    main()
