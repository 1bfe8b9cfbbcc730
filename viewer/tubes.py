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
