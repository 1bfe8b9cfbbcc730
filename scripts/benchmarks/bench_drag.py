"""Drag latency through the real interactor (issue 4 benchmark).

Synthetic VTK mouse events drag the AICA handle nearest CN VII towards and onto the
nerve (120 moves) in the real main window under Xvfb. Printed medians:
  - drag-to-updated-frame: from the MouseMoveEvent to the end of the rendered frame
    (document edit + analysis + mesh/deformation/callout updates + render)
  - bare render of the same scene with no application logic: the vessel's points are
    overwritten and the window re-rendered, nothing else
  - analysis + mesh update per move (the application's own work, render excluded)

    python scripts/benchmarks/bench_drag.py [--moves 120]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _display import relaunch_under_xvfb  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--moves", type=int, default=120)
    args = ap.parse_args()
    status = relaunch_under_xvfb(__file__)
    if status is not None:
        return status

    from PySide6.QtWidgets import QApplication

    from viewer.anatomy import build_anatomy
    from viewer.gui.app import _application
    from viewer.gui.main_window import MainWindow

    app = _application()
    win = MainWindow(persist=False, view="anterior")
    win.resize(1600, 1000)
    win.show()
    for _ in range(50):
        app.processEvents()
        time.sleep(0.01)
    view, doc = win.scene_view, win.document
    plotter, iren = view.plotter, view.plotter.iren.interactor
    nerve = build_anatomy().facial_nerve
    doc.select("aica")
    app.processEvents()
    view.render_now()
    aica = doc.scenario.vessel("aica")
    p_arc = nerve.point_at(4.0)
    k = int(np.argmin(np.linalg.norm(aica.handles_mm - p_arc, axis=1)))
    ren = plotter.renderer

    def display(p):
        ren.SetWorldPoint(*p, 1.0)
        ren.WorldToDisplay()
        return ren.GetDisplayPoint()

    # drag in the camera-facing plane through the handle: set the handle's depth to that of a
    # point just anterior to the nerve first, so the drag ends in a real (moderate) contact
    target = p_arc + np.array([0.0, 0.6, -0.6])
    h = aica.handles_mm[k].copy()
    h[1] = target[1]
    doc.move_handle("aica", k, h)
    app.processEvents()
    view.render_now()
    start = display(h)
    end = display(target)
    frames = []
    plotter.render_window.AddObserver("EndEvent", lambda *_: frames.append(time.perf_counter()))

    def wait_frame(n_before):
        t_end = time.perf_counter() + 2.0
        while len(frames) == n_before and time.perf_counter() < t_end:
            app.processEvents()
        return frames[-1] if len(frames) > n_before else None

    iren.SetEventInformation(int(start[0]), int(start[1]), 0, 0)
    iren.InvokeEvent("LeftButtonPressEvent")
    latency, work = [], []
    path = np.linspace(0.0, 1.0, args.moves)
    for t in path:
        x = int(round(start[0] + t * (end[0] - start[0])))
        y = int(round(start[1] + t * (end[1] - start[1])))
        n = len(frames)
        iren.SetEventInformation(x, y, 0, 0)
        t0 = time.perf_counter()
        iren.InvokeEvent("MouseMoveEvent")
        t_frame = wait_frame(n)
        if t_frame is not None:
            latency.append(t_frame - t0)
    iren.InvokeEvent("LeftButtonReleaseEvent")
    app.processEvents()

    # the application's own work per move, render excluded: edit + analysis + in-place updates
    vessel = doc.scenario.vessel("aica")
    h = vessel.handles_mm[k].copy()
    for i in range(args.moves):
        t0 = time.perf_counter()
        doc.move_handle("aica", k, h + [0.0, 0.0, 0.02 * (i % 20)], merge_key="bench")
        view.apply_pending_updates()
        work.append(time.perf_counter() - t0)
    app.processEvents()

    # analysis + mesh update alone (what issue 4's 5 ms target names): analyze() on the
    # edited scenario, the vessel tube, the nerve deformation and its mesh/colours
    from viewer.analysis import analyze

    core = []
    for i in range(args.moves):
        moved = vessel.with_handle(k, h + [0.0, 0.0, 0.02 * (i % 20)])
        scenario = doc.scenario.with_vessel(moved)
        t0 = time.perf_counter()
        findings = analyze(scenario)
        view.live.update_vessel("aica", moved.course_mm, moved.radius_mm)
        on_vii = {c.id for c in findings.contacts if c.structure == "CN VII"}
        tubes = [(v.course_mm, v.radius_mm) for v in scenario.vessels if v.id in on_vii]
        deformation = view.deformer.deform(tubes=tubes)
        view.live.update_nerve(None if deformation.is_rest else deformation, deformation.depth_mm)
        core.append(time.perf_counter() - t0)

    # bare render: overwrite the vessel's points (two precomputed states), render; nothing else
    mesh = view.scene.mesh_set.meshes["aica"]
    a = np.asarray(mesh.points).copy()
    b = a + [0.0, 0.0, 0.3]
    bare = []
    for i in range(args.moves):
        mesh.points[:] = b if i % 2 else a
        t0 = time.perf_counter()
        plotter.render()
        bare.append(time.perf_counter() - t0)

    contacts = [c.describe() for c in doc.findings.contacts]
    win.close()
    QApplication.processEvents()
    lat, br, wk, co = (statistics.median(v) * 1000 for v in (latency, bare, work, core))
    print(f"moves: {args.moves}; frames measured: {len(latency)}; window 1600x1000, llvmpipe")
    print(f"drag-to-updated-frame median: {lat:.1f} ms")
    print(f"bare render (same scene, no app logic) median: {br:.1f} ms")
    print(f"application overhead: {lat - br:+.1f} ms ({(lat / br - 1) * 100:+.0f} % over the bare render)")
    print(f"analysis + mesh update per move median (analyze, vessel tube, nerve deformation + mesh): {co:.2f} ms")
    print(f"all application work per move median (edit, undo merge, panels, analysis, meshes, callouts): {wk:.2f} ms")
    print(f"final contacts: {contacts}")
    print(f"targets (overhead <= 15 %, analysis + mesh <= 5 ms): "
          f"{'met' if lat / br - 1 <= 0.15 and co <= 5 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
