"""Mechanism view: draws `viewer.mechanism_anim` states on a `Scene` (no Qt).

`MechanismView(scene)` creates all of its actors once, hidden. `set_plan(plan)`
(when the findings change) writes the fibre, patch and spark geometry in place;
`set_enabled(True)` shows the view; `update(t)` (per QTimer tick in the GUI, per
frame in a video) only overwrites arrays and properties: impulse positions, the
active impulse/spark cells, the nerve's patch colours, opacities, the nucleus'
colour and the caption text. Actors are never added or removed per frame.

While enabled:

* CN VII is coloured by myelin: central (oligodendrocyte) blue up to the
  transition zone, the TZ pale with a white ring at the CNS/PNS junction,
  peripheral (Schwann cell) green beyond. The colours live in their own point
  array ("myelin_rgb") on the nerve actor's mapper input and the mapper is switched
  to it, so the zone/heat colours in "rgb" (written by `LiveTubes` on every drag)
  are never touched; disabling switches the mapper back: the original colours
  return exactly, heat map included.
* the demyelination patch: the nerve surface turns magenta there and a translucent
  magenta sleeve surrounds it, both scaled by the state's patch intensity;
* fibres on the nerve surface and the intra-pontine pathway (lines), impulses
  (points drawn as spheres, coloured by kind), ephaptic sparks (lines);
* the facial motor nucleus (a scene structure, hidden by default) is shown and
  glows; the brainstem turns translucent so the pathway and nucleus show through
  (its opacity is given back on disable unless someone changed it meanwhile);
* a caption at the bottom (title, detail, sources; sized from the window height
  so it reads from the back of a lecture hall) and a colour legend top left.

Per-frame cost of `update` (state + array writes, without the render): about
0.3-0.5 ms on the 2-core test machine (`tests/render/test_mechanism.py` measures it).
"""

from __future__ import annotations

import numpy as np
import pyvista as pv
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkCommonCore import vtkIdTypeArray
from vtkmodules.vtkCommonDataModel import vtkCellArray
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkRenderer, vtkTextActor

from ..display import Override
from ..mechanism_anim import IMPULSE_KINDS, SPARK_POINTS, MechanismPlan, MechanismState
from ..tubes import tube_points_normals, tube_topology

__all__ = ["MechanismView", "MYELIN_COLOURS", "IMPULSE_COLOURS", "PATCH_COLOUR", "myelin_colours"]

MYELIN_COLOURS = {
    "central": (40, 105, 235),  # oligodendrocyte myelin
    "transition": (150, 190, 250),  # central myelin thinning out through the TZ
    "junction": (255, 255, 255),  # the CNS/PNS junction ring at the end of the TZ
    "peripheral": (60, 185, 80),  # Schwann-cell myelin
}
PATCH_COLOUR = (255, 40, 200)
IMPULSE_COLOURS = {
    "ectopic": (255, 235, 30),
    "ephaptic": (255, 140, 20),
    "antidromic": (60, 255, 255),
    "efferent": (200, 140, 255),
}
IMPULSE_LEGEND = {
    "ectopic": "ectopic impulse (to the face)",
    "ephaptic": "ephaptic cross-talk",
    "antidromic": "antidromic (to the nucleus)",
    "efferent": "discharge of the nucleus",
}
SPARK_COLOUR = (255, 255, 190)
FIBRE_COLOUR = (235, 240, 255)
PATHWAY_COLOUR = (255, 225, 150)
NUCLEUS_GLOW = (255, 105, 20)
JUNCTION_HALF_MM = 0.3
# See-through while the view is on: the pathway and the nucleus are inside the brainstem, and the
# close-up looks at CN VII through the petrous bone.
SEE_THROUGH = {"brainstem": 0.4, "petrous": 0.1}
CULPRIT_OPACITY = 0.5  # the compressing vessel or lesion, so the patch under it shows
OVERRIDE_NAME = "mechanism view"  # the display-state override this view installs
PATCH_SLEEVE_FACTOR = 1.55  # x nerve radius
PATCH_SLEEVE_OPACITY = 0.45
TZ_RING_FACTOR = 1.35
PATCH_RINGS = 40
TZ_RINGS = 16
SIDES = 24
LEGEND_POOL = 8


def myelin_colours(arc_mm: np.ndarray, tz_arc_mm: tuple[float, float]) -> np.ndarray:
    """uint8 RGB per nerve vertex from its arc length: central / TZ / junction ring / peripheral."""
    a = np.asarray(arc_mm, float)
    tz0, tz1 = tz_arc_mm
    out = np.empty((len(a), 3), np.uint8)
    out[:] = MYELIN_COLOURS["central"]
    out[(a >= tz0) & (a <= tz1)] = MYELIN_COLOURS["transition"]
    out[a > tz1] = MYELIN_COLOURS["peripheral"]
    out[np.abs(a - tz1) <= JUNCTION_HALF_MM] = MYELIN_COLOURS["junction"]
    return out


def _rgb_floats(c) -> tuple[float, float, float]:
    return tuple(v / 255.0 for v in c)


def _cells(idx: np.ndarray, size: int = 1) -> vtkCellArray:
    """A vtkCellArray of len(idx) cells, cell i = points idx[i]*size .. idx[i]*size + size - 1."""
    idx = np.asarray(idx, np.int64)
    conn = (idx[:, None] * size + np.arange(size)[None, :]).ravel()
    offsets = np.arange(len(idx) + 1, dtype=np.int64) * size
    ca = vtkCellArray()
    o = vtkIdTypeArray()
    c = vtkIdTypeArray()
    o.DeepCopy(numpy_to_vtk(offsets, deep=True, array_type=o.GetDataType()))
    c.DeepCopy(numpy_to_vtk(conn, deep=True, array_type=c.GetDataType()))
    ca.SetData(o, c)
    return ca


def _source_data(mapper):
    """The data set at the head of a mapper's pipeline.

    pyvista feeds a mapper through a small algorithm that makes a fresh shallow copy of the
    mesh whenever it changes (to set the active scalars), so an array added to the mapper's
    own input would vanish at the next drag; one added to the source stays."""
    alg = mapper.GetInputAlgorithm()
    while alg is not None and alg.GetNumberOfInputPorts() > 0 and alg.GetNumberOfInputConnections(0) > 0:
        up = alg.GetInputAlgorithm(0, 0)
        if up is None or up.GetNumberOfInputPorts() == 0:
            data = alg.GetInputDataObject(0, 0)
            return data if data is not None else mapper.GetInput()
        alg = up
    return mapper.GetInput()


class _PointCloud:
    """A fixed-capacity point or polyline set with per-point colours; the cells say what is drawn."""

    def __init__(self, plotter, name: str, lines: bool, opacity: float = 1.0, renderer=None):
        self.poly = pv.PolyData(np.zeros((1, 3)))
        self.poly.point_data["rgb"] = np.zeros((1, 3), np.uint8)
        mapper = vtkPolyDataMapper()
        mapper.SetInputData(self.poly)
        mapper.SetScalarModeToUsePointFieldData()
        mapper.SelectColorArray("rgb")
        mapper.SetColorModeToDirectScalars()
        mapper.ScalarVisibilityOn()
        self.actor = vtkActor()
        self.actor.SetMapper(mapper)
        prop = self.actor.GetProperty()
        prop.SetOpacity(opacity)
        prop.SetAmbient(0.6)
        prop.SetDiffuse(0.6)
        if lines:
            prop.SetRenderLinesAsTubes(True)
        else:
            prop.SetRenderPointsAsSpheres(True)
            prop.SetRepresentationToPoints()
        self.lines = lines
        self.actor.SetPickable(False)
        self.actor.VisibilityOff()
        if renderer is None:
            plotter.add_actor(self.actor, reset_camera=False, name=name, pickable=False, render=False)
        else:
            renderer.AddActor(self.actor)

    def set_points(self, pts: np.ndarray, rgb: np.ndarray) -> None:
        pts = np.ascontiguousarray(pts, float).reshape(-1, 3)
        if len(pts) == self.poly.n_points:
            self.poly.points[:] = pts
            self.poly.point_data["rgb"][:] = rgb
            self.poly.GetPointData().GetArray("rgb").Modified()
        else:  # a new plan with another count: new arrays, and no cell may point past them
            empty = np.zeros(0, np.int64)
            self.show_cells(empty, visible=bool(self.actor.GetVisibility()))
            self.poly.points = pts.copy()
            self.poly.point_data["rgb"] = np.ascontiguousarray(rgb, np.uint8)
        self.poly.GetPoints().Modified()

    def show_cells(self, idx: np.ndarray, size: int = 1, visible: bool = True) -> None:
        ca = _cells(idx, size)
        if self.lines:
            self.poly.SetLines(ca)
        else:
            self.poly.SetVerts(ca)
        self.poly.Modified()
        self.actor.SetVisibility(bool(visible) and len(idx) > 0)


class _Sleeve:
    """A translucent tube around a stretch of the nerve (patch, TZ ring), fixed topology."""

    def __init__(self, plotter, name: str, rings: int, colour, opacity: float):
        self.topo = tube_topology(rings, SIDES, cap_rings=3)
        line = np.column_stack([np.linspace(0, 1, rings), np.zeros(rings), np.zeros(rings)])
        pts, nrm = tube_points_normals(line, 1.0, self.topo)
        self.mesh = pv.PolyData.from_regular_faces(pts, self.topo.faces)
        self.mesh.point_data["Normals"] = nrm
        self.mesh.point_data.active_normals_name = "Normals"
        self.actor = plotter.add_mesh(
            self.mesh,
            color=colour,
            smooth_shading=True,
            specular=0.5,
            specular_power=30,
            ambient=0.35,
            diffuse=0.8,
            name=name,
            pickable=False,
            reset_camera=False,
            render=False,
        )
        self.actor.prop.opacity = opacity
        self.actor.visibility = False
        self.base_opacity = opacity

    def place(self, centre: np.ndarray, arc: np.ndarray, a0: float, a1: float, radius: float) -> None:
        s = np.linspace(a0, a1, self.topo.n_rings)
        line = np.column_stack([np.interp(s, arc, centre[:, k]) for k in range(3)])
        pts, nrm = tube_points_normals(line, radius, self.topo)
        self.mesh.points[:] = pts
        self.mesh.point_data["Normals"][:] = nrm
        self.mesh.GetPointData().GetNormals().Modified()

    def set_level(self, level: float) -> None:
        on = level > 0.02
        if on:
            self.actor.prop.opacity = float(self.base_opacity * min(1.0, level))
        if bool(self.actor.visibility) != on:
            self.actor.visibility = on


class MechanismView:
    """The mechanism animation on a Scene. GUI: `set_plan` when findings change, `update(t)` per timer tick."""

    def __init__(self, scene, nerve_id: str = "cn7", nucleus_id: str = "facial_nucleus", see_through=None):
        """`scene`: a model `Scene`, or a patient case's `CaseActors` (its facial nerve's mesh carries
        "arc_mm"; `see_through`: its own brainstem and bone ids, the default naming the model's)."""
        self.scene = scene
        self.see_through = dict(SEE_THROUGH if see_through is None else see_through)
        self.plotter = scene.plotter
        self.nerve_id = nerve_id
        self.nucleus_id = nucleus_id if nucleus_id in scene.actors else None
        self.plan: MechanismPlan | None = None
        self.state: MechanismState | None = None
        self.enabled = False
        self._closed = False
        self._size = None
        self._step = None
        self._patch_level = None
        p = self.plotter

        # CN VII colours: our own array on the nerve mapper's input, selected while enabled
        actor = scene.actors[nerve_id]
        self._nerve_mapper = actor.GetMapper()
        data = self._nerve_source = _source_data(self._nerve_mapper)
        arc = pv.wrap(data).point_data["arc_mm"]
        self._nerve_arc = np.asarray(arc, float).copy()
        self._myelin_base = myelin_colours(self._nerve_arc, (8.0, 10.5))
        self._myelin = self._myelin_base.copy()
        self._myelin_vtk = numpy_to_vtk(self._myelin, deep=False)
        self._myelin_vtk.SetName("myelin_rgb")
        data.GetPointData().AddArray(self._myelin_vtk)
        self._mapper_saved = None
        self._patch_vertices = np.zeros(0, np.int64)
        self._patch_weight = np.zeros(0)

        self.fibres = _PointCloud(p, "mechanism-fibres", lines=True)
        self.pathway = _PointCloud(p, "mechanism-pathway", lines=True)
        self.patch = _Sleeve(p, "mechanism-patch", PATCH_RINGS, PATCH_COLOUR, PATCH_SLEEVE_OPACITY)
        self.tz_ring = _Sleeve(p, "mechanism-tz-ring", TZ_RINGS, MYELIN_COLOURS["junction"], 0.75)
        # Impulses and sparks are drawn in an overlay layer that shares the camera: always in front,
        # so a spark at a contact hidden by the compressing vessel, or an impulse on the far side of
        # the nerve or inside the pons, still shows (the fibres they run on give the depth).
        self.overlay = vtkRenderer()
        self.overlay.SetLayer(1)
        self.overlay.InteractiveOff()
        self.overlay.SetActiveCamera(p.renderer.GetActiveCamera())
        self.overlay.SetViewport(p.renderer.GetViewport())
        rw = p.render_window
        rw.SetNumberOfLayers(max(2, rw.GetNumberOfLayers()))
        rw.AddRenderer(self.overlay)
        self.sparks = _PointCloud(p, "mechanism-sparks", lines=True, renderer=self.overlay)
        self.flashes = _PointCloud(p, "mechanism-flashes", lines=False, opacity=0.8, renderer=self.overlay)
        self.halos = _PointCloud(p, "mechanism-halos", lines=False, opacity=0.35, renderer=self.overlay)
        self.impulses = _PointCloud(p, "mechanism-impulses", lines=False, renderer=self.overlay)

        self.title = self._text("mechanism-caption-title", bold=True, colour=(1.0, 0.9, 0.25), bg=0.72)
        self.detail = self._text("mechanism-caption-detail", bold=False, colour=(1.0, 1.0, 1.0), bg=0.72)
        self.source_text = self._text("mechanism-caption-sources", bold=False, colour=(0.78, 0.8, 0.85), bg=0.6)
        self.legend = [
            self._text(f"mechanism-legend-{i}", bold=True, colour=(1, 1, 1), bg=0.55, left=True)
            for i in range(LEGEND_POOL)
        ]
        self._saved_nucleus = None
        self._saved_culprit = None  # (actor, user's opacity, ours)

    # ------------------------------------------------------------------ building blocks
    def _text(self, name: str, bold: bool, colour, bg: float, left: bool = False) -> vtkTextActor:
        a = vtkTextActor()
        a.SetInput(" ")
        a.SetTextScaleModeToNone()
        a.GetPositionCoordinate().SetCoordinateSystemToDisplay()
        tp = a.GetTextProperty()
        tp.SetFontFamilyToArial()
        tp.SetBold(bold)
        tp.ShadowOff()
        tp.SetColor(*colour)
        tp.SetBackgroundColor(0.03, 0.04, 0.07)
        tp.SetBackgroundOpacity(bg)
        if left:
            tp.SetJustificationToLeft()
            tp.SetVerticalJustificationToTop()
        else:
            tp.SetJustificationToCentered()
            tp.SetVerticalJustificationToBottom()
        a.SetPickable(False)
        a.VisibilityOff()
        self.plotter.add_actor(a, reset_camera=False, name=name, pickable=False, render=False)
        return a

    @property
    def actors(self) -> list:
        """Every actor this view owns (for tests and for the GUI's picking exclusions)."""
        return [
            self.fibres.actor,
            self.pathway.actor,
            self.patch.actor,
            self.tz_ring.actor,
            self.sparks.actor,
            self.flashes.actor,
            self.impulses.actor,
            self.halos.actor,
            self.title,
            self.detail,
            self.source_text,
            *self.legend,
        ]

    # ------------------------------------------------------------------ plan
    def set_plan(self, plan: MechanismPlan | None) -> None:
        """Geometry for a new plan (fibres, pathway, patch, sparks, colours); None hides everything."""
        self._culprit_off()
        self.plan = plan
        self._step = None
        self._patch_level = None
        if self.enabled:
            self._culprit_on()
        if plan is None:
            self._hide_all()
            return
        K, N, _ = plan.fibres.shape
        M = len(plan.pathway_mm)
        self.fibres.set_points(plan.fibres.reshape(-1, 3), np.tile(FIBRE_COLOUR, (K * N, 1)).astype(np.uint8))
        self.fibres.show_cells(np.arange(K), N, visible=self.enabled)
        self.pathway.set_points(plan.pathway_mm, np.tile(PATHWAY_COLOUR, (M, 1)).astype(np.uint8))
        self.pathway.show_cells(np.zeros(1, int), M, visible=self.enabled)
        # myelin colours from the plan's transition zone; the patch's vertices and their soft weights
        self._myelin_base = myelin_colours(self._nerve_arc, plan.tz_arc_mm)
        self._myelin[:] = self._myelin_base
        self._myelin_vtk.Modified()
        if plan.patch_arc_mm is not None:
            a0, a1 = plan.patch_arc_mm
            edge = 0.35
            w = np.clip(np.minimum(self._nerve_arc - a0, a1 - self._nerve_arc) / edge + 0.5, 0.0, 1.0)
            self._patch_vertices = np.flatnonzero(w > 0)
            self._patch_weight = w[self._patch_vertices][:, None]
            self.patch.place(plan.centerline_mm, plan.nerve_arc_mm, a0, a1, PATCH_SLEEVE_FACTOR * plan.nerve_radius_mm)
        else:
            self._patch_vertices = np.zeros(0, np.int64)
            self._patch_weight = np.zeros((0, 1))
        tz0, tz1 = plan.tz_arc_mm
        self.tz_ring.place(plan.centerline_mm, plan.nerve_arc_mm, tz0, tz1, TZ_RING_FACTOR * plan.nerve_radius_mm)
        # impulses: one point per scheduled event, coloured by kind; the cells pick the live ones
        kinds = plan.event_kinds()
        n = max(1, len(kinds))
        rgb = np.array([IMPULSE_COLOURS[k] for k in kinds] or [(0, 0, 0)], np.uint8)
        self.impulses.set_points(np.zeros((n, 3)), rgb)
        self.halos.set_points(np.zeros((n, 3)), rgb)
        self._impulse_pts = np.zeros((n, 3))
        geom = plan.spark_geometry
        if len(geom):
            self.sparks.set_points(geom.reshape(-1, 3), np.tile(SPARK_COLOUR, (len(geom) * SPARK_POINTS, 1)))
            self.flashes.set_points(geom[:, SPARK_POINTS // 2], np.tile(SPARK_COLOUR, (len(geom), 1)))
        else:
            self.sparks.set_points(np.zeros((1, 3)), np.zeros((1, 3), np.uint8))
            self.flashes.set_points(np.zeros((1, 3)), np.zeros((1, 3), np.uint8))
        self._set_legend(plan)
        if self.enabled:
            self._show_static()
            self.update(0.0)

    def _set_legend(self, plan: MechanismPlan) -> None:
        entries = [
            ("central myelin", MYELIN_COLOURS["central"]),
            ("transition zone", MYELIN_COLOURS["junction"]),
            ("peripheral myelin", MYELIN_COLOURS["peripheral"]),
        ]
        if plan.has_patch:
            entries.append(("demyelination", PATCH_COLOUR))
        present = set(plan.event_kinds())
        entries += [(IMPULSE_LEGEND[k], IMPULSE_COLOURS[k]) for k in IMPULSE_KINDS if k in present]
        self._legend_entries = entries[:LEGEND_POOL]
        for i, a in enumerate(self.legend):
            if i < len(self._legend_entries):
                text, colour = self._legend_entries[i]
                # central blue is dark on the dark panel: lighten text colours a little
                c = np.array(colour, float) / 255.0
                a.SetInput(text)
                a.GetTextProperty().SetColor(*(0.35 + 0.65 * c))
            else:
                a.SetInput(" ")

    # ------------------------------------------------------------------ on / off
    def set_enabled(self, on: bool) -> None:
        on = bool(on)
        if on == self.enabled or self._closed:
            return
        self.enabled = on
        if on:
            m = self._nerve_mapper
            self._mapper_saved = (
                m.GetScalarMode(),
                m.GetArrayName(),
                m.GetArrayAccessMode(),
                m.GetColorMode(),
                m.GetScalarVisibility(),
            )
            m.SetScalarModeToUsePointFieldData()
            m.SelectColorArray("myelin_rgb")
            m.SetColorModeToDirectScalars()
            m.ScalarVisibilityOn()
            self._nucleus_on()
            self._see_through_on()
            self._culprit_on()
            self._size = None
            if self.plan is not None:
                self._show_static()
                self.update(0.0)
        else:
            self._restore_nerve()
            self._nucleus_off()
            self._see_through_off()
            self._culprit_off()
            self._hide_all()

    def _restore_nerve(self) -> None:
        if self._mapper_saved is None:
            return
        mode, name, access, colour_mode, vis = self._mapper_saved
        m = self._nerve_mapper
        m.SetScalarMode(mode)
        if name:
            m.SelectColorArray(name)
        m.SetArrayAccessMode(access)
        m.SetColorMode(colour_mode)
        m.SetScalarVisibility(vis)
        self._mapper_saved = None

    def _nucleus_on(self) -> None:
        if self.nucleus_id is None:
            return
        a = self.scene.actors[self.nucleus_id]
        self._saved_nucleus = (a.prop.color.float_rgb, float(a.prop.opacity), float(a.prop.ambient))

    def _nucleus_off(self) -> None:
        if self.nucleus_id is None or self._saved_nucleus is None:
            return
        a = self.scene.actors[self.nucleus_id]
        colour, opacity, ambient = self._saved_nucleus
        a.prop.color = colour
        a.prop.opacity = opacity
        a.prop.ambient = ambient
        self._saved_nucleus = None

    def _see_through_on(self) -> None:
        # Through the scene's display state, never over the user's values: the structure
        # panel shows the effective opacity, and switching the view off gives the user's back.
        per = {sid: Override(max_opacity=level) for sid, level in self.see_through.items()}
        if self.nucleus_id is not None:
            per[self.nucleus_id] = Override(visible=True)
        culprit = self.plan.culprit_id if self.plan is not None and self.plan.has_patch else None
        if culprit in self.scene.actors and self.plan.culprit_source != "lesion":
            per[culprit] = Override(max_opacity=CULPRIT_OPACITY)
        self.scene.display.set_override(OVERRIDE_NAME, per)

    def _see_through_off(self) -> None:
        self.scene.display.clear_override(OVERRIDE_NAME)

    def _culprit_actor(self, plan: MechanismPlan | None):
        """The culprit's own actor when the scene's display state does not own it (a lesion, a
        vessel the shipped meshes lack)."""
        if plan is None or plan.culprit_id is None:
            return None
        if plan.culprit_source == "lesion":
            return self.plotter.actors.get(f"lesion-{plan.culprit_id}")
        return None if plan.culprit_id in self.scene.actors else self.plotter.actors.get(f"vessel-{plan.culprit_id}")

    def _culprit_on(self) -> None:
        """See-through culprit while the view is on: the patch and sparks under it show."""
        self._see_through_on()  # a shipped culprit is an override
        a = self._culprit_actor(self.plan) if self.plan is not None and self.plan.has_patch else None
        if a is None:
            return
        user = float(a.prop.opacity)
        a.prop.opacity = min(user, CULPRIT_OPACITY)
        self._saved_culprit = (a, user, float(a.prop.opacity))

    def _culprit_off(self) -> None:
        if self._saved_culprit is None:
            return
        a, user, ours = self._saved_culprit
        if abs(float(a.prop.opacity) - ours) < 1e-6:
            a.prop.opacity = user
        self._saved_culprit = None

    def _show_static(self) -> None:
        self.fibres.actor.VisibilityOn()
        self.pathway.actor.VisibilityOn()
        self.title.VisibilityOn()
        self.detail.VisibilityOn()
        self.source_text.VisibilityOn()
        for i, a in enumerate(self.legend):
            a.SetVisibility(i < len(self._legend_entries))

    def _hide_all(self) -> None:
        for a in (
            self.fibres.actor,
            self.pathway.actor,
            self.sparks.actor,
            self.flashes.actor,
            self.impulses.actor,
            self.halos.actor,
            self.title,
            self.detail,
            self.source_text,
            *self.legend,
        ):
            a.VisibilityOff()
        self.patch.actor.visibility = False
        self.tz_ring.actor.visibility = False

    # ------------------------------------------------------------------ per frame
    def update(self, t: float) -> MechanismState | None:
        """Pose everything for time t (seconds; loops with the plan's period). No render call."""
        if not self.enabled or self.plan is None:
            return None
        plan = self.plan
        st = plan.state_at(t)
        self.state = st
        self._layout()
        # impulses: write the live ones' positions into their fixed slots, draw only those
        ids = st.ids
        if len(ids):
            pts = self.impulses.poly.points
            pts[ids] = st.points
            self.impulses.poly.GetPoints().Modified()
            # the halo cloud shares the positions (its own array: a separate actor with a bigger size)
            hp = self.halos.poly.points
            hp[ids] = st.points
            self.halos.poly.GetPoints().Modified()
        self.impulses.show_cells(ids)
        self.halos.show_cells(ids)
        # sparks: fixed geometry, the live ones drawn, fading
        sp = st.spark_ids
        if len(sp):
            rgb = self.sparks.poly.point_data["rgb"]
            fade = np.repeat(st.spark_strength, SPARK_POINTS)[:, None]
            idx = (sp[:, None] * SPARK_POINTS + np.arange(SPARK_POINTS)[None, :]).ravel()
            rgb[idx] = np.rint(np.array(SPARK_COLOUR) * (0.35 + 0.65 * fade)).astype(np.uint8)
            self.sparks.poly.GetPointData().GetArray("rgb").Modified()
        self.sparks.show_cells(sp, SPARK_POINTS)
        self.flashes.show_cells(sp[st.spark_strength > 0.5] if len(sp) else sp)
        # demyelination: nerve surface colour and the sleeve
        level = round(st.patch_intensity, 3)
        if level != self._patch_level and len(self._patch_vertices):
            w = self._patch_weight * level
            base = self._myelin_base[self._patch_vertices].astype(float)
            self._myelin[self._patch_vertices] = np.rint(base * (1 - w) + np.array(PATCH_COLOUR) * w).astype(np.uint8)
            self._myelin_vtk.Modified()
        self._patch_level = level
        self.patch.set_level(level if plan.has_patch else 0.0)
        self.tz_ring.set_level(st.tz_glow)
        # nucleus glow
        if self.nucleus_id is not None and self._saved_nucleus is not None:
            a = self.scene.actors[self.nucleus_id]
            g = st.nucleus_glow
            base = np.array(self.scene.structures[self.nucleus_id].colour, float)
            a.prop.color = tuple(((1 - g) * base + g * np.array(NUCLEUS_GLOW)) / 255.0)
            a.prop.ambient = 0.15 + 0.75 * g
            a.prop.opacity = 0.75 + 0.25 * g
        # caption
        if st.step != self._step:
            self._step = st.step
            self._set_caption(st)
        return st

    def _set_caption(self, st: MechanismState) -> None:
        plan = self.plan
        cap = st.caption
        n = len(plan.captions)
        self.title.SetInput(f"{st.step + 1}/{n}   {cap.title}" if n > 1 else cap.title)
        self.detail.SetInput(cap.detail)
        src = cap.sources_line()
        note = "impulses slowed for display" if plan.has_impulses else ""
        self.source_text.SetInput("   \u00b7   ".join(s for s in (src, note) if s) or " ")
        self._fit_text()

    def caption_text(self) -> str:
        """What the caption says now (title, detail and sources lines)."""
        return "\n".join(a.GetInput() for a in (self.title, self.detail, self.source_text) if a.GetVisibility())

    # ------------------------------------------------------------------ layout
    def _layout(self) -> None:
        ren = self.plotter.renderer
        size = tuple(ren.GetSize())
        if size == self._size:
            return
        self._size = size
        w, h = size
        h = max(h, 1)
        self.impulses.actor.GetProperty().SetPointSize(max(6.0, h / 46.0))
        self.halos.actor.GetProperty().SetPointSize(max(10.0, h / 22.0))
        self.flashes.actor.GetProperty().SetPointSize(max(10.0, h / 20.0))
        self.fibres.actor.GetProperty().SetLineWidth(max(1.5, h / 420.0))
        self.pathway.actor.GetProperty().SetLineWidth(max(3.0, h / 160.0))
        self.sparks.actor.GetProperty().SetLineWidth(max(3.0, h / 110.0))
        self._fit_text()

    def _fit_text(self) -> None:
        if self._size is None:
            return
        w, h = self._size
        margin = max(4, int(h / 90))
        room = 0.8 * w  # the orientation axes sit in the lower left corner
        sizes = []
        for actor, target in ((self.source_text, h / 58.0), (self.detail, h / 32.0), (self.title, h / 22.0)):
            text = actor.GetInput() or ""
            chars = max((len(s) for s in text.split("\n")), default=1)
            px = int(max(9, min(target, room / (0.56 * max(chars, 1)))))
            actor.GetTextProperty().SetFontSize(px)
            sizes.append(px)
        y = margin
        for actor, px in zip((self.source_text, self.detail, self.title), sizes):
            actor.SetPosition(w / 2.0, y)
            y += int(px * 1.45)
        # legend: top left (contact callouts go up and right of their contacts), one coloured line each
        px = int(max(9, h / 50.0))
        for i, a in enumerate(self.legend):
            a.GetTextProperty().SetFontSize(px)
            a.SetPosition(margin, h - margin - i * int(px * 1.45))

    # ------------------------------------------------------------------ teardown
    def close(self) -> None:
        """Disable (giving every borrowed property back) and remove this view's actors."""
        if self._closed:
            return
        self.set_enabled(False)
        self._nerve_source.GetPointData().RemoveArray("myelin_rgb")
        overlay_actors = {id(a) for a in (self.sparks.actor, self.flashes.actor, self.halos.actor, self.impulses.actor)}
        for a in self.actors:
            if id(a) in overlay_actors:
                self.overlay.RemoveActor(a)
            else:
                self.plotter.remove_actor(a, render=False)
        rw = self.plotter.render_window
        if rw is not None:
            rw.RemoveRenderer(self.overlay)
        self._closed = True
