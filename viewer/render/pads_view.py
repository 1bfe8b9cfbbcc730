"""Teflon pads and slings of a decompression plan (no Qt).

A pad is shredded Teflon felt: one shared unit-sphere mesh, made once, with a low-amplitude
lumpy displacement and a few hundred fibres raised and shaded into it (per-vertex colour, a
matte material with almost no specular), so it reads as white felt and not as a glossy ball.
Each pad is an actor on that mesh, placed, sized and turned by its `user_matrix` alone, so
dragging one never touches a mesh. A sling is a thin band from the vessel (a loop round it)
to a small clip at its anchor on the dura: tubes of fixed point counts, rewritten in place.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyvista as pv

from ..pad_editing import sling_point
from ..scenario import Pad, Scenario, Sling
from ..tubes import tube_points_normals, tube_topology

__all__ = ["PadsView", "felt_mesh", "pad_matrix", "FELT_WHITE", "SLING_COLOUR", "CLIP_COLOUR"]

FELT_WHITE = (246, 244, 238)  # the felt's base: a warm white, not paper white
FIBRE_SHADE = 0.80  # a fibre's core as a fraction of the base (a soft grey thread)
SLING_COLOUR = (236, 232, 214)  # the band: Teflon tape, a shade creamier than the felt
CLIP_COLOUR = (150, 160, 176)  # the anchor clip: titanium grey
SLING_RADIUS_MM = 0.3
BAND_RINGS = 12
LOOP_RINGS = 33  # closed loop round the vessel: the last ring meets the first
CLIP_RADIUS_MM = 0.75
_SIDES = 10
_CAP = 2


def felt_mesh(seed: int = 15, n_fibres: int = 420) -> pv.PolyData:
    """The unit felt ball (radius ~1): lumps, raised fibres, per-vertex 'rgb' and normals.

    Deterministic (seeded): every render shows the same felt. A new PolyData on arrays computed once
    (no VTK object outlives the views that use it)."""
    points, faces, normals, rgb = _felt_arrays(seed, n_fibres)
    mesh = pv.PolyData.from_regular_faces(points.copy(), faces)
    mesh.point_data["Normals"] = normals.copy()
    mesh.point_data.active_normals_name = "Normals"
    mesh.point_data["rgb"] = rgb.copy()
    return mesh


@lru_cache(maxsize=2)
def _felt_arrays(seed: int, n_fibres: int):
    rng = np.random.default_rng(seed)
    sphere = pv.Sphere(radius=1.0, theta_resolution=120, phi_resolution=80)
    p = np.asarray(sphere.points, float)
    n = p / np.linalg.norm(p, axis=1, keepdims=True)
    # lumps: a few low-frequency waves (a shredded wad is never a smooth ellipsoid)
    lump = np.zeros(len(n))
    for _ in range(7):
        k = rng.normal(size=3)
        k *= rng.uniform(2.0, 4.5) / np.linalg.norm(k)
        lump += np.sin(n @ k + rng.uniform(0, 2 * np.pi))
    lump *= 0.045 / 7**0.5
    # fibres: short arcs on the surface (random great-circle pieces), each a thin ridge
    fibre = np.zeros(len(n))
    for _ in range(n_fibres):
        a = rng.normal(size=3)
        a /= np.linalg.norm(a)
        axis = rng.normal(size=3)
        axis -= axis @ a * a
        axis /= np.linalg.norm(axis)
        half = rng.uniform(0.12, 0.45)  # half-length (radians of arc)
        width = rng.uniform(0.010, 0.022)
        # distance from the fibre's great circle and the angle along it from its middle
        off = np.abs(n @ axis)
        along = np.arctan2(n @ np.cross(axis, a), n @ a)
        near = (off < 4 * width) & (np.abs(along) < half) & (n @ a > 0)
        if near.any():
            w = np.exp(-((off[near] / width) ** 2)) * np.clip((half - np.abs(along[near])) / (0.3 * half), 0, 1)
            fibre[near] = np.maximum(fibre[near], w)
    r = 1.0 + lump + 0.018 * fibre + 0.006 * rng.standard_normal(len(n))  # fuzz: felt is never smooth
    sphere.points = n * r[:, None]
    mesh = sphere.compute_normals(point_normals=True, cell_normals=False, auto_orient_normals=True)
    shade = 1.0 - (1.0 - FIBRE_SHADE) * fibre - 0.05 * rng.random(len(n))
    rgb = np.clip(np.outer(shade, FELT_WHITE), 0, 255).astype(np.uint8)
    return (
        np.array(mesh.points, float),
        np.array(mesh.regular_faces),
        np.array(mesh.point_data["Normals"], float),
        rgb,
    )


def pad_matrix(pad: Pad) -> np.ndarray:
    """4x4 taking the unit ball to the pad: x_world = centre + axesᵀ · diag(radii) · x_unit."""
    m = np.eye(4)
    m[:3, :3] = pad.axes_matrix.T @ np.diag(np.asarray(pad.radii_mm, float))
    m[:3, 3] = np.asarray(pad.center_mm, float)
    return m


def _loop(centre, tangent, radius, n=LOOP_RINGS) -> np.ndarray:
    t = np.asarray(tangent, float)
    t = t / (np.linalg.norm(t) or 1.0)
    a = np.cross(t, [0.0, 0.0, 1.0] if abs(t[2]) < 0.9 else [1.0, 0.0, 0.0])
    a /= np.linalg.norm(a)
    b = np.cross(t, a)
    ang = np.linspace(0.0, 2 * np.pi, n)
    return np.asarray(centre, float) + radius * (np.cos(ang)[:, None] * a + np.sin(ang)[:, None] * b)


class PadsView:
    """Actors of the pads and slings, created when one appears and removed with it."""

    def __init__(self, plotter: pv.Plotter):
        self.plotter = plotter
        self.pad_actors: dict[str, pv.Actor] = {}
        self.sling_parts: dict[str, dict] = {}  # id -> {"band": (mesh, actor), "loop": ..., "clip": actor}
        self._band_topo = tube_topology(BAND_RINGS, _SIDES, _CAP)
        self._loop_topo = tube_topology(LOOP_RINGS, _SIDES, _CAP)
        self._clip = pv.Cylinder(radius=1.0, height=0.5, resolution=24)
        self._felt = felt_mesh()  # shared by this view's pads (placed by their matrices)
        self.visible = True

    # ------------------------------------------------------------------ pads
    def update_pads(self, pads) -> None:
        ids = {p.id for p in pads}
        for pid in list(self.pad_actors):
            if pid not in ids:
                self.plotter.remove_actor(self.pad_actors.pop(pid), render=False)
        for pad in pads:
            actor = self.pad_actors.get(pad.id)
            if actor is None:
                actor = self.plotter.add_mesh(
                    self._felt,
                    scalars="rgb",
                    rgb=True,
                    smooth_shading=True,
                    ambient=0.28,
                    diffuse=0.78,
                    specular=0.02,  # felt is matte: no highlight to make it a ball
                    specular_power=4,
                    name=f"pad-{pad.id}",
                    pickable=True,
                    reset_camera=False,
                    render=False,
                )
                self.pad_actors[pad.id] = actor
            actor.user_matrix = pad_matrix(pad)
            actor.visibility = self.visible

    # ------------------------------------------------------------------ slings
    def update_slings(self, slings, shown: Scenario) -> None:
        """Each sling from its vessel in `shown` (the scenario as drawn: rerouted) to its anchor."""
        ids = {s.id for s in slings}
        for sid in list(self.sling_parts):
            if sid not in ids:
                self._remove_sling(sid)
        vessels = {v.id: v for v in shown.vessels}
        for sling in slings:
            vessel = vessels.get(sling.vessel)
            if vessel is None:
                continue
            self._update_sling(sling, vessel)

    def _tube(self, parts: dict, key: str, line: np.ndarray, topo, colour, name: str) -> None:
        pts, nrm = tube_points_normals(line, SLING_RADIUS_MM, topo)
        if key not in parts:
            mesh = pv.PolyData.from_regular_faces(pts, topo.faces)
            mesh.point_data["Normals"] = nrm
            mesh.point_data.active_normals_name = "Normals"
            actor = self.plotter.add_mesh(
                mesh,
                color=colour,
                smooth_shading=True,
                ambient=0.25,
                diffuse=0.8,
                specular=0.05,
                name=name,
                pickable=True,
                reset_camera=False,
                render=False,
            )
            parts[key] = (mesh, actor)
            return
        mesh = parts[key][0]
        mesh.points[:] = pts
        mesh.point_data["Normals"][:] = nrm
        mesh.GetPointData().GetNormals().Modified()

    def _update_sling(self, sling: Sling, vessel) -> None:
        course = np.asarray(vessel.course_mm, float)
        at = min(max(sling.at_mm, 0.0), float(np.linalg.norm(np.diff(course, axis=0), axis=1).sum()))
        on_vessel = sling_point(course, at)
        tangent = sling_point(course, at + 0.5) - sling_point(course, max(at - 0.5, 0.0))
        anchor = np.asarray(sling.anchor_mm, float)
        parts = self.sling_parts.setdefault(sling.id, {})
        loop = _loop(on_vessel, tangent, float(vessel.radius_mm) + SLING_RADIUS_MM)
        # the band leaves the loop on the anchor's side of the vessel
        towards = anchor - on_vessel
        dist = float(np.linalg.norm(towards))
        start = on_vessel + (towards / dist) * (float(vessel.radius_mm) + SLING_RADIUS_MM) if dist > 1e-6 else on_vessel
        if np.linalg.norm(anchor - start) < 1e-3:
            anchor = start + np.array([0.0, 0.0, 1e-3])
        band = start + np.linspace(0.0, 1.0, BAND_RINGS)[:, None] * (anchor - start)
        self._tube(parts, "band", band, self._band_topo, SLING_COLOUR, f"sling-{sling.id}-band")
        self._tube(parts, "loop", loop, self._loop_topo, SLING_COLOUR, f"sling-{sling.id}-loop")
        if "clip" not in parts:
            parts["clip"] = self.plotter.add_mesh(
                self._clip,
                color=CLIP_COLOUR,
                smooth_shading=True,
                specular=0.5,
                specular_power=30,
                name=f"sling-{sling.id}-clip",
                pickable=True,
                reset_camera=False,
                render=False,
            )
        # the clip: a small disc on the dura, its face across the band
        d = (anchor - start) / (np.linalg.norm(anchor - start) or 1.0)
        x = np.cross(d, [0.0, 0.0, 1.0] if abs(d[2]) < 0.9 else [1.0, 0.0, 0.0])
        x /= np.linalg.norm(x)
        y = np.cross(d, x)
        m = np.eye(4)
        m[:3, :3] = np.column_stack([d, x, y]) * CLIP_RADIUS_MM  # the cylinder's axis is its x
        m[:3, 3] = anchor
        parts["clip"].user_matrix = m
        for actor in self.sling_actors(sling.id):
            actor.visibility = self.visible

    def sling_actors(self, sid: str) -> list:
        parts = self.sling_parts.get(sid, {})
        return [v[1] if isinstance(v, tuple) else v for v in parts.values()]

    def _remove_sling(self, sid: str) -> None:
        for actor in self.sling_actors(sid):
            self.plotter.remove_actor(actor, render=False)
        self.sling_parts.pop(sid, None)

    # ------------------------------------------------------------------ all
    def update(self, scenario: Scenario, shown: Scenario | None = None) -> None:
        """Pads and slings of `scenario`; slings follow their vessels as drawn (`shown`, default the same)."""
        self.update_pads(scenario.pads)
        self.update_slings(scenario.slings, shown if shown is not None else scenario)

    def set_visible(self, on: bool) -> None:
        """Hide or show the whole plan (the 'before decompression' view)."""
        self.visible = bool(on)
        for actor in self.pad_actors.values():
            actor.visibility = self.visible
        for sid in self.sling_parts:
            for actor in self.sling_actors(sid):
                actor.visibility = self.visible

    def object_of_actor(self, actor) -> tuple[str, str] | None:
        for pid, a in self.pad_actors.items():
            if a is actor:
                return "pad", pid
        for sid in self.sling_parts:
            if any(a is actor for a in self.sling_actors(sid)):
                return "sling", sid
        return None

    def clear(self) -> None:
        for pid in list(self.pad_actors):
            self.plotter.remove_actor(self.pad_actors.pop(pid), render=False)
        for sid in list(self.sling_parts):
            self._remove_sling(sid)
