"""A scenario on a `Scene`: vessels, lesions, the deformed CN VII and contact callouts (no Qt).

One code path for the GUI (live drags), offscreen renders of a
scenario or preset (`hfs-viewer render --scenario/--preset`), report images and
video frames. Everything updates in place: vessel tubes of the shipped
mesh set are re-shaped by `LiveTubes`; vessels the mesh set lacks get a tube
actor of their own the first time they appear (a fixed ring count, so later
moves only overwrite points); lesions are one unit-sphere actor each, placed and
sized by the actor's `user_matrix`, so moving or resizing one never touches a
mesh. Shipped vessels that a scenario omits are hidden.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyvista as pv

from ..analysis import Findings
from ..anatomy import SEGMENT_NAMES
from ..geometry import resample_polyline
from ..scenario import Lesion, Scenario
from ..scene_model import SceneModel, SceneState
from ..tubes import tube_points_normals, tube_topology
from ..vocabulary import LESION_WORDS
from .live import CAP_RINGS, TUBE_SIDES, Callouts, LiveTubes
from .measurements import MeasurementsView
from .pads_view import PadsView
from .style import KIND_COLOURS, LESION_COLOURS, LESION_OPACITY

__all__ = ["ScenarioView", "render_scenario", "callout_items", "warning_items", "shown_scenario", "EXTRA_RINGS"]

EXTRA_RINGS = 160  # rings of a tube created for a vessel the shipped meshes lack
CENTRAL_SITE = "facial motor nucleus (pons)"
PATHWAY_RADIUS_MM = 0.35  # the intra-pontine facial fibres, drawn while a brainstem lesion is a finding
PATHWAY_COLOUR = (255, 225, 150)


def callout_items(findings: Findings, scenario: Scenario | None = None) -> list[tuple[np.ndarray, str, bool]]:
    """(point, text, highlight) per finding cause: "vessel » segment · severity" per contact, the
    culprit highlighted; a lesion at the facial motor nucleus or its pathway touches no nerve, so
    it gets "plaque » facial motor nucleus (pons)" at its centre (needs the scenario)."""
    items = []
    for c in findings.all_contacts:
        site = SEGMENT_NAMES[c.segment] if c.segment else c.structure
        items.append(
            (
                np.asarray(c.nerve_point_mm),
                f"{c.label} \u00bb {site} \u00b7 {c.severity}",
                c.id == findings.culprit and c.structure == "CN VII",
            )
        )
    if scenario is not None:
        for les in scenario.lesions:
            if les.id in findings.central_lesions:
                name = les.label or LESION_WORDS[les.kind]
                items.append(
                    (np.asarray(les.center_mm, float), f"{name} \u00bb {CENTRAL_SITE}", findings.culprit is None)
                )
    return items


# What a warning callout says (the panel gives the full text with its sources)
WARNING_WORDS = {
    "pad_on_rez": "Pad on the REZ",
    "pad_compresses_nerve": "Pad compresses CN VII",
    "pad_oversized": "Oversized pad",
    "sling_stretches_vessel": "Sling stretches the vessel",
    "vessel_kinked": "Vessel kinked",
}


def shown_scenario(state: SceneState) -> Scenario:
    """The scenario as drawn: vessels rerouted round pads and along slings when the scene model
    routes them (`effective_scenario`), else the scenario itself."""
    return getattr(state, "effective_scenario", None) or state.scenario


def _tightest_bend(scenario: Scenario, shown: Scenario) -> np.ndarray | None:
    """The point of the tightest bend among the stretches of vessels the plan moved (a kink)."""
    from ..decompression import bend_radii

    best = (np.inf, None)
    originals = {v.id: v for v in scenario.vessels}
    for v in shown.vessels:
        old = originals.get(v.id)
        course = np.asarray(v.course_mm, float)
        if old is None:
            continue
        # moved: off the vessel's own course (routing may change the sample count, so not index by index)
        oc = np.asarray(old.course_mm, float)
        moved = np.linalg.norm(course[:, None, :] - oc[None, :, :], axis=2).min(axis=1) > 0.05
        if not moved.any():
            continue
        r = np.where(moved, bend_radii(course) / float(v.radius_mm), np.inf)
        i = int(np.argmin(r))
        if r[i] < best[0]:
            best = (r[i], course[i])
    return best[1]


def _warning_point(w: dict, scenario: Scenario, decompression: dict, shown: Scenario | None) -> np.ndarray | None:
    """Where a plan warning points: the pad or sling it names, else the first that fits its code
    (a kink: the tightest bend of the moved vessels)."""
    code = w.get("code", "")
    if code == "vessel_kinked" and shown is not None:
        point = _tightest_bend(scenario, shown)
        if point is not None:
            return point
    pads = {p.id: p for p in scenario.pads}
    slings = {s.id: s for s in scenario.slings}
    pid = w.get("pad")
    if pid is None and code.startswith("pad_") and pads:
        on_vii = [c for c in decompression.get("pad_contacts", ()) if c.get("structure") == "CN VII"]
        if code == "pad_on_rez":
            on_vii = [c for c in on_vii if c.get("myelin") == "central"] or on_vii
        if code == "pad_oversized":
            pid = max(pads.values(), key=lambda p: max(p.radii_mm)).id
        elif on_vii and on_vii[0].get("pad") in pads:
            pid = on_vii[0]["pad"]
        else:
            pid = next(iter(pads))
    if pid in pads:
        return np.asarray(pads[pid].center_mm, float)
    sid = w.get("sling")
    if sid is None and slings:
        vid = w.get("vessel")
        sid = next((s.id for s in slings.values() if s.vessel == vid), next(iter(slings)))
    if sid in slings:
        return np.asarray(slings[sid].anchor_mm, float)
    return None


def warning_items(
    findings: Findings, scenario: Scenario, shown: Scenario | None = None
) -> list[tuple[np.ndarray, str, bool]]:
    """(point, text, highlight) per warning of the decompression plan, at the pad, sling or bend it is
    about (`shown`: the scenario as drawn, the vessels routed)."""
    dec = getattr(findings, "decompression", None)
    if not dec:
        return []
    items = []
    for w in dec.get("warnings", ()):
        point = _warning_point(w, scenario, dec, shown)
        if point is not None:
            words = WARNING_WORDS.get(w.get("code", ""), str(w.get("text", ""))[:40])
            items.append((point, f"Warning: {words}", False))
    return items


def _lesion_matrix(lesion: Lesion) -> np.ndarray:
    m = np.eye(4)
    m[0, 0], m[1, 1], m[2, 2] = (float(r) for r in lesion.radii_mm)
    m[:3, 3] = np.asarray(lesion.center_mm, float)
    return m


class ScenarioView:
    """Brings a Scene up to a Scenario and its Findings, creating actors only for new objects."""

    def __init__(self, scene, model: SceneModel | None = None, callout_pool: int = 10):
        self.scene = scene
        # the model evaluates scenarios given to show(); it shares the scene's display state so
        # that a scenario's overrides (a see-through pons for a plaque) reach the actors
        self.model = model if model is not None else SceneModel(display=scene.display)
        self.plotter = scene.plotter
        self.live = LiveTubes(scene)
        self.callouts = Callouts(self.plotter, callout_pool)
        self.measurements = MeasurementsView(self.plotter)
        self.plan = PadsView(self.plotter)  # Teflon pads and slings
        self.state: SceneState | None = None  # the state last shown
        self.pathway_actor = None
        self.retraction = None  # made on the first corridor with a retraction
        self.extra_meshes: dict[str, pv.PolyData] = {}
        # (course, radius) each vessel tube was last shaped to: a pad drag reroutes one vessel, the
        # others keep their course object and are not re-tubed
        self._drawn: dict[str, tuple[np.ndarray, float]] = {}
        self.extra_actors: dict[str, pv.Actor] = {}
        self.lesion_actors: dict[str, pv.Actor] = {}
        self._sphere = pv.Sphere(radius=1.0, theta_resolution=48, phi_resolution=32)
        self._extra_topo = tube_topology(EXTRA_RINGS, TUBE_SIDES, CAP_RINGS)

    # ------------------------------------------------------------------ side
    def sync_side(self, side: str) -> bool:
        """Mirror the scene to `side` in place if it shows the other one (the nerve is put back
        at rest first, so the mirrored rest shape is exact). True if it changed."""
        if self.scene.side == side:
            return False
        self.live.update_nerve(None)
        self._drawn.clear()  # the meshes are mirrored: every tube is shaped again
        if self.retraction is not None:  # the cerebellum back at rest too, then a new rest after the mirror
            self.retraction.set(0.0)
            self.retraction = None
        self.scene.set_side(side)
        self.live.capture_rest()
        return True

    # ------------------------------------------------------------------ corridor
    def update_retraction(self, state: SceneState) -> None:
        """The planned cerebellar retraction, in place (0 mm or no corridor: the meshes at rest)."""
        corridor = state.scenario.corridor
        mm = 0.0 if corridor is None else float(corridor.retraction_mm)
        if self.retraction is None:
            if mm == 0.0:
                return
            from .corridor_view import Retraction

            self.retraction = Retraction(self.scene, state.anatomy)
        if mm != self.retraction.retraction_mm:
            self.retraction.set(mm)

    # ------------------------------------------------------------------ vessels
    def shipped_vessel_ids(self) -> list[str]:
        return [sid for sid, info in self.scene.structures.items() if info.kind in ("artery", "vein")]

    def update_vessels(self, scenario: Scenario, ids=None) -> None:
        """Re-shape the vessels `ids` (all when None) in place; hide shipped vessels the scenario lacks."""
        wanted = {v.id for v in scenario.vessels}
        if ids is None:
            ids = wanted
            self.scene.set_absent({sid for sid in self.shipped_vessel_ids() if sid not in wanted})
            for sid in list(self.extra_actors):
                if sid not in wanted:
                    self.plotter.remove_actor(self.extra_actors.pop(sid), render=False)
                    self.extra_meshes.pop(sid)
                    self._drawn.pop(sid, None)
        for vid in ids:
            if vid not in wanted:
                continue
            v = scenario.vessel(vid)
            course = v.course_mm
            last = self._drawn.get(vid)
            if last is not None and last[1] == v.radius_mm and (last[0] is course or np.array_equal(last[0], course)):
                continue
            self._drawn[vid] = (course, v.radius_mm)
            if vid in self.scene.actors:
                self.live.update_vessel(vid, v.course_mm, v.radius_mm)
            else:
                self._update_extra(v)

    def _update_extra(self, vessel) -> None:
        line = resample_polyline(np.asarray(vessel.course_mm, float), count=EXTRA_RINGS)
        pts, nrm = tube_points_normals(line, float(vessel.radius_mm), self._extra_topo)
        mesh = self.extra_meshes.get(vessel.id)
        if mesh is None:
            mesh = pv.PolyData.from_regular_faces(pts, self._extra_topo.faces)
            mesh.point_data["Normals"] = nrm
            mesh.point_data.active_normals_name = "Normals"
            colour = KIND_COLOURS["vein" if vessel.kind == "vein" else "artery"]
            self.extra_actors[vessel.id] = self.plotter.add_mesh(
                mesh,
                color=colour,
                smooth_shading=True,
                specular=0.35,
                specular_power=20,
                diffuse=0.85,
                ambient=0.12,
                name=f"vessel-{vessel.id}",
                pickable=True,
                reset_camera=False,
                render=False,
            )
            self.extra_meshes[vessel.id] = mesh
            return
        mesh.points[:] = pts
        mesh.point_data["Normals"][:] = nrm
        mesh.GetPointData().GetNormals().Modified()

    def vessel_actor(self, vid: str):
        actor = self.extra_actors.get(vid)
        return actor if actor is not None else self.scene.actors.get(vid)

    # ------------------------------------------------------------------ lesions
    def update_lesions(self, scenario: Scenario) -> None:
        """One actor per lesion: created when a lesion appears, moved/resized by its matrix."""
        ids = {les.id for les in scenario.lesions}
        for lid in list(self.lesion_actors):
            if lid not in ids:
                self.plotter.remove_actor(self.lesion_actors.pop(lid), render=False)
        for les in scenario.lesions:
            actor = self.lesion_actors.get(les.id)
            if actor is None:
                actor = self.plotter.add_mesh(
                    self._sphere,
                    color=LESION_COLOURS[les.kind],
                    smooth_shading=True,
                    specular=0.3,
                    specular_power=15,
                    name=f"lesion-{les.id}",
                    pickable=True,
                    reset_camera=False,
                    render=False,
                )
                actor.prop.opacity = LESION_OPACITY.get(les.kind, 1.0)
                self.lesion_actors[les.id] = actor
            elif tuple(actor.prop.color.int_rgb) != tuple(LESION_COLOURS[les.kind]):
                actor.prop.color = LESION_COLOURS[les.kind]
            actor.user_matrix = _lesion_matrix(les)

    def object_of_actor(self, actor) -> tuple[str, str] | None:
        """("vessel"|"lesion"|"pad"|"sling", id) for an actor this view created (shipped actors: see Scene)."""
        obj = self.plan.object_of_actor(actor)
        if obj is not None:
            return obj
        for lid, a in self.lesion_actors.items():
            if a is actor:
                return "lesion", lid
        for vid, a in self.extra_actors.items():
            if a is actor:
                return "vessel", vid
        return None

    # ------------------------------------------------------------------ nerve + callouts
    @property
    def deformation(self):
        return None if self.state is None else self.state.deformation

    def update_findings(self, state: SceneState) -> None:
        """The state's deformed CN VII (dent/deviation + heat colours) and its callouts."""
        self.state = state
        deformation = state.deformation
        self.live.update_nerve(None if deformation.is_rest else deformation, deformation.depth_mm)
        self.callouts.set(
            callout_items(state.findings, state.scenario)
            + warning_items(state.findings, state.scenario, shown_scenario(state))
        )
        self._show_pathway(state)

    def _show_pathway(self, state: SceneState) -> None:
        """The nucleus-to-root-exit pathway, only while a lesion there is a finding (made once)."""
        on = bool(state.findings.central_lesions)
        if self.pathway_actor is None:
            if not on:
                return
            line = pv.Spline(np.asarray(state.anatomy.facial_pathway_mm, float), 200)
            self.pathway_actor = self.plotter.add_mesh(
                line.tube(radius=PATHWAY_RADIUS_MM, n_sides=12),
                color=PATHWAY_COLOUR,
                smooth_shading=True,
                name="facial-pathway",
                pickable=False,
                reset_camera=False,
                render=False,
            )
        self.pathway_actor.visibility = on

    def show(self, what: Scenario | SceneState, annotations: bool = True) -> SceneState:
        """Everything at once (offscreen renders, opening a file, animation frames).

        A Scenario becomes the model's scenario (analysed and deformed together); a SceneState
        (an animation frame evaluated elsewhere) is drawn as it is."""
        if isinstance(what, SceneState):
            state = what
        else:
            self.model.set_scenario(what)
            state = self.model.state
        self.sync_side(state.anatomy.side)
        shown = shown_scenario(state)
        self.update_vessels(shown)
        self.update_lesions(state.scenario)
        self.plan.update(state.scenario, shown)
        self.measurements.update(state.scenario.measurements)
        self.update_retraction(state)
        self.update_findings(state)
        if not annotations:
            self.callouts.clear()
            self.measurements.clear()
        return state


def render_scenario(
    scenario: Scenario,
    view: str | None = None,
    size=(1600, 1000),
    labels: bool = False,
    annotations: bool = True,
    out: Path | str | None = None,
) -> np.ndarray:
    """Render a scenario (vessels, lesions, deformed nerve, callouts) offscreen to an RGB array.

    `view` None takes the scenario's teaching view when it has one, else the default."""
    from .scene import Scene
    from .views import DEFAULT_VIEW

    if view is None:
        teaching = getattr(scenario, "teaching", None)
        view = getattr(teaching, "view", None) or DEFAULT_VIEW
    plotter = pv.Plotter(off_screen=True, window_size=list(size))
    try:
        scene = Scene(plotter)
        scene.set_view(view)
        scene.set_labels(labels)
        ScenarioView(scene).show(scenario, annotations=annotations)
        img = plotter.screenshot(str(out) if out else None, return_img=True)
    finally:
        plotter.close()
    return img
