"""Patient cases on screen and out to files (no Qt): offscreen renders of a case, the
views oriented on the case's own anatomy, and the surfaces of any scene for export.

A patient is not at the model's coordinates, so the named views keep their directions
(anterior, left lateral, ... in RAS) but aim at the case: the brainstem's centre for
the whole-anatomy views, the facial nerve's root exit (its point nearest the brainstem)
for the surgical and close-up views, and stand back by the case's size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyvista as pv

from ..case import Case
from ..display import DEFAULT_OPACITY
from ..patient.export import ExportItem, item_from_mesh
from .orientation import OrientationMarker
from .style import BACKGROUND, KIND_COLOURS, LESION_COLOURS
from .views import DEFAULT_VIEW, VIEWS

__all__ = ["case_camera", "render_case", "case_export_items", "scenario_export_items"]

_CLOSE_VIEWS = {"retrosigmoid": 0.75, "rez_closeup": 0.32}  # distance relative to the whole-case view


def _centroid(mesh: pv.PolyData) -> np.ndarray:
    return np.asarray(mesh.points, float).mean(axis=0)


def case_camera(case: Case, meshes: dict[str, pv.PolyData], view: str = DEFAULT_VIEW):
    """(position, focal point, view up) of a named view, framed on this case."""
    v = VIEWS[view]
    d = np.asarray(v.direction, float)
    if case.side == "right":  # the mirror image: lateral and surgical views come from the right
        d = d * np.array([-1.0, 1.0, 1.0])
    d /= np.linalg.norm(d)
    pts = np.vstack([np.asarray(m.points) for m in meshes.values()])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    radius = max(0.5 * float(np.linalg.norm(hi - lo)), 5.0)
    brainstem = [s.id for s in case.structures if s.role == "brainstem"]
    focal = _centroid(meshes[brainstem[0]]) if brainstem else 0.5 * (lo + hi)
    if view in _CLOSE_VIEWS:
        facial = [s.id for s in case.structures if s.role == "facial_nerve"]
        if facial:
            p = np.asarray(meshes[facial[0]].points, float)
            focal = p[np.argmin(np.linalg.norm(p - focal, axis=1))] if brainstem else p.mean(axis=0)
        else:
            focal = 0.5 * (lo + hi)
    dist = (
        radius / np.sin(np.radians(15.0)) * 0.8 * _CLOSE_VIEWS.get(view, 1.0)
    )  # 30 degree view angle: fills the frame
    up = np.asarray(v.up, float)
    up = up - np.dot(up, d) * d
    up /= np.linalg.norm(up)
    return focal + d * dist, focal, up


def add_case_actors(plotter: pv.Plotter, case: Case, meshes: dict[str, pv.PolyData]) -> dict:
    actors = {}
    for s in case.structures:
        opacity = DEFAULT_OPACITY.get("bone", 1.0) if s.role == "bone" else (0.85 if s.role == "cerebellum" else 1.0)
        actors[s.id] = plotter.add_mesh(
            meshes[s.id],
            color=tuple(s.colour),
            smooth_shading=True,
            specular=0.3,
            specular_power=20,
            opacity=opacity,
            name=f"case-{s.id}",
            reset_camera=False,
            render=False,
        )
    return actors


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
