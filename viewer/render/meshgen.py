"""Reproducible mesh generator: anatomy model -> assets/meshes/*.vtp + manifest.json.

Run with `hfs-viewer meshes [--out DIR]` or `make meshes`. The brainstem and the
petrous bone are contoured from the model's signed distance functions (the same
functions the core uses for placement and clamping) with VTK's flying edges, then
Taubin-smoothed (no shrinkage) and decimated; tubes come from viewer.tubes (closed
capsules). Deterministic: the same code gives the same files.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pyvista as pv

from .. import __version__
from ..anatomy import BRAINSTEM_BOUNDS, Anatomy, brainstem_sdf, build_anatomy
from ..tubes import tube_points, tube_topology
from .style import KIND_COLOURS, SEGMENT_COLOURS, TZ_COLOUR

GENERATOR_VERSION = "2"  # 2: the corridor structures and the petrous pyramid
ASSET_DIR = Path(__file__).resolve().parents[2] / "assets" / "meshes"
TRIANGLE_BUDGET = 300_000
TUBE_SIDES = 24


def _contour_sdf(f, bounds, spacing: float, target_reduction: float) -> pv.PolyData:
    x0, x1, y0, y1, z0, z1 = bounds
    dims = [int(np.ceil((b - a) / spacing)) + 1 for a, b in ((x0, x1), (y0, y1), (z0, z1))]
    grid = pv.ImageData(dimensions=dims, spacing=(spacing,) * 3, origin=(x0, y0, z0))
    grid.point_data["sdf"] = f(grid.points)
    surf = grid.contour([0.0], scalars="sdf", method="flying_edges")
    surf = surf.triangulate().clean()
    if target_reduction > 0:
        surf = surf.decimate_pro(target_reduction, preserve_topology=True, feature_angle=60.0)
    surf = surf.smooth_taubin(n_iter=40, pass_band=0.05)
    surf = surf.compute_normals(auto_orient_normals=True, consistent_normals=True, split_vertices=False)
    return surf


def _tube_mesh(centerline: np.ndarray, radius: float) -> pv.PolyData:
    topo = tube_topology(len(centerline), TUBE_SIDES, cap_rings=5)
    mesh = pv.PolyData.from_regular_faces(tube_points(centerline, radius, topo), topo.faces)
    return mesh.compute_normals(split_vertices=False, consistent_normals=False, auto_orient_normals=False)


def facial_nerve_mesh(anatomy: Anatomy) -> pv.PolyData:
    """CN VII tube with per-vertex arc length, zone id and banded RGB colours."""
    f = anatomy.facial_nerve
    mesh = _tube_mesh(f.points_mm, f.radius_mm)
    topo_rings = len(f.points_mm)
    cap = 5
    sides = TUBE_SIDES
    ring_arc = np.concatenate([np.zeros(cap), f.arc_mm, np.full(cap, f.arc_mm[-1])])
    arc = np.concatenate([np.repeat(ring_arc, sides), [0.0, f.arc_mm[-1]]])
    assert len(arc) == mesh.n_points == (topo_rings + 2 * cap) * sides + 2
    seg = f.segment_at(arc)
    order = {"RExP": 0, "AS": 1, "RDP": 2, "CP": 3}
    seg_id = np.array([order[s] for s in seg], dtype=np.uint8)
    rgb = np.array([SEGMENT_COLOURS[s] for s in seg], dtype=np.uint8)
    tz0, tz1 = f.tz_arc_mm
    in_tz = (arc >= tz0) & (arc <= tz1)
    rgb[in_tz] = TZ_COLOUR
    mesh.point_data["arc_mm"] = arc
    mesh.point_data["segment_id"] = seg_id
    mesh.point_data["transition_zone"] = in_tz.astype(np.uint8)
    mesh.point_data["rgb"] = rgb
    return mesh


def build_meshes(anatomy: Anatomy | None = None) -> dict[str, tuple[pv.PolyData, dict]]:
    """All structure meshes with their manifest entries (without file hashes)."""
    a = anatomy or build_anatomy()
    out: dict[str, tuple[pv.PolyData, dict]] = {}
    bs = _contour_sdf(brainstem_sdf, BRAINSTEM_BOUNDS_PADDED, 0.45, 0.3)
    out["brainstem"] = (
        bs,
        {
            "name": "Brainstem",
            "kind": "brainstem",
            "role": "brainstem",
            "group": "brainstem",
            "description": "Medulla, pons, middle cerebellar peduncle and midbrain stubs; the pontomedullary sulcus carries the VII/VIII root exit.",
            "visible": True,
        },
    )
    pb = _contour_sdf(a.petrous.sdf, a.petrous.bounds, 0.6, 0.5)
    out["petrous"] = (
        pb,
        {
            "name": "Petrous bone (posterior face)",
            "kind": "bone",
            "role": "petrous",
            "group": "context",
            "description": "Posterior face of the petrous pyramid with the porus of the internal acoustic meatus and the jugular foramen.",
            "visible": True,
        },
    )
    nucleus = pv.Sphere(radius=1.5, center=a.landmarks["facial_motor_nucleus"], theta_resolution=24, phi_resolution=16)
    nucleus = nucleus.compute_normals(split_vertices=False)
    out["facial_nucleus"] = (
        nucleus,
        {
            "name": "Facial motor nucleus",
            "kind": "nucleus",
            "role": "nucleus",
            "group": "brainstem",
            "description": "Caudal pontine tegmentum; its hyperexcitability is the central hypothesis of HFS (Moller & Jannetta 1985).",
            "visible": False,
        },
    )
    out.update(corridor_meshes(a))
    for t in a.tubes.values():
        mesh = facial_nerve_mesh(a) if t.id == "cn7" else _tube_mesh(t.centerline_mm, t.radius_mm)
        out[t.id] = (
            mesh,
            {
                "name": t.name,
                "kind": t.kind,
                "role": t.role,
                "group": t.group,
                "description": t.description,
                "visible": t.visible,
                "radius_mm": t.radius_mm,
            },
        )
    for mesh, meta in out.values():
        meta["colour"] = list(KIND_COLOURS[meta["kind"]])
        meta["triangles"] = int(mesh.n_cells)
    return out


def _box_around(centre, radii, pad: float = 2.0) -> tuple[float, ...]:
    c, r = np.asarray(centre, float), np.max(radii) + pad
    return (c[0] - r, c[0] + r, c[1] - r, c[1] + r, c[2] - r, c[2] + r)


def corridor_meshes(a: Anatomy) -> dict[str, tuple[pv.PolyData, dict]]:
    """The retrosigmoid corridor's solids (hidden by default; the keyhole view shows them)."""
    s = a.surgical
    if s is None:
        return {}
    out = {}
    c = s.hemisphere_centre
    r = s.hemisphere_radii
    bounds = (min(c[0] - r[0], -60.0) - 2, 0.0, c[1] - r[1] - 2, c[1] + r[1] + 2, c[2] - r[2] - 2, c[2] + r[2] + 2)
    out["cerebellum"] = (
        _contour_sdf(s.cerebellum_sdf, bounds, 0.8, 0.5),
        {
            "name": "Left cerebellar hemisphere",
            "kind": "cerebellum",
            "role": "cerebellum",
            "group": "context",
            "description": "Operated-side hemisphere; its petrosal surface faces the petrous bone across the CPA cistern and is retracted in the retrosigmoid approach.",
            "visible": False,
        },
    )
    out["flocculus"] = (
        _contour_sdf(s.flocculus_sdf, _box_around(s.flocculus_centre, s.flocculus_radii), 0.35, 0.3),
        {
            "name": "Flocculus",
            "kind": "flocculus",
            "role": "flocculus",
            "group": "context",
            "description": "On the middle cerebellar peduncle behind CN VII/VIII; lifted in the infrafloccular approach to expose the root exit zone.",
            "visible": False,
        },
    )
    k = s.craniotomy_centre
    out["craniotomy"] = (
        _contour_sdf(s.bone_plate_sdf, _box_around(k, (s.craniotomy_radius_mm + 12.0,)), 0.5, 0.3),
        {
            "name": "Retrosigmoid craniotomy",
            "kind": "bone",
            "role": "craniotomy",
            "group": "context",
            "description": "Occipital bone around the keyhole behind the sigmoid and below the transverse sinus (about 2.3 cm).",
            "visible": False,
        },
    )
    return out


BRAINSTEM_BOUNDS_PADDED = tuple(v + d for v, d in zip(BRAINSTEM_BOUNDS, (-1, 1, -4, 4, -1, 1)))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_meshes(out_dir: Path | str = ASSET_DIR, anatomy: Anatomy | None = None) -> dict:
    """Write every mesh and manifest.json atomically into out_dir; return the manifest."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    a = anatomy or build_anatomy()
    meshes = build_meshes(a)
    structures = []
    for sid, (mesh, meta) in meshes.items():
        path = out_dir / f"{sid}.vtp"
        tmp = out_dir / f".{sid}.tmp.vtp"
        mesh.save(tmp, binary=True)
        os.replace(tmp, path)
        structures.append({"id": sid, "file": path.name, **meta, "sha256": _sha256(path)})
    manifest = {
        "format": "hfs-mesh-manifest",
        "generator_version": GENERATOR_VERSION,
        "package_version": __version__,
        "frame": "RAS",
        "units": "mm",
        "total_triangles": sum(s["triangles"] for s in structures),
        "structures": structures,
        "dimensions": [d.as_dict() for d in a.dimensions.values()],
    }
    tmp = out_dir / ".manifest.tmp.json"
    tmp.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir / "manifest.json")
    return manifest
