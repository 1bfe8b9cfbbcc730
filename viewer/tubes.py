"""Closed tube surfaces around centrelines, in numpy (pure core).

Why not vtkTubeFilter: its caps are separate flat polygons with duplicated
points, so the result is not one closed, consistently oriented surface. Here a
tube is rings of vertices on rotation-minimising frames plus hemispherical end
caps, triangulated once. The topology depends only on (samples, sides), so a
dragged vessel updates by overwriting the point array in place.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geometry import parallel_transport_frames


@dataclass(frozen=True)
class TubeTopology:
    n_rings: int
    n_sides: int
    cap_rings: int
    faces: np.ndarray  # (F, 3) int triangles, outward (counter-clockwise seen from outside)

    @property
    def n_points(self) -> int:
        return (self.n_rings + 2 * self.cap_rings) * self.n_sides + 2


def tube_topology(n_rings: int, n_sides: int = 24, cap_rings: int = 4) -> TubeTopology:
    total = n_rings + 2 * cap_rings
    ring = np.arange(n_sides)
    nxt = (ring + 1) % n_sides
    tris = []
    for r in range(total - 1):
        a = r * n_sides + ring
        b = r * n_sides + nxt
        c = (r + 1) * n_sides + ring
        d = (r + 1) * n_sides + nxt
        tris.append(np.column_stack([a, b, d]))
        tris.append(np.column_stack([a, d, c]))
    start_pole = total * n_sides
    end_pole = start_pole + 1
    tris.append(np.column_stack([np.full(n_sides, start_pole), nxt, ring]))
    last = (total - 1) * n_sides
    tris.append(np.column_stack([last + ring, last + nxt, np.full(n_sides, end_pole)]))
    return TubeTopology(n_rings, n_sides, cap_rings, np.vstack(tris).astype(np.int64))


def tube_points(centerline: np.ndarray, radius, topo: TubeTopology) -> np.ndarray:
    """Vertex positions for a tube of the given topology (centreline has n_rings points).

    `radius` may be a scalar or one value per centreline point (used to indent
    the nerve under a compressing vessel).
    """
    c = np.asarray(centerline, float)
    if len(c) != topo.n_rings:
        raise ValueError(f"centreline has {len(c)} points, topology expects {topo.n_rings}")
    r = np.broadcast_to(np.asarray(radius, float), (len(c),))
    tan, n, b = parallel_transport_frames(c)
    ang = np.linspace(0.0, 2 * np.pi, topo.n_sides, endpoint=False)
    cos, sin = np.cos(ang), np.sin(ang)
    # ring directions: (rings, sides, 3)
    dirs = n[:, None, :] * cos[None, :, None] + b[:, None, :] * sin[None, :, None]
    body = c[:, None, :] + r[:, None, None] * dirs
    k = topo.cap_rings
    phi = np.linspace(0.0, np.pi / 2, k + 2)[1:-1]  # from the equator towards the pole, pole excluded
    start = [c[0] - tan[0] * r[0] * np.sin(f) + r[0] * np.cos(f) * dirs[0] for f in phi[::-1]]
    end = [c[-1] + tan[-1] * r[-1] * np.sin(f) + r[-1] * np.cos(f) * dirs[-1] for f in phi]
    rings = np.concatenate([np.array(start), body, np.array(end)], axis=0) if k else body
    poles = np.array([c[0] - tan[0] * r[0], c[-1] + tan[-1] * r[-1]])
    return np.vstack([rings.reshape(-1, 3), poles])


def _transport_normals(tan: np.ndarray) -> np.ndarray:
    """First normal of the rotation-minimising frames, same rule as
    geometry.parallel_transport_frames, but as a scalar loop over Python floats:
    about ten times faster for the 100-250 rings of a dragged vessel (the numpy
    version spends its time in per-ring small-array overhead)."""
    t = tan.tolist()
    t0 = tan[0]
    ref = np.array([0.0, 0.0, 1.0]) if abs(t0[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    n0 = np.cross(t0, ref)
    ln = float(np.linalg.norm(n0))
    nx, ny, nz = (n0 / ln).tolist() if ln > 0 else (0.0, 0.0, 0.0)
    out = [(nx, ny, nz)]
    for tx, ty, tz in t[1:]:
        d = nx * tx + ny * ty + nz * tz
        vx, vy, vz = nx - d * tx, ny - d * ty, nz - d * tz
        ln = (vx * vx + vy * vy + vz * vz) ** 0.5
        if ln > 1e-12:
            nx, ny, nz = vx / ln, vy / ln, vz / ln
        out.append((nx, ny, nz))
    return np.array(out)


def _unit_rows(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.divide(v, n, out=np.zeros_like(v), where=n > 0)


def tube_points_normals(centerline: np.ndarray, radius, topo: TubeTopology) -> tuple[np.ndarray, np.ndarray]:
    """Vertex positions and analytic outward unit normals of a tube, from one frame computation.

    Same vertex layout as `tube_points` (and the same positions to rounding), so a
    live vessel update can overwrite a shipped mesh's points and 'Normals' arrays in
    place without running vtkPolyDataNormals. Body normals are the ring directions,
    tilted by the radius slope where the radius varies; cap normals are the
    hemisphere's radial directions; the poles point along the end tangents.
    """
    c = np.asarray(centerline, float)
    if len(c) != topo.n_rings:
        raise ValueError(f"centreline has {len(c)} points, topology expects {topo.n_rings}")
    r = np.broadcast_to(np.asarray(radius, float), (len(c),))
    tan = _unit_rows(np.gradient(c, axis=0))
    n = _transport_normals(tan)
    b = np.cross(tan, n)
    ang = np.linspace(0.0, 2 * np.pi, topo.n_sides, endpoint=False)
    cos, sin = np.cos(ang), np.sin(ang)
    dirs = n[:, None, :] * cos[None, :, None] + b[:, None, :] * sin[None, :, None]
    body = c[:, None, :] + r[:, None, None] * dirs
    if np.ptp(r) > 0:
        ds = np.linalg.norm(np.gradient(c, axis=0), axis=1)
        slope = np.gradient(r) / np.maximum(ds, 1e-12)
        body_n = _unit_rows(dirs - slope[:, None, None] * tan[:, None, :])
    else:
        body_n = dirs
    k = topo.cap_rings
    pts = [body]
    nrm = [body_n]
    if k:
        phi = np.linspace(0.0, np.pi / 2, k + 2)[1:-1]
        sf, cf = np.sin(phi), np.cos(phi)
        # start cap: phi descending (pole side first), end cap: ascending (equator first)
        s_n = -tan[0][None, None, :] * sf[::-1, None, None] + cf[::-1, None, None] * dirs[0][None]
        e_n = tan[-1][None, None, :] * sf[:, None, None] + cf[:, None, None] * dirs[-1][None]
        pts = [c[0] + r[0] * s_n, body, c[-1] + r[-1] * e_n]
        nrm = [s_n, body_n, e_n]
    poles_n = np.array([-tan[0], tan[-1]])
    poles = np.array([c[0] + r[0] * poles_n[0], c[-1] + r[-1] * poles_n[1]])
    points = np.vstack([np.concatenate(pts, axis=0).reshape(-1, 3), poles])
    normals = np.vstack([np.concatenate(nrm, axis=0).reshape(-1, 3), poles_n])
    return points, normals


def tube_normals(centerline: np.ndarray, radius, topo: TubeTopology) -> np.ndarray:
    """Analytic outward unit vertex normals for `tube_points(centerline, radius, topo)`."""
    return tube_points_normals(centerline, radius, topo)[1]


def vertex_normals(points: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals of a triangle mesh (for deformed tubes)."""
    return VertexNormals(faces, len(points))(points)


class VertexNormals:
    """Area-weighted vertex normals for a fixed topology: the vertex-face incidence is a
    sparse matrix built once, so each call is one cross product and one sparse product
    (the deformed nerve needs this on every mouse move; about 6x faster than bincount)."""

    def __init__(self, faces: np.ndarray, n_points: int):
        from scipy.sparse import csr_matrix

        f = np.asarray(faces)
        self.faces = f
        rows = f.ravel()
        cols = np.repeat(np.arange(len(f)), 3)
        self.incidence = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_points, len(f)))

    def __call__(self, points: np.ndarray) -> np.ndarray:
        tri = np.take(np.asarray(points, float), self.faces, axis=0)  # one gather: (F, 3, 3)
        fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        return _unit_rows(self.incidence @ fn)
