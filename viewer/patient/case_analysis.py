"""A case's own anatomy and findings: nerve path, vessel centrelines, contacts (docs/case-analysis.md).

``case_anatomy(case, meshes)`` measures the surfaces (centrelines and radii, the brainstem's
distance field, the vessels' surfaces) and builds a ``viewer.case_anatomy.CaseAnatomy``;
``case_scenario`` turns each vessel into a scenario vessel (spline handles through its
centreline, its mean radius); ``analyze_case`` runs ``viewer.analysis.analyze`` on both, so
the findings keep the contract of the model's. Errors are ``CaseError`` lines naming the case
file and the structure (the CLI prints them and exits 2).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pyvista as pv

from ..analysis import CN7, CN8, Findings, analyze
from ..anatomy import Tube
from ..case import Case, CaseError
from ..case_anatomy import (
    MESH_CONTACT_MM,
    CaseAnatomy,
    CaseAnatomyError,
    NerveSurface,
    VesselSurface,
    build_facial_nerve,
    make_shape,
)
from ..centerline import Centerline, CenterlineError
from ..geometry import arc_lengths, resample_polyline
from ..scenario import VESSEL_RADIUS_RANGE_MM, Scenario, Vessel, scenario_from_dict
from .case_geometry import SurfaceDistance, _normals, structure_centerline
from .surfaces import count_pieces

__all__ = ["CaseGeometry", "case_anatomy", "case_scenario", "analyze_case", "contact_tolerance", "HANDLE_STEP_MM"]

HANDLE_STEP_MM = 3.0  # spline handles along a vessel's centreline (a drag moves a few mm of it)


@dataclass
class CaseGeometry:
    """Everything measured on a case: the anatomy for the analysis and the vessels' centrelines."""

    anatomy: CaseAnatomy
    vessels: dict[str, Vessel]  # scenario vessels made from the surfaces (branches: `<id>_branch<k>`)
    centerlines: dict[str, Centerline]  # per vessel structure
    timings_s: dict[str, float] = field(default_factory=dict)  # centreline extraction per structure


def contact_tolerance(case: Case, structure_ids) -> float:
    """One voxel of the sources of these structures (the largest edge: the coarsest direction in
    which a layer of CSF could go unseen); 0.3 mm for meshes and for sources without a voxel size."""
    tol = 0.0
    for sid in structure_ids:
        s = case.structure(sid)
        src = case.sources[s.source] if s.source is not None and s.source < len(case.sources) else None
        if src is not None and src.voxel_mm is not None:
            tol = max(tol, max(src.voxel_mm))
        else:
            tol = max(tol, MESH_CONTACT_MM)
    return tol or MESH_CONTACT_MM


def _err(case_name: str, text: str) -> CaseError:
    return CaseError(f"{case_name}: {text}")


def _union_sdf(fs):
    if not fs:
        return None
    if len(fs) == 1:
        return fs[0]
    return lambda p: np.min(np.stack([f(p) for f in fs]), axis=0)


SPECK_SHARE = 0.05  # pieces under this share of a structure's largest piece are specks of the segmentation


def _pieces(mesh: pv.PolyData) -> list[pv.PolyData]:
    """The connected pieces of a surface, largest first, specks left out."""
    if count_pieces(mesh) <= 1:
        return [mesh]
    conn = mesh.connectivity("all")  # PolyData in, PolyData out (vtkPolyDataConnectivityFilter)
    ids = np.asarray(conn.cell_data["RegionId"])
    pts, faces = np.asarray(conn.points), np.asarray(conn.regular_faces)
    parts = []
    for r in np.unique(ids):
        # each region's triangles as a surface of its own, in numpy: extract_cells + extract_surface
        # would need vtkFiltersGeometry, which the frozen build leaves out
        f = faces[ids == r]
        used, local = np.unique(f, return_inverse=True)
        part = pv.PolyData(pts[used], faces=np.column_stack([np.full(len(f), 3), local.reshape(-1, 3)]).ravel())
        if part.n_cells >= 8:
            parts.append(part)
    parts.sort(key=lambda m: -abs(float(m.volume)))
    if not parts:
        return [mesh]
    big = abs(float(parts[0].volume))
    return [p for p in parts if abs(float(p.volume)) >= SPECK_SHARE * big]


def _vertices(meshes) -> np.ndarray | None:
    return np.vstack([np.asarray(m.points, float) for m in meshes]) if meshes else None


def _nerve_centerline(
    case_name: str, sid: str, mesh: pv.PolyData, what: str, landmarks: dict | None = None
) -> tuple[Centerline, pv.PolyData]:
    pieces = _pieces(mesh)
    if len(pieces) > 1 and landmarks and "root_exit_point" in landmarks:
        # the user placed the root exit point: the nerve is the piece it lies on
        p = np.asarray(landmarks["root_exit_point"], float)
        pieces = [min(pieces, key=lambda m: float(np.min(np.linalg.norm(np.asarray(m.points) - p, axis=1))))]
    if len(pieces) > 1:
        raise _err(
            case_name,
            f"{sid}: the {what} has {len(pieces)} pieces: join them in the segmentation, or place the landmarks "
            "(root exit point, internal acoustic meatus) by hand on the piece to analyse",
        )
    try:
        return structure_centerline(pieces[0], step=0.2), pieces[0]
    except CenterlineError as exc:
        raise _err(case_name, f"{sid}: {exc}; place the landmarks by hand") from None


def _vessel_from(sid: str, label: str, kind: str, role: str, points: np.ndarray, radius: float) -> Vessel:
    pts = np.asarray(points, float)
    n = max(2, int(round(arc_lengths(pts)[-1] / HANDLE_STEP_MM)) + 1)
    handles = resample_polyline(pts, count=n) if len(pts) > 1 and arc_lengths(pts)[-1] > 0 else pts[[0, 0]]
    r = float(np.clip(radius, *VESSEL_RADIUS_RANGE_MM))
    return Vessel(sid, label, kind, role, r, handles)


def case_anatomy(case: Case, meshes: dict[str, pv.PolyData], name: str | None = None) -> CaseGeometry:
    """Measure a case: its facial nerve (segment map), CN VIII, vessels (centrelines, radii)."""
    cname = name or case.name
    by_role: dict[str, list] = {}
    for s in case.structures:
        by_role.setdefault(s.role, []).append(s)
    facial = by_role.get("facial_nerve", [])
    if not facial:
        raise _err(cname, "no structure has the role facial_nerve (give it with --label VALUE=facial_nerve)")
    if len(facial) > 1:
        raise _err(cname, f"{len(facial)} structures have the role facial_nerve ({', '.join(s.id for s in facial)})")
    f7 = facial[0]
    timings: dict[str, float] = {}
    brainstem = _union_sdf([SurfaceDistance(meshes[s.id]) for s in by_role.get("brainstem", [])])
    vessels = by_role.get("vessel", [])
    tol = contact_tolerance(case, [f7.id] + [s.id for s in vessels])
    t0 = time.perf_counter()
    c7, m7 = _nerve_centerline(cname, f7.id, meshes[f7.id], "facial nerve", case.landmarks)
    timings[f7.id] = time.perf_counter() - t0
    v7 = np.asarray(m7.points, float)
    try:
        fres = build_facial_nerve(
            c7.points_mm,
            c7.radius_mm,
            v7,
            _normals(m7),
            brainstem_sdf=brainstem,
            brainstem_vertices=_vertices([meshes[s.id] for s in by_role.get("brainstem", [])]),
            landmarks=case.landmarks,
            tolerance_mm=tol,
            structure=f7.id,
            name=f7.name,
        )
    except CaseAnatomyError as exc:
        raise _err(cname, str(exc)) from None
    nerves = [NerveSurface(CN7, fres.shape, v7)]
    cn8 = None
    n8 = by_role.get("vestibulocochlear_nerve", [])
    if n8:
        s8 = n8[0]
        try:
            t0 = time.perf_counter()
            c8 = structure_centerline(meshes[s8.id], step=0.2)
            timings[s8.id] = time.perf_counter() - t0
        except CenterlineError:
            c8 = None  # CN VIII is context: the analysis goes on without it
        if c8 is not None and len(c8.points_mm) >= 2:
            p8, r8 = c8.points_mm, c8.radius_mm
            if brainstem is not None and np.diff(brainstem(p8[[0, -1]]))[0] < 0:
                p8, r8 = p8[::-1].copy(), r8[::-1].copy()
            shape8 = make_shape(p8, arc_lengths(p8), np.asarray(meshes[s8.id].points, float), _normals(meshes[s8.id]))
            nerves.append(NerveSurface(CN8, shape8, np.asarray(meshes[s8.id].points, float)))
            ctrl = np.vstack([p8[:: max(1, len(p8) // 12)], p8[-1:]])
            cn8 = Tube("cn8", s8.name, "nerve", "cn8", shape8.radius_mm, ctrl, "nerves", "The patient's CN VIII.")
    derived: dict[str, Vessel] = {}
    notes: list[str] = []
    surfaces: dict = {}
    centerlines: dict[str, Centerline] = {}
    for s in vessels:
        mesh = meshes[s.id]
        kind = s.kind or "artery"
        role = s.vessel_role or "other"
        t0 = time.perf_counter()
        cls = []
        for piece in _pieces(mesh):
            try:
                cls.append(structure_centerline(piece))
            except CenterlineError:
                continue  # a sliver thinner than a voxel: nothing to follow
        cls = [c for c in cls if len(c.points_mm) >= 2]
        timings[s.id] = time.perf_counter() - t0
        if not cls:
            notes.append(f"{s.id}: no centreline (thinner than the voxel the surfaces are sampled at); left out")
            continue
        c = cls[0]
        centerlines[s.id] = c
        derived[s.id] = _vessel_from(s.id, s.name, kind, role, c.points_mm, c.mean_radius_mm)
        children = []
        for k, part in enumerate(cls[1:], 2):  # a vessel cut by the field of view, or a gap in the label
            pid = f"{s.id}_part{k}"
            derived[pid] = _vessel_from(pid, f"{s.name} (part {k})", kind, role, part.points_mm, part.mean_radius_mm)
            children.append(pid)
        nb = 0
        for part in cls:
            for bp, br in part.branches:
                if len(bp) >= 2:
                    nb += 1
                    bid = f"{s.id}_branch{nb}"
                    derived[bid] = _vessel_from(bid, f"{s.name} (branch {nb})", kind, role, bp, float(np.median(br)))
                    children.append(bid)
        b = np.array(mesh.bounds, float)
        # every part and branch is measured with its structure's whole surface, under the structure's id
        lines = np.vstack([p for part in cls for p in [part.points_mm, *(bp for bp, _ in part.branches)]])
        surfaces[s.id] = VesselSurface(SurfaceDistance(mesh), (b[0::2], b[1::2]), lines, tuple(children))
    if notes:
        fres = replace(fres, notes=fres.notes + tuple(notes))
    anatomy = CaseAnatomy(case.side, fres, nerves, surfaces, derived, tol, cn8=cn8, brainstem_sdf=brainstem)
    return CaseGeometry(anatomy, derived, centerlines, timings)


def case_scenario(case: Case, geometry: CaseGeometry) -> Scenario:
    """The case's scenario: its own (edited vessels, pads, history ...) over the vessels of its surfaces."""
    base = Scenario(case.name, side=case.side)
    if case.scenario is not None:
        base = scenario_from_dict(case.scenario, f"{case.name}: case.json: $.scenario")
    own = {v.id: v for v in base.vessels}
    vessels = [own.pop(vid, v) for vid, v in geometry.vessels.items()] + list(own.values())
    return Scenario(
        base.name,
        tuple(vessels),
        base.lesions,
        base.history,
        base.description,
        base.teaching,
        case.side,
        base.pads,
        base.slings,
        base.corridor,
        base.measurements,
    )


def analyze_case(case: Case, meshes: dict[str, pv.PolyData], geometry: CaseGeometry | None = None) -> Findings:
    """The findings of the case's own geometry (contract of `analyze --json`)."""
    geometry = geometry or case_anatomy(case, meshes)
    scenario = case_scenario(case, geometry)
    anatomy = geometry.anatomy
    return analyze(scenario, anatomy, anatomy.thresholds())


def vessel_structures(case: Case, geometry: CaseGeometry) -> list[dict]:
    """Each vessel as a structure of the anatomy contract: centerline_mm and radius_mm (its mean)."""
    out = []
    for s in case.structures:
        if s.id not in geometry.centerlines:
            continue
        c = geometry.centerlines[s.id]
        out.append(
            {
                "id": s.id,
                "name": s.name,
                "kind": s.kind or "artery",
                "role": s.vessel_role or "other",
                "radius_mm": round(c.mean_radius_mm, 3),
                "centerline_mm": np.round(c.points_mm, 3).tolist(),
                "radius_along_mm": np.round(c.radius_mm, 3).tolist(),
                "length_mm": round(c.length_mm, 3),
                "branches": [
                    {"centerline_mm": np.round(p, 3).tolist(), "radius_along_mm": np.round(r, 3).tolist()}
                    for p, r in c.branches
                ],
            }
        )
    return out
