"""Benchmark: analyze() versus a VTK baseline on the same tube geometry (not a test).

Run: .venv/bin/python scripts/benchmarks/bench_analysis.py [--placements 200]

Prints, for the default scenario (7 vessels) and for a 10-vessel scene (the default 7 plus three
straight vessels in contact with CN VII: an artery on the AS, a vein on the CP, an artery at the RDP): the median analyze() time
  - "warm":  scene unchanged between calls (per-vessel caches hit),
  - "drag":  one vessel's handle moves every call (what the GUI does on a mouse move),
  - "cold":  all caches cleared before each call (everything recomputed, splines included);
the time VTK needs for the same question (signed implicit distance of every vessel's tube
mesh against the CN VII and CN VIII tube meshes, meshes prebuilt; plus pyvista's
`collision` for reference), the ratio, and over N random crossing placements the largest
disagreement in penetration depth between analyze() and VTK.
pyvista/VTK are allowed here only (scripts/benchmarks/ is outside the pure core).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyvista as pv  # noqa: E402

from viewer.analysis import analyze, clear_caches  # noqa: E402
from viewer.anatomy import build_anatomy  # noqa: E402
from viewer.geometry import resample_polyline  # noqa: E402
from viewer.scenario import Scenario, Vessel, default_scenario, vessel_course  # noqa: E402
from viewer.tubes import tube_points, tube_topology  # noqa: E402

A = build_anatomy()
FN = A.facial_nerve
R7 = FN.radius_mm
SIDES = 48  # mesh facets: chord sag r(1 - cos(pi/48)) = 0.0016 mm for r = 0.75
AGREE_STEP = 0.05  # ring spacing of the vessel meshes in the agreement test (timing uses the 0.5 mm course)


def tube_mesh(centerline, radius, step=None) -> pv.PolyData:
    c = np.asarray(centerline, float)
    if step is not None:
        c = resample_polyline(c, step=step)
    topo = tube_topology(len(c), n_sides=SIDES, cap_rings=6)
    pts = tube_points(c, radius, topo)
    faces = np.hstack([np.full((len(topo.faces), 1), 3), topo.faces]).ravel()
    return pv.PolyData(pts, faces)


NERVES = [tube_mesh(FN.points_mm, R7), tube_mesh(A.tubes["cn8"].centerline_mm, A.tubes["cn8"].radius_mm, step=0.2)]


def vtk_question(vessel_meshes):
    """Deepest penetration of each vessel into each nerve: signed distance of vessel vertices."""
    out = []
    for vm in vessel_meshes:
        for nm in NERVES:
            d = vm.compute_implicit_distance(nm)["implicit_distance"]
            out.append(max(0.0, -float(d.min())))
    return out


def vtk_collision(vessel_meshes):
    return [vm.collision(nm, contact_mode=0)[1] for vm in vessel_meshes for nm in NERVES]


def median_ms(fn, repeat):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1e3


def frame(arc):
    pts, s = FN.points_mm, FN.arc_mm
    k = int(np.clip(np.searchsorted(s, arc) - 1, 0, len(s) - 2))
    f = (arc - s[k]) / (s[k + 1] - s[k])
    p = pts[k] + f * (pts[k + 1] - pts[k])
    t = pts[k + 1] - pts[k]
    t /= np.linalg.norm(t)
    ant = np.array([0.0, 1.0, 0.0]) - t[1] * t
    ant /= np.linalg.norm(ant)
    sup = np.cross(t, ant)
    return p, t, ant, sup


def crossing(vid, role, kind, arc, gap, angle, radius, tilt=0.0, half=6.0):
    p, t, ant, sup = frame(arc)
    n = np.cos(angle) * ant + np.sin(angle) * sup
    c = p + (R7 + radius + gap) * n
    b = np.cross(t, n)
    b = np.cos(tilt) * b + np.sin(tilt) * t  # crossing angle other than 90 deg
    return Vessel(vid, vid.upper(), kind, role, radius, [c - half * b, c + half * b])


def ten_vessel_scene() -> Scenario:
    s = default_scenario()
    extra = [
        crossing("aica2", "aica", "artery", 4.0, -0.42, 0.3, 0.75),
        crossing("vein2", "vein", "vein", 15.0, -0.2, 2.0, 0.7),
        crossing("pica2", "pica", "artery", 8.5, -0.6, -1.2, 0.8, tilt=0.5),
    ]
    return Scenario("ten vessels", s.vessels + tuple(extra))


def time_scene(name, s, repeat):
    f = analyze(s)
    warm = median_ms(lambda: analyze(s), repeat)
    drag_v = max(s.vessels, key=lambda v: len(v.centerline_mm))
    rng = np.random.default_rng(0)
    moved = [
        s.with_vessel(
            drag_v.with_handle(
                len(drag_v.centerline_mm) // 2,
                np.array(drag_v.centerline_mm[len(drag_v.centerline_mm) // 2]) + rng.normal(0, 0.3, 3),
            )
        )
        for _ in range(repeat)
    ]
    it = iter(moved)
    drag = median_ms(lambda: analyze(next(it)), repeat)

    def cold():
        clear_caches()
        analyze(s)

    cold_ms = median_ms(cold, max(50, repeat // 10))
    meshes = [tube_mesh(vessel_course(v.centerline_mm), v.radius_mm) for v in s.vessels]
    vtk_ms = median_ms(lambda: vtk_question(meshes), 5)
    col_ms = median_ms(lambda: vtk_collision(meshes), 3)
    clear_caches()
    print(f"\n{name}: {len(s.vessels)} vessels, {len(f.contacts)} contacts, classification {list(f.classification)}")
    print(
        f"  analyze() median: warm {warm:.3f} ms | drag ({drag_v.id} handle moves) {drag:.3f} ms | cold {cold_ms:.3f} ms"
    )
    print(
        f"  VTK compute_implicit_distance (same question, meshes prebuilt): {vtk_ms:.1f} ms "
        f"(pyvista collision, yes/no per pair: {col_ms:.1f} ms)"
    )
    print(
        f"  ratio VTK / analyze(): warm {vtk_ms / warm:,.0f}x | drag {vtk_ms / drag:,.0f}x | cold {vtk_ms / cold_ms:,.0f}x"
    )
    return warm, drag, cold_ms, vtk_ms


def agreement(n, seed=1):
    rng = np.random.default_rng(seed)
    worst = 0.0
    worst_case = None
    diffs = []
    for _ in range(n):
        arc = rng.uniform(0.5, FN.arc_mm[-1] - 0.5)
        radius = rng.uniform(0.5, 2.0)
        # penetration below the nerve radius: beyond it the deepest vessel point is closer to the
        # far side of the nerve and "distance to the nerve surface" (VTK) saturates at the radius
        gap = rng.uniform(-0.95 * R7, 0.05)
        angle = rng.uniform(-np.pi, np.pi)
        tilt = rng.uniform(-0.6, 0.6)
        v = crossing("v", "other", "artery", arc, gap, angle, radius, tilt=tilt)
        f = analyze(Scenario("p", (v,)))
        ours = max((c.penetration_mm for c in f.contacts if c.structure == "CN VII"), default=0.0)
        vm = tube_mesh(vessel_course(v.centerline_mm), radius, step=AGREE_STEP)
        d = vm.compute_implicit_distance(NERVES[0])["implicit_distance"]
        theirs = max(0.0, -float(d.min()))
        diff = abs(ours - theirs)
        diffs.append(diff)
        if diff > worst:
            worst, worst_case = diff, (round(arc, 2), round(gap, 3), round(radius, 2), ours, theirs)
    return worst, float(np.median(diffs)), worst_case


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--placements", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=2000)
    a = ap.parse_args(argv)
    print(
        f"numpy {np.__version__}, pyvista {pv.__version__}; tube meshes {SIDES} sides; timing meshes on the 0.5 mm "
        f"courses, agreement meshes with rings every {AGREE_STEP} mm"
    )
    d = time_scene("default scenario", default_scenario(), a.repeat)
    time_scene("10-vessel scene", ten_vessel_scene(), a.repeat)
    worst, med, case = agreement(a.placements)
    print(f"\npenetration depth, analyze() vs VTK implicit distance, {a.placements} random crossings:")
    print(f"  largest disagreement {worst:.4f} mm (median {med:.4f} mm); worst case arc/gap/radius/ours/vtk = {case}")
    ok = d[1] <= 0.5 and d[3] / d[1] >= 100 and worst <= 0.05
    print(f"\ntargets (<= 0.5 ms default drag, >= 100x VTK, <= 0.05 mm): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
