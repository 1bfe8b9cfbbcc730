"""Rulers and angles on a plotter: a line, point markers and a value label per measurement (no Qt).

One actor set per measurement, created when it first appears and removed with it; a
changed measurement only overwrites its points and label. The picks of a measurement in
progress are shown as markers (`set_pending`). Labels read "12.3 mm" / "41.7°" as the
scenario computes them (`Measurement.value`), so the picture and the file agree.
"""

from __future__ import annotations

import math

import numpy as np
import pyvista as pv

__all__ = ["MeasurementsView", "measurement_text", "MEASURE_COLOUR"]

MEASURE_COLOUR = (255, 236, 120)  # pale yellow: apart from nerves (deeper yellow) on the dark background
PENDING_COLOUR = (0, 230, 255)
LINE_WIDTH = 4
MARKER_RADIUS_MM = 0.35
FONT_SIZE = 18


def measurement_text(m) -> str:
    value = m.value
    if math.isnan(value):
        return f"{m.label or m.kind}: undefined"
    text = f"{value:.1f} mm" if m.kind == "ruler" else f"{value:.1f}\u00b0"
    return f"{m.label}: {text}" if m.label else text


class MeasurementsView:
    def __init__(self, plotter):
        self.plotter = plotter
        self.items: dict[str, tuple] = {}  # id -> (line mesh, line actor, markers mesh, marker actor, label actor)
        self._sphere = pv.Sphere(radius=MARKER_RADIUS_MM, theta_resolution=12, phi_resolution=12)
        self._pending = None  # (mesh, actor)

    def _markers(self, points: np.ndarray) -> pv.PolyData:
        return pv.PolyData(points).glyph(geom=self._sphere, scale=False, orient=False)

    def update(self, measurements) -> None:
        """Bring the actors up to the scenario's measurements."""
        wanted = {m.id for m in measurements}
        for mid in list(self.items):
            if mid not in wanted:
                for actor in self.items.pop(mid)[1::2]:
                    self.plotter.remove_actor(actor, render=False)
        for m in measurements:
            pts = np.asarray(m.points_mm, float)
            anchor = pts[1] if m.kind == "angle" else 0.5 * (pts[0] + pts[1])
            text = measurement_text(m)
            item = self.items.get(m.id)
            if item is not None and len(item[0].points) == len(pts):
                line, _la, markers, _ma, label = item
                line.points[:] = pts
                markers.points[:] = self._markers(pts).points
                label.SetPosition(*anchor)
                label.SetInput(text)
                continue
            if item is not None:
                for actor in self.items.pop(m.id)[1::2]:
                    self.plotter.remove_actor(actor, render=False)
            line = pv.lines_from_points(pts)
            la = self.plotter.add_mesh(
                line,
                color=MEASURE_COLOUR,
                line_width=LINE_WIDTH,
                pickable=False,
                reset_camera=False,
                render=False,
                name=f"measure-line-{m.id}",
            )
            markers = self._markers(pts)
            ma = self.plotter.add_mesh(
                markers,
                color=MEASURE_COLOUR,
                pickable=False,
                reset_camera=False,
                render=False,
                name=f"measure-points-{m.id}",
            )
            label = self._label(anchor, text, m.id)
            self.items[m.id] = (line, la, markers, ma, label)

    def _label(self, anchor, text: str, mid: str):
        from vtkmodules.vtkRenderingCore import vtkBillboardTextActor3D

        label = vtkBillboardTextActor3D()
        label.SetInput(text)
        label.SetPosition(*anchor)
        label.SetDisplayOffset(8, 8)
        tp = label.GetTextProperty()
        tp.SetFontSize(FONT_SIZE)
        tp.SetColor(*(c / 255 for c in MEASURE_COLOUR))
        tp.SetBackgroundColor(0.05, 0.07, 0.1)
        tp.SetBackgroundOpacity(0.75)
        tp.BoldOn()
        label.PickableOff()
        self.plotter.add_actor(label, reset_camera=False, name=f"measure-label-{mid}", render=False)
        return label

    def texts(self) -> dict[str, str]:
        return {mid: item[4].GetInput() for mid, item in self.items.items()}

    def set_pending(self, points) -> None:
        """Markers for the picks of a measurement not finished yet (empty: none)."""
        pts = np.asarray(points, float).reshape(-1, 3)
        if self._pending is not None:
            self.plotter.remove_actor(self._pending[1], render=False)
            self._pending = None
        if len(pts):
            mesh = self._markers(pts)
            actor = self.plotter.add_mesh(
                mesh, color=PENDING_COLOUR, pickable=False, reset_camera=False, render=False, name="measure-pending"
            )
            self._pending = (mesh, actor)

    def clear(self) -> None:
        self.update(())
        self.set_pending(())
