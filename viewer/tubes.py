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
    """Area-weighted unit vertex normals for a fixed topology (the deformed nerve needs them on
    every mouse move), in pure numpy.

    This was a scipy.sparse vertex-face incidence product; scipy is out of the frozen build for
    its size (the desktop build's size budget). The result is the same bit for bit: each vertex adds up the unnormalised
    cross products of its faces one after the other, in increasing face order, starting from 0
    (what the sparse product did), and the normalisation is `_unit_rows`'s.

    How, fast (the whole call is about twice as fast as the sparse version was; the face sums
    alone take ~1.3x the sparse product's time): everything is laid out coordinate-major, (3, F)
    and (3, N), so every gather is a plain 1-D take. The per-vertex sums are done in "layers":
    layer k holds, for every vertex, its k-th face (by face index) or a zero column if it has
    fewer, so adding the layers in turn is exactly the sequential per-vertex sum: one gather
    and one reduction in all. Vertices with many more faces than the rest (a tube's two poles
    touch every face of their cap) would add many nearly empty layers; their remaining faces
    are summed by one `np.add.accumulate` (sequential by definition) on a small block.
    """

    def __init__(self, faces: np.ndarray, n_points: int):
        f = np.asarray(faces, dtype=np.intp).reshape(-1, 3)
        self.faces = f
        self.n_points = n = int(n_points)
        self.n_faces = nf = len(f)
        self._corners = [np.ascontiguousarray(f[:, c]) for c in range(3)]
        # (vertex, face) incidences sorted by vertex, then face; a face naming one vertex twice
        # counts once (it is degenerate: its cross product is zero, so this changes nothing)
        key = np.unique(f.ravel().astype(np.int64) * max(nf, 1) + np.repeat(np.arange(nf), 3))
        pv, pf = key // max(nf, 1), key % max(nf, 1)
        deg = np.bincount(pv, minlength=n)
        rank = np.arange(len(key)) - (np.cumsum(deg) - deg)[pv]  # position in the vertex's face list
        # as many full layers as most vertices need: beyond them at most ~1.5 % of the vertices
        n_layers = 0
        while np.count_nonzero(deg > n_layers) > max(16, n // 64):
            n_layers += 1
        zero = nf  # index of the zero column appended to the face normals
        self._layers = np.full((n_layers, n), zero, dtype=np.intp)
        lay = rank < n_layers
        self._layers[rank[lay], pv[lay]] = pf[lay]
        self._tail_vertices = np.flatnonzero(deg > n_layers)
        width = int(deg.max(initial=0)) - n_layers
        self._tail = np.full((len(self._tail_vertices), max(width, 0)), zero, dtype=np.intp)
        row = np.searchsorted(self._tail_vertices, pv[~lay])
        self._tail[row, rank[~lay] - n_layers] = pf[~lay]

    def __call__(self, points: np.ndarray) -> np.ndarray:
        n, nf = self.n_points, self.n_faces
        pt = np.ascontiguousarray(np.asarray(points, float).T)  # (3, N)
        c0, c1, c2 = self._corners
        v0 = np.take(pt, c0, axis=1)
        e1 = np.take(pt, c1, axis=1) - v0
        e2 = np.take(pt, c2, axis=1) - v0
        # face normals = np.cross(e1, e2), written out (same operations, so the same rounding),
        # plus one zero column that the layers use as padding
        fn = np.empty((3, nf + 1))
        fn[:, nf] = 0.0
        np.multiply(e1[1], e2[2], out=fn[0, :nf])
        fn[0, :nf] -= e1[2] * e2[1]
        np.multiply(e1[2], e2[0], out=fn[1, :nf])
        fn[1, :nf] -= e1[0] * e2[2]
        np.multiply(e1[0], e2[1], out=fn[2, :nf])
        fn[2, :nf] -= e1[1] * e2[0]
        if len(self._layers):
            # one gather for all layers, (3, layers, N), then the layers added in turn: numpy
            # reduces along a slow (not the innermost) axis one element after the other, no
            # pairwise summation (documented under np.sum; tests/unit/test_geometry.py checks it)
            acc = np.add.reduce(np.take(fn, self._layers, axis=1), axis=1)
        else:
            acc = np.zeros((3, n))
        tv = self._tail_vertices
        if tv.size:
            block = np.concatenate([acc[:, tv, None], np.take(fn, self._tail, axis=1)], axis=2)
            acc[:, tv] = np.add.accumulate(block, axis=2)[:, :, -1]
        # The sparse sum started from +0.0, so it never gave -0.0 (which would survive the
        # normalisation below). np.add.reduce happens to start from +0.0 too, undocumented; a sum
        # started from its first term gives -0.0 where all terms are -0.0. Adding 0.0 turns
        # -0.0 into +0.0 and leaves every other value as it is (1 us, a safety net).
        acc += 0.0
        # _unit_rows, coordinate-major: np.linalg.norm sums the squares in this order
        x, y, z = acc
        norm = np.sqrt(x * x + y * y + z * z)
        out = np.zeros((n, 3))
        np.divide(acc.T, norm[:, None], out=out, where=(norm > 0)[:, None])
        return out
