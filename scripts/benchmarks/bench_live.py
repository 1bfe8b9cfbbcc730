"""Micro-benchmark of the per-move live updates of a drag, offscreen, no Qt.

Prints medians of: nerve deformation (1 and 3 vessels), vessel mesh update,
nerve mesh update, and a full offscreen render of the same scene for comparison.
Run: .venv/bin/python scripts/benchmarks/bench_live.py [--moves 200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pyvista as pv

from viewer.anatomy import build_anatomy
from viewer.deformation import CapsuleChain, NerveDeformer
from viewer.geometry import catmull_rom
from viewer.render.live import LiveTubes
from viewer.render.scene import Scene


def median_ms(fn, n):
    ts = []
    for k in range(n):
        t0 = time.perf_counter()
        fn(k)
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts) * 1e3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--moves", type=int, default=200)
    ap.add_argument("--size", default="1600x1000")
    args = ap.parse_args()
    n = args.moves
    a = build_anatomy()
    f = a.facial_nerve
    dm = NerveDeformer(f.points_mm, f.radius_mm, anchor_arcs=(0.0, f.porus_arc_mm))
    handles = a.tubes["aica"].control_mm.copy()
    course = catmull_rom(handles)
    sd, dirs, _ = CapsuleChain(course, 0.75).closest(f.points_mm, 100.0)
    i = int(np.argmin(sd))
    # a drag from a 1 mm gap to 0.8 D penetration, in n steps
    steps = np.linspace(-1.0, 0.8 * 2 * f.radius_mm, n)
    offs = [dirs[i] * (sd[i] - f.radius_mm + p) for p in steps]
    others = [CapsuleChain(a.tubes[k].centerline_mm, a.tubes[k].radius_mm) for k in ("pica", "vein_pms")]
    # a second and third vessel pressing the nerve elsewhere (moderate), cached chains
    for j, frac in ((30, 0.3), (95, 0.4)):
        t = dm.tangent[j]
        u = np.cross(t, [0, 0, 1.0])
        u /= np.linalg.norm(u)
        c = (
            dm.centerline[j]
            + u * (2 * f.radius_mm - frac * 2 * f.radius_mm)
            + np.linspace(-5, 5, 41)[:, None] * np.cross(t, u)
        )
        others.append(CapsuleChain(c, 0.75))

    print(f"moves: {n} (AICA dragged from a 1 mm gap to 0.8 D penetration)")
    print(
        f"deformation, 1 vessel (+2 non-contacting):   {median_ms(lambda k: dm.deform([(course + offs[k], 0.75)] + others[:2]), n):7.3f} ms"
    )
    print(
        f"deformation, 3 contacting vessels (+2):      {median_ms(lambda k: dm.deform([(course + offs[k], 0.75)] + others), n):7.3f} ms"
    )

    w, h = (int(v) for v in args.size.split("x"))
    pl = pv.Plotter(off_screen=True, window_size=[w, h])
    scene = Scene(pl)
    live = LiveTubes(scene)
    pl.render()
    pl.screenshot(return_img=False)
    print(
        f"vessel mesh update (course resample + tube + normals): "
        f"{median_ms(lambda k: live.update_vessel('aica', course + offs[k]), n):7.3f} ms"
    )
    defs = [dm.deform([(course + offs[k], 0.75)]) for k in range(n)]
    print(
        f"nerve mesh update (points + normals + colours):        {median_ms(lambda k: live.update_nerve(defs[k]), n):7.3f} ms"
    )
    print(
        f"full offscreen render {w}x{h}:                        {median_ms(lambda k: pl.render(), min(n, 60)):7.3f} ms"
    )

    def one_move(k):
        cc = course + offs[k]
        live.update_vessel("aica", cc)
        live.update_nerve(dm.deform([(cc, 0.75)] + others[:2]))

    print(f"deformation + both mesh updates per move:             {median_ms(one_move, n):7.3f} ms")
    pl.close()


if __name__ == "__main__":
    main()
