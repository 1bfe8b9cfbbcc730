"""A clipping plane through the cerebellum and brainstem, facing the camera (no Qt).

Teaching and planning both want to look *into* the posterior fossa: the plane cuts away what
lies between the camera and it on the clipped structures (brainstem, cerebellar hemisphere,
flocculus, petrous bone), leaving nerves and vessels whole so the compression stays visible. The
plane is a `vtkPlane` shared by those actors' mappers (no mesh is rebuilt); a translucent square
with a bright rim shows where it is and is the handle a drag moves along the plane's normal.
"""

from __future__ import annotations

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonDataModel import vtkPlane

__all__ = ["ClipPlane", "CLIPPED"]

CLIPPED = ("brainstem", "cerebellum", "flocculus", "petrous")
HALF_SIZE_MM = 32.0  # the visible square: big enough to frame the CPA
COLOUR = (120, 200, 255)


class ClipPlane:
    def __init__(self, scene):
        self.scene = scene
        self.plotter = scene.plotter
        self.plane = vtkPlane()
        self.enabled = False
        self.origin = np.zeros(3)
        self.normal = np.array([0.0, 1.0, 0.0])
        square = pv.Plane(i_size=2 * HALF_SIZE_MM, j_size=2 * HALF_SIZE_MM, i_resolution=1, j_resolution=1)
        self._square = square
        self.actor = self.plotter.add_mesh(
            square,
            color=COLOUR,
            opacity=0.12,
            show_edges=True,
            edge_color=COLOUR,
            line_width=3,
            pickable=True,
            reset_camera=False,
            render=False,
            name="clip-plane",
            lighting=False,
        )
        self.actor.visibility = False

    def clipped_ids(self) -> list[str]:
        return [sid for sid in CLIPPED if sid in self.scene.actors]

    def place(self, origin, normal) -> None:
        """Put the plane through `origin`; the side `normal` points to is kept."""
        n = np.asarray(normal, float)
        self.normal = n / np.linalg.norm(n)
        self.origin = np.asarray(origin, float)
        self.plane.SetOrigin(*self.origin)
        self.plane.SetNormal(*self.normal)
        # the square in the plane, in place
        a = np.cross(self.normal, [0.0, 0.0, 1.0])
        if np.linalg.norm(a) < 1e-6:
            a = np.cross(self.normal, [0.0, 1.0, 0.0])
        a /= np.linalg.norm(a)
        b = np.cross(self.normal, a)
        corners = [(-1, -1), (1, -1), (-1, 1), (1, 1)]  # pv.Plane's point order for a 1x1 resolution
        self._square.points[:] = [self.origin + HALF_SIZE_MM * (i * a + j * b) for i, j in corners]
        self._square.Modified()

    def move(self, offset_mm: float) -> None:
        """Slide the plane along its normal."""
        self.place(self.origin + self.normal * float(offset_mm), self.normal)

    def facing_camera(self, depth_mm: float = 0.0) -> None:
        """Through the focal point (+ depth away from the camera), cutting away the near half."""
        cam = self.plotter.camera
        forward = np.asarray(cam.focal_point, float) - np.asarray(cam.position, float)
        forward /= np.linalg.norm(forward)
        self.place(np.asarray(cam.focal_point, float) + forward * float(depth_mm), forward)

    def depth_mm(self) -> float:
        """The plane's distance beyond the focal point along the view direction."""
        cam = self.plotter.camera
        return float(np.dot(self.origin - np.asarray(cam.focal_point, float), self.normal))

    def set_enabled(self, on: bool) -> None:
        on = bool(on)
        if on == self.enabled:
            return
        self.enabled = on
        for sid in self.clipped_ids():
            mapper = self.scene.actors[sid].mapper
            if on:
                mapper.AddClippingPlane(self.plane)
            else:
                mapper.RemoveClippingPlane(self.plane)
        self.actor.visibility = on

    def close(self) -> None:
        self.set_enabled(False)
        self.plotter.remove_actor(self.actor, render=False)
