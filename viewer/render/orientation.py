"""RAS orientation marker in the lower-left corner of a plotter.

pyvista's `add_axes` builds a vtkOrientationMarkerWidget, which lives in vtkInteractionWidgets;
that module drags in volume rendering, 2D contexts and views (about 45 MB of the desktop build,
over its size budget) for one corner glyph. This marker is what the widget does without the interaction part:
a second renderer on layer 1 whose camera follows the main camera's direction before each render.
"""

from __future__ import annotations

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonCore import vtkCommand
from vtkmodules.vtkRenderingCore import vtkRenderer

VIEWPORT = (0.0, 0.0, 0.2, 0.2)  # pyvista's add_axes default: a fifth of the window, lower left


class OrientationMarker:
    """Axes labelled R, A, S that turn with the camera; not pickable, never intercepts the mouse."""

    def __init__(self, plotter: pv.Plotter, labels=("R", "A", "S"), line_width: float = 3, viewport=VIEWPORT):
        self.main = plotter.renderer
        self.actor = pv.create_axes_marker(
            xlabel=labels[0], ylabel=labels[1], zlabel=labels[2], line_width=line_width, labels_off=False
        )
        self.renderer = ren = vtkRenderer()
        ren.SetViewport(*viewport)
        ren.SetLayer(1)  # layers > 0 keep the scene behind them (transparent background)
        ren.InteractiveOff()  # the interactor keeps sending clicks and drags to the scene
        ren.AddViewProp(self.actor)
        win = plotter.render_window
        win.SetNumberOfLayers(max(2, win.GetNumberOfLayers()))
        win.AddRenderer(ren)
        self._observer = self.main.AddObserver(vtkCommand.StartEvent, self._follow)
        self._follow()

    @property
    def visible(self) -> bool:
        return bool(self.renderer.GetDraw())

    @visible.setter
    def visible(self, on: bool) -> None:
        self.renderer.SetDraw(bool(on))

    def _follow(self, *_):
        """Point the marker's camera along the main camera's view direction, same view-up."""
        cam = self.main.GetActiveCamera()
        direction = np.subtract(cam.GetPosition(), cam.GetFocalPoint())
        norm = float(np.linalg.norm(direction))
        if not np.isfinite(norm) or norm == 0.0:
            return
        own = self.renderer.GetActiveCamera()
        own.SetFocalPoint(0.0, 0.0, 0.0)
        own.SetPosition(*(direction / norm))
        own.SetViewUp(cam.GetViewUp())
        own.SetParallelProjection(cam.GetParallelProjection())
        self.renderer.ResetCamera()
