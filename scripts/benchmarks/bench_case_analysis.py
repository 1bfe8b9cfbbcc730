"""Benchmark: the analysis on a patient case (not a test).

Run: .venv/bin/python scripts/benchmarks/bench_case_analysis.py [--runs 5] [--presets a,b,...]

For each preset (default: a few with one or more culprits), the model's CPA is voxelised like a
segmentation (0.4 x 0.4 x 0.7 mm, oblique axes; viewer.patient.synthetic) and imported once.
Then, per run:
  - centreline extraction per vessel (each piece rasterised, exact surface distances, minimal
    paths, radii: viewer.patient.case_geometry.structure_centerline), timed inside case_anatomy;
  - case analysis after the centrelines are built: viewer.patient.case_analysis.analyze_case on
    the measured case (all vessels: surface-to-surface contacts, shape-based severity, tags,
    culprit, mechanism), the caches cleared each run.
Prints the medians, and the whole measurement of a case (case_anatomy: the nerve path, every
centreline, the landmarks) for scale.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DEFAULT = "aica-attached-segment,multiple-aica-pica,va-aica-pica-multivessel"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--presets", default=DEFAULT)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    from viewer.patient.case_analysis import analyze_case, case_anatomy
    from viewer.patient.synthetic import import_scenario_case
    from viewer.presets import load_preset

    per_vessel: dict[str, list[float]] = {}
    analysis: list[float] = []
    measure: list[float] = []
    for name in args.presets.split(","):
        res = import_scenario_case(load_preset(name))
        vessels = [s for s in res.case.structures if s.role == "vessel"]
        for _ in range(args.runs):
            t = time.perf_counter()
            geometry = case_anatomy(res.case, res.meshes)
            measure.append(time.perf_counter() - t)
            for s in vessels:  # per vessel: its pieces rasterised, distances, minimal paths, radii
                key = f"{s.id} ({res.meshes[s.id].n_cells} triangles)"
                per_vessel.setdefault(key, []).append(geometry.timings_s[s.id])
            for _ in range(3):
                geometry.anatomy._cache.clear()
                t = time.perf_counter()
                f = analyze_case(res.case, res.meshes, geometry)
                analysis.append(time.perf_counter() - t)
        print(f"{name}: {len(vessels)} vessels, findings {list(f.classification)}, culprit {f.culprit}")
    print("\ncentreline extraction per vessel (median of runs):")
    for k, v in sorted(per_vessel.items()):
        print(f"  {k:38s} {1000 * statistics.median(v):7.0f} ms")
    all_v = [x for v in per_vessel.values() for x in v]
    print(f"  median over all vessels: {1000 * statistics.median(all_v):.0f} ms")
    print(f"case analysis after the centrelines (all vessels), median: {1000 * statistics.median(analysis):.0f} ms")
    print(f"measuring a case (nerve path, all centrelines, landmarks), median: {statistics.median(measure):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
