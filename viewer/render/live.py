"""Per-mouse-move updates of the 3D scene, all in place (no Qt).

A drag needs the dragged vessel, the deformed CN VII, contact callouts and the
selected vessel's handles to follow every move at interactive rates. Everything
here is created once and then only has its arrays or properties overwritten:
`mesh.points[:] = ...` and the 'Normals' array (analytic for tubes, so no
vtkPolyDataNormals per move), caption text/attachment/visibility, handle point
coordinates. Actors are never added or removed per move.
"""

from __future__ import annotations

import numpy as np
import pyvista as pv
from vtkmodules.vtkRenderingAnnotation import vtkCaptionActor2D
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkRenderer

from ..deformation import NerveDeformation
from ..geometry import resample_polyline
from ..tubes import TubeTopology, VertexNormals, tube_points_normals, tube_topology

__all__ = ["LiveTubes", "Callouts", "Handles", "heat_colours", "world_to_display"]

TUBE_SIDES = 24
CAP_RINGS = 5
MAGENTA = np.array([235.0, 40.0, 235.0])
RED = np.array([255.0, 25.0, 25.0])


def _rings_of(mesh: pv.PolyData, sides: int = TUBE_SIDES, cap: int = CAP_RINGS) -> int:
    n = (mesh.n_points - 2) / sides - 2 * cap
    if n != int(n) or n < 2:
        raise ValueError(f"mesh with {mesh.n_points} points is not a {sides}-sided tube with {cap} cap rings")
    return int(n)


def heat_colours(
    base_rgb: np.ndarray, depth_mm: np.ndarray, diameter_mm: float, full_tint_mm: float = 0.15
) -> np.ndarray:
    """Blend band colours towards a heat colour by penetration depth.

    Magenta for a shallow indentation, red from 0.5 D (deviation) on; the tint
    reaches full strength at `full_tint_mm` so even a mild contact shows."""
    d = np.asarray(depth_mm, float)
    f = np.clip(d / (0.5 * diameter_mm), 0.0, 1.0)[:, None]
    heat = MAGENTA + (RED - MAGENTA) * f
    alpha = np.clip(d / full_tint_mm, 0.0, 1.0)[:, None]
    out = base_rgb.astype(float) * (1.0 - alpha) + heat * alpha
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


class LiveTubes:
    """In-place updates of the vessel tubes and the CN VII mesh of a `Scene`."""

    def __init__(self, scene, nerve_id: str = "cn7"):
        self.scene = scene
        self.nerve_id = nerve_id
        self._topos: dict[int, TubeTopology] = {}
        self._nerve_deformed = False
        self.capture_rest()
        info = scene.structures.get(nerve_id)
        self.nerve_radius = float(info.radius_mm) if info is not None and info.radius_mm else 0.75

    def capture_rest(self) -> None:
        """Remember the nerve mesh as it is now as the rest shape (again after the scene is mirrored)."""
        nerve = self.scene.mesh_set.meshes[self.nerve_id]
        self._nerve_rest_points = np.array(nerve.points, copy=True)
        self._nerve_rest_normals = np.array(nerve.point_data["Normals"], copy=True)
        self._nerve_rest_rgb = np.array(nerve.point_data["rgb"], copy=True)
        self._nerve_faces = nerve.regular_faces.copy()
        self._nerve_normals = VertexNormals(self._nerve_faces, nerve.n_points)

    def topology(self, sid: str) -> TubeTopology:
        n = _rings_of(self.scene.mesh_set.meshes[sid])
        if n not in self._topos:
            self._topos[n] = tube_topology(n, TUBE_SIDES, CAP_RINGS)
        return self._topos[n]

    def update_vessel(self, sid: str, course: np.ndarray, radius: float | None = None) -> None:
        """Re-shape vessel `sid` along `course` (any polyline, e.g. catmull_rom(handles)).

        The course is resampled to the mesh's ring count, so the topology, the
        actor and the mapper stay the same objects; only points and normals change."""
        mesh = self.scene.mesh_set.meshes[sid]
        topo = self.topology(sid)
        if radius is None:
            radius = self.scene.structures[sid].radius_mm
        line = resample_polyline(np.asarray(course, float), count=topo.n_rings)
        pts, nrm = tube_points_normals(line, float(radius), topo)
        mesh.points[:] = pts
        normals = mesh.point_data["Normals"]
        normals[:] = nrm
        mesh.GetPointData().GetNormals().Modified()

    def update_nerve(self, deformation: NerveDeformation | None, depth_per_vertex: np.ndarray | None = None) -> None:
        """Write the deformed CN VII points and normals and the penetration-depth colours.

        `deformation` None or at rest restores the shipped mesh exactly."""
        mesh = self.scene.mesh_set.meshes[self.nerve_id]
        rgb = mesh.point_data["rgb"]
        if deformation is None or (deformation.is_rest and (depth_per_vertex is None or not np.any(depth_per_vertex))):
            if self._nerve_deformed:
                mesh.points[:] = self._nerve_rest_points
                mesh.point_data["Normals"][:] = self._nerve_rest_normals
                rgb[:] = self._nerve_rest_rgb
                mesh.GetPointData().GetNormals().Modified()
                mesh.GetPointData().GetArray("rgb").Modified()
                self._nerve_deformed = False
            return
        if len(deformation.points) != mesh.n_points:
            raise ValueError(
                f"deformation has {len(deformation.points)} vertices, {self.nerve_id} mesh {mesh.n_points}"
            )
        depth = deformation.depth_mm if depth_per_vertex is None else np.asarray(depth_per_vertex, float)
        mesh.points[:] = deformation.points
        mesh.point_data["Normals"][:] = self._nerve_normals(deformation.points)
        rgb[:] = heat_colours(self._nerve_rest_rgb, depth, 2.0 * self.nerve_radius)
        mesh.GetPointData().GetNormals().Modified()
        mesh.GetPointData().GetArray("rgb").Modified()
        self._nerve_deformed = True


class Callouts:
    """A fixed pool of caption actors (text box + leader to a 3D point).

    `set([(point, text, highlight), ...])` reuses the pool: text, attachment point
    and visibility change in place; entries beyond the pool size are dropped."""

    FONT_PX = 20
    HIGHLIGHT_FONT_PX = 24

    def __init__(self, plotter: pv.Plotter, size: int = 8):
        self.plotter = plotter
        self.actors: list[vtkCaptionActor2D] = []
        for i in range(size):
            cap = vtkCaptionActor2D()
            cap.SetCaption(" ")
            cap.BorderOff()  # the text's own background + frame is the box (fits the text)
            cap.LeaderOn()
            cap.ThreeDimensionalLeaderOff()
            cap.SetPadding(6)
            cap.GetTextActor().SetTextScaleModeToNone()
            tp = cap.GetCaptionTextProperty()
            tp.SetFontFamilyToArial()
            tp.BoldOn()
            tp.ItalicOff()
            tp.ShadowOff()
            tp.SetBackgroundOpacity(0.88)
            tp.FrameOn()
            tp.SetJustificationToLeft()
            tp.SetVerticalJustificationToCentered()
            cap.GetPositionCoordinate().SetCoordinateSystemToDisplay()
            cap.GetPosition2Coordinate().SetCoordinateSystemToDisplay()
            cap.SetPickable(False)
            cap.VisibilityOff()
            self._style(cap, False)
            plotter.add_actor(cap, reset_camera=False, name=f"callout-{i}", pickable=False, render=False)
            self.actors.append(cap)
        self.items: list[tuple[np.ndarray, str, bool]] = []

    def _style(self, cap, highlight: bool) -> None:
        tp = cap.GetCaptionTextProperty()
        px = self.HIGHLIGHT_FONT_PX if highlight else self.FONT_PX
        tp.SetFontSize(px)
        if highlight:
            tp.SetColor(0.08, 0.05, 0.0)
            tp.SetBackgroundColor(1.0, 0.86, 0.15)
            tp.SetFrameColor(1.0, 0.95, 0.6)
            tp.SetFrameWidth(3)
            cap.GetProperty().SetColor(1.0, 0.86, 0.15)
            cap.GetProperty().SetLineWidth(3.0)
        else:
            tp.SetColor(1.0, 1.0, 1.0)
            tp.SetBackgroundColor(0.06, 0.07, 0.10)
            tp.SetFrameColor(0.92, 0.92, 0.92)
            tp.SetFrameWidth(1)
            cap.GetProperty().SetColor(0.92, 0.92, 0.92)
            cap.GetProperty().SetLineWidth(2.0)

    def set(self, items) -> None:
        items = list(items)[: len(self.actors)]
        ren = self.plotter.renderer
        win_w, win_h = ren.GetSize()
        anchors = world_to_display(ren, np.array([p for p, _, _ in items], float).reshape(-1, 3)) if items else None
        self.items = [(np.asarray(p, float), str(t), bool(h)) for p, t, h in items]
        placed: list[tuple[float, float, int, int]] = []
        for i, cap in enumerate(self.actors):
            if i >= len(self.items):
                if cap.GetVisibility():
                    cap.VisibilityOff()
                continue
            point, text, highlight = self.items[i]
            cap.SetCaption(text)
            cap.SetAttachmentPoint(*point)
            self._style(cap, highlight)
            px = self.HIGHLIGHT_FONT_PX if highlight else self.FONT_PX
            lines = text.split("\n")
            chars = max(len(s) for s in lines)
            if chars * px * 0.64 + 24 > win_w > 0:  # too wide for the view: smaller type, down to 12 px
                px = max(12, int((win_w - 24) / (chars * 0.64)))
                cap.GetCaptionTextProperty().SetFontSize(px)
            w = int(chars * px * 0.64) + 16
            h = int(len(lines) * px * 1.35) + 12
            # stagger the boxes up-right / up-left of their points so neighbours do not overlap,
            # and keep each box inside the view (offsets are relative to the anchor in pixels)
            ax, ay = anchors[i]
            dx = 40 if i % 2 == 0 else -40 - w
            dy = 50 + 34 * (i // 2)
            dx = float(np.clip(dx, 4 - ax, win_w - 4 - w - ax)) if win_w > w + 8 else dx
            dy = float(np.clip(dy, 4 - ay, win_h - 4 - h - ay)) if win_h > h + 8 else dy
            # push a box that would overlap an earlier one down (or up at the top edge)
            for _ in range(12):
                x0, y0 = ax + dx, ay + dy
                if not any(x0 < bx + bw and bx < x0 + w and y0 < by + bh and by < y0 + h for bx, by, bw, bh in placed):
                    break
                dy = dy - (h + 6) if ay + dy - (h + 6) >= 4 else dy + (h + 6)
            placed.append((ax + dx, ay + dy, w, h))
            cap.SetPosition(dx, dy)
            cap.SetPosition2(w, h)
            cap.VisibilityOn()

    def clear(self) -> None:
        self.set([])

    def texts(self) -> list[str]:
        return [a.GetCaption() for a in self.actors if a.GetVisibility()]


def world_to_display(renderer, points: np.ndarray) -> np.ndarray:
    """(n, 3) world points -> (n, 2) VTK display pixels (origin bottom-left), vectorised.

    Uses the active camera's composite projection (what vtkCoordinate does per point)."""
    w, h = renderer.GetSize()
    aspect = w / h if h else 1.0
    m = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(aspect, -1.0, 1.0)
    M = np.array([[m.GetElement(i, j) for j in range(4)] for i in range(4)])
    p = np.c_[np.asarray(points, float), np.ones(len(points))] @ M.T
    ndc = p[:, :2] / p[:, 3:4]
    ox, oy = renderer.GetOrigin()  # pixel origin of the viewport
    return np.column_stack([ox + (ndc[:, 0] + 1.0) * 0.5 * w, oy + (ndc[:, 1] + 1.0) * 0.5 * h])


class Handles:
    """Control-point handles of the selected vessel: one point-cloud actor.

    Drawn in an overlay renderer layer that shares the main camera, so handles
    inside a vessel stay visible; picked by projecting them to display pixels."""

    def __init__(
        self, plotter: pv.Plotter, point_size: float = 18.0, colour=(255, 255, 255), active_colour=(40, 220, 255)
    ):
        self.plotter = plotter
        self.colour = np.array(colour, np.uint8)
        self.active_colour = np.array(active_colour, np.uint8)
        self.mesh = pv.PolyData(np.zeros((1, 3)))
        self.mesh.point_data["rgb"] = np.zeros((1, 3), np.uint8)
        self.overlay = vtkRenderer()
        self.overlay.SetLayer(1)
        self.overlay.InteractiveOff()
        self.overlay.SetActiveCamera(plotter.renderer.GetActiveCamera())
        self.overlay.SetViewport(plotter.renderer.GetViewport())
        rw = plotter.render_window
        rw.SetNumberOfLayers(max(2, rw.GetNumberOfLayers()))
        rw.AddRenderer(self.overlay)
        mapper = vtkPolyDataMapper()
        mapper.SetInputData(self.mesh)
        mapper.SetScalarModeToUsePointFieldData()
        mapper.SelectColorArray("rgb")
        mapper.SetColorModeToDirectScalars()
        mapper.ScalarVisibilityOn()
        self.actor = vtkActor()
        self.actor.SetMapper(mapper)
        prop = self.actor.GetProperty()
        prop.SetPointSize(point_size)
        prop.SetRenderPointsAsSpheres(True)
        prop.SetRepresentationToPoints()
        self.actor.SetPickable(False)
        self.actor.VisibilityOff()
        self.overlay.AddActor(self.actor)
        self.active: int | None = None

    @property
    def points(self) -> np.ndarray:
        return np.asarray(self.mesh.points) if self.actor.GetVisibility() else np.zeros((0, 3))

    def show(self, points: np.ndarray, active: int | None = None) -> None:
        """Show handles at `points`; same count -> in-place update, else the arrays are resized once."""
        p = np.array(points, float).reshape(-1, 3)  # a copy: pyvista keeps (aliases) the array it is given
        if len(p) == 0:
            self.hide()
            return
        if len(p) == self.mesh.n_points:
            self.mesh.points[:] = p
        else:
            self.mesh.points = p
            self.mesh.verts = np.c_[np.ones(len(p), int), np.arange(len(p))].ravel()
            self.mesh.point_data["rgb"] = np.tile(self.colour, (len(p), 1))
        self.set_active(active)
        self.actor.VisibilityOn()

    def set_active(self, index: int | None) -> None:
        rgb = self.mesh.point_data["rgb"]
        rgb[:] = self.colour
        if index is not None and 0 <= index < len(rgb):
            rgb[index] = self.active_colour
        self.active = index
        self.mesh.GetPointData().GetArray("rgb").Modified()

    def hide(self) -> None:
        self.actor.VisibilityOff()
        self.active = None

    def display_positions(self) -> np.ndarray:
        return world_to_display(self.plotter.renderer, np.asarray(self.mesh.points))

    def pick_handle(self, display_x: float, display_y: float, tolerance_px: float = 12.0) -> int | None:
        """Index of the handle nearest to the VTK display position (origin bottom-left,
        as `iren.GetEventPosition()`), or None if none is within `tolerance_px`."""
        if not self.actor.GetVisibility():
            return None
        xy = self.display_positions()
        d = np.hypot(xy[:, 0] - display_x, xy[:, 1] - display_y)
        i = int(np.argmin(d))
        return i if d[i] <= tolerance_px else None

    def close(self) -> None:
        rw = self.plotter.render_window
        if rw is not None:
            rw.RemoveRenderer(self.overlay)
        self.overlay.RemoveAllViewProps()
