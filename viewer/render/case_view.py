"""Patient cases on screen and out to files (no Qt): offscreen renders of a case, the
views oriented on the case's own anatomy, and the surfaces of any scene for export.

A patient is not at the model's coordinates, so the named views keep their directions
(anterior, left lateral, ... in RAS) but aim at the case: the centre of the brainstem,
nerves, vessels and lesions for the whole-anatomy views, the facial nerve's root exit (its
point nearest the brainstem) for the surgical and close-up views, and stand back by the
size of that anatomy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyvista as pv

from ..case import Case, display_structures
from ..display import DisplayState
from ..patient.export import ExportItem, item_from_mesh
from .orientation import OrientationMarker
from .style import BACKGROUND, KIND_COLOURS, LESION_COLOURS
from .views import DEFAULT_VIEW, VIEWS

__all__ = ["CaseActors", "case_camera", "render_case", "case_export_items", "scenario_export_items"]

_CLOSE_VIEWS = {"retrosigmoid": 0.7, "rez_closeup": 0.35, "keyhole": 0.6}  # distance relative to the whole-case view


def _centroid(mesh: pv.PolyData) -> np.ndarray:
    return np.asarray(mesh.points, float).mean(axis=0)


# The anatomy the views frame: context (bone, cerebellum, other) may be large and would push the
# CPA to a corner of the picture.
_FRAMED_ROLES = ("brainstem", "facial_nerve", "vestibulocochlear_nerve", "vessel", "lesion")


def case_camera(case: Case, meshes: dict[str, pv.PolyData], view: str = DEFAULT_VIEW):
    """(position, focal point, view up) of a named view, framed on this case."""
    v = VIEWS[view]
    d = np.asarray(v.direction, float)
    if case.side == "right":  # the mirror image: lateral and surgical views come from the right
        d = d * np.array([-1.0, 1.0, 1.0])
    d /= np.linalg.norm(d)
    framed = [s.id for s in case.structures if s.role in _FRAMED_ROLES and meshes[s.id].n_points]
    pts = np.vstack([np.asarray(meshes[sid].points) for sid in (framed or list(meshes))])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    radius = max(0.5 * float(np.linalg.norm(hi - lo)), 5.0)
    focal = 0.5 * (lo + hi)
    if view in _CLOSE_VIEWS:
        brainstem = [s.id for s in case.structures if s.role == "brainstem"]
        facial = [s.id for s in case.structures if s.role == "facial_nerve"]
        if facial:
            p = np.asarray(meshes[facial[0]].points, float)
            # the root exit: CN VII's point nearest the brainstem's centre
            focal = (
                p[np.argmin(np.linalg.norm(p - _centroid(meshes[brainstem[0]]), axis=1))] if brainstem else p.mean(0)
            )
    # 30 degree view angle: the framed anatomy's bounding sphere fills the frame
    dist = radius / np.sin(np.radians(15.0)) * _CLOSE_VIEWS.get(view, 1.0)
    up = np.asarray(v.up, float)
    up = up - np.dot(up, d) * d
    up /= np.linalg.norm(up)
    return focal + d * dist, focal, up


def _add_actor(plotter: pv.Plotter, sid: str, mesh: pv.PolyData, colour, opacity: float):
    return plotter.add_mesh(
        mesh,
        color=tuple(int(c) for c in colour),
        smooth_shading=True,
        specular=0.3,
        specular_power=20,
        diffuse=0.85,
        ambient=0.12,
        opacity=opacity,
        name=f"case-{sid}",
        reset_camera=False,
        render=False,
    )


def add_case_actors(plotter: pv.Plotter, case: Case, meshes: dict[str, pv.PolyData]) -> dict:
    display = DisplayState(display_structures(case))
    return {s.id: _add_actor(plotter, s.id, meshes[s.id], s.colour, display.opacity(s.id)) for s in case.structures}


def structure_of_vessel(vid: str, structures) -> str | None:
    """The case structure a scenario vessel comes from: `aica`, `aica_part2`, `aica_branch1` -> `aica`."""
    if vid in structures:
        return vid
    for sep in ("_part", "_branch"):
        base = vid.rsplit(sep, 1)[0]
        if sep in vid and base in structures:
            return base
    return None


class CaseActors:
    """A case's surfaces on a live plotter: one actor per structure, drawn as a DisplayState says.

    Like `Scene` for the model: actors are made once and follow the display state in place
    (visibility, opacity, colour); `remove()` takes them all off the plotter again."""

    def __init__(self, plotter: pv.Plotter, case: Case, meshes: dict[str, pv.PolyData], display: DisplayState):
        self.plotter = plotter
        self.case = case
        self.meshes = meshes
        self.display = display
        self.actors = {
            s.id: _add_actor(plotter, s.id, meshes[s.id], display.colour(s.id), display.opacity(s.id))
            for s in case.structures
        }
        self._labels_on = False
        self._label_actor = None
        self._landmark_actors: list = []
        self.tubes: dict[str, pv.PolyData] = {}  # edited patient vessels, drawn as their tubes
        self.tube_actors: dict = {}
        for sid in self.actors:
            self.apply(sid)
        display.add_listener(self._on_display)

    def apply(self, sid: str, what: str | None = None) -> None:
        actor, d = self.actors.get(sid), self.display
        if actor is None:
            return
        if what in (None, "visible"):
            actor.visibility = d.visible(sid)
        if what in (None, "opacity"):
            actor.prop.opacity = d.opacity(sid)
        if what in (None, "colour"):
            actor.prop.color = tuple(int(c) for c in d.colour(sid))

    def _on_display(self, sid: str, what: str) -> None:
        self.apply(sid, what)
        if what == "visible" and self._labels_on:
            self._refresh_labels()

    def camera(self, view: str):
        return case_camera(self.case, self.meshes, view)

    def structure_of_actor(self, actor) -> str | None:
        for sid, a in self.actors.items():
            if a is actor:
                return sid
        return None

    def set_labels(self, on: bool) -> None:
        self._labels_on = bool(on)
        self._refresh_labels()

    def label_anchors(self) -> dict[str, np.ndarray]:
        """Each visible structure's surface point nearest its centroid (on the surface, not inside it)."""
        out = {}
        for sid, mesh in self.meshes.items():
            if self.actors[sid].visibility and mesh.n_points:
                p = np.asarray(mesh.points, float)
                out[sid] = p[np.argmin(np.linalg.norm(p - p.mean(axis=0), axis=1))]
        return out

    def _refresh_labels(self) -> None:
        if self._label_actor is not None:
            self.plotter.remove_actor(self._label_actor, render=False)
            self.plotter.remove_actor("case-labels-points", render=False)  # add_point_labels' 2nd actor
            self._label_actor = None
        anchors = self.label_anchors() if self._labels_on else {}
        if not anchors:
            return
        self._label_actor = self.plotter.add_point_labels(
            np.array(list(anchors.values())),
            [self.display.structures[sid].name for sid in anchors],
            font_size=16,
            point_size=1,
            shape_opacity=0.55,
            always_visible=True,
            name="case-labels",
            reset_camera=False,
            render=False,
            pickable=False,
        )

    def set_tubes(self, vessels: dict) -> None:
        """Tubes of the edited patient vessels (`Vessel`s by id), updated in place; others removed."""
        for vid in [v for v in self.tube_actors if v not in vessels]:
            self.plotter.remove_actor(self.tube_actors.pop(vid), render=False)
            self.tubes.pop(vid, None)
        for vid, v in vessels.items():
            pts = np.asarray(v.course_mm, float)
            line = pv.PolyData(pts, lines=np.concatenate([[len(pts)], np.arange(len(pts))]))  # one polyline
            tube = line.tube(radius=float(v.radius_mm), n_sides=24, capping=True)
            if vid in self.tubes:
                self.tubes[vid].copy_from(tube)  # the actor keeps its mesh: updated in place
                continue
            self.tubes[vid] = tube
            colour = KIND_COLOURS["vein" if v.kind == "vein" else "artery"]
            self.tube_actors[vid] = _add_actor(self.plotter, f"tube-{vid}", tube, colour, 1.0)

    def object_of_actor(self, actor) -> str | None:
        """The structure whose edited vessel an actor draws (a click on its tube selects it)."""
        for vid, a in self.tube_actors.items():
            if a is actor:
                return structure_of_vessel(vid, self.actors)
        return None

    LANDMARK_COLOUR = (255, 105, 210)  # pink: no structure, vessel or pick marker uses it
    LANDMARK_WORDS = {"root_exit_point": "RExP", "root_detachment_point": "RDP", "internal_acoustic_meatus": "IAM"}

    def set_landmarks(self, landmarks: dict) -> None:
        """Markers at the facial nerve's landmarks (derived or placed), with their abbreviations.

        Rebuilt only when they moved: every re-analysis (a vessel drag) passes them again."""
        key = tuple(sorted((k, tuple(np.round(np.asarray(v, float), 6))) for k, v in (landmarks or {}).items()))
        if key == getattr(self, "_landmark_key", None):
            return
        self._landmark_key = key
        for actor in self._landmark_actors:
            self.plotter.remove_actor(actor, render=False)
        self.plotter.remove_actor("case-landmark-labels-points", render=False)
        self._landmark_actors = []
        pts = {k: np.asarray(v, float) for k, v in (landmarks or {}).items() if k in self.LANDMARK_WORDS}
        if not pts:
            return
        xyz = np.array(list(pts.values()))
        balls = pv.PolyData(xyz).glyph(
            geom=pv.Sphere(radius=0.45, theta_resolution=16, phi_resolution=16), scale=False, orient=False
        )
        self._landmark_actors.append(
            self.plotter.add_mesh(
                balls,
                color=self.LANDMARK_COLOUR,
                name="case-landmarks",
                pickable=False,
                reset_camera=False,
                render=False,
                smooth_shading=True,
            )
        )
        self._landmark_actors.append(
            self.plotter.add_point_labels(
                xyz,
                [self.LANDMARK_WORDS[k] for k in pts],
                font_size=14,
                point_size=1,
                shape_opacity=0.5,
                always_visible=True,
                name="case-landmark-labels",
                reset_camera=False,
                render=False,
                pickable=False,
            )
        )

    def remove(self) -> None:
        """Take the case off the plotter and stop listening to its display state."""
        self.set_landmarks({})
        self.set_tubes({})
        self.display.remove_listener(self._on_display)
        self._labels_on = False
        self._refresh_labels()
        for actor in self.actors.values():
            self.plotter.remove_actor(actor, render=False)
        self.actors = {}


def render_case(
    case: Case,
    meshes: dict[str, pv.PolyData],
    view: str = DEFAULT_VIEW,
    size=(1600, 1000),
    out: Path | str | None = None,
) -> np.ndarray:
    """An RGB image of the case's surfaces in their role colours, framed on the case."""
    plotter = pv.Plotter(off_screen=True, window_size=list(size))
    try:
        plotter.set_background(BACKGROUND[0], top=BACKGROUND[1])
        add_case_actors(plotter, case, meshes)
        pos, focal, up = case_camera(case, meshes, view)
        plotter.camera_position = [tuple(pos), tuple(focal), tuple(up)]
        plotter.reset_camera_clipping_range()
        marker = OrientationMarker(plotter, labels=("R", "A", "S"), line_width=3)  # not pyvista's widget: lean build
        img = plotter.screenshot(str(out) if out else None, return_img=True)
        del marker
    finally:
        plotter.close()
    return img


def case_export_items(case: Case, meshes: dict[str, pv.PolyData]) -> list[ExportItem]:
    return [item_from_mesh(s.id, s.name, s.colour, meshes[s.id]) for s in case.structures]


def scenario_export_items(scenario) -> list[ExportItem]:
    """The surfaces a scenario shows: the model's visible structures, its vessels (shipped
    ones re-shaped, the others as tubes), its lesions and CN VII deformed by its contacts.
    Built by the same ScenarioView as the renders, on a plotter that never draws."""
    from .scenario_view import ScenarioView
    from .scene import Scene

    plotter = pv.Plotter(off_screen=True, window_size=[64, 64])
    try:
        scene = Scene(plotter)
        sv = ScenarioView(scene)
        sv.show(scenario, annotations=False)
        items = []
        for sid, info in scene.structures.items():
            if not info.visible or sid in scene.absent:
                continue
            items.append(item_from_mesh(sid, info.name, info.colour, scene.mesh_set.meshes[sid].copy()))
        for vid, mesh in sv.extra_meshes.items():
            v = scenario.vessel(vid)
            colour = KIND_COLOURS["vein" if v.kind == "vein" else "artery"]
            items.append(item_from_mesh(vid, getattr(v, "label", None) or vid, colour, mesh.copy()))
        for les in scenario.lesions:
            actor = sv.lesion_actors[les.id]
            sphere = sv._sphere.transform(np.asarray(actor.user_matrix), inplace=False)
            items.append(
                item_from_mesh(les.id, getattr(les, "label", None) or les.id, LESION_COLOURS[les.kind], sphere)
            )
    finally:
        plotter.close()
    return items
