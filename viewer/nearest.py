"""Nearest-neighbour queries on a small, fixed point set, in pure numpy.

Why not a KD-tree: the only KD-tree at hand is ``scipy.spatial.cKDTree``, and
importing ``scipy.spatial`` pulls in linalg, sparse, special and scipy's own
OpenBLAS: about 53 MB of the frozen desktop build, which is over its size budget
(issue 6). The point sets queried here are small (a few hundred centreline
samples of a nerve or a vessel course; a few thousand query points at most), so
a brute-force search, vectorised and bounded in memory, is as fast in practice.

``NearestPoints.query`` keeps the semantics of ``cKDTree.query`` (k=1, p=2,
eps=0) that the analysis and the deformation rely on:

* the distance is ``sqrt((dx*dx + dy*dy) + dz*dz)``, summed in that order: the
  same rounding as ``cKDTree`` and ``np.linalg.norm`` (not ``np.einsum``, whose
  SIMD sum rounds differently), so results are bit for bit those of the KD-tree;
* with ``distance_upper_bound`` only neighbours strictly closer than the bound
  count, compared as squares (squared distance < bound * bound; so a bound below
  ~1e-154, whose square underflows, finds nothing); the others get distance
  ``inf`` and index ``n`` (the number of points), all as with ``cKDTree``;
* ties go to the lowest index (``argmin``), which is deterministic (``cKDTree``
  returns any one of the tied points).

Speed: with a finite bound, query points outside the point set's bounding box
grown by the bound are dropped before any distance is computed (most mesh
vertices or segment midpoints are far from a given vessel); the rest are handled
in chunks of at most ``CHUNK_ELEMENTS`` query-point pairs, so memory stays
around a megabyte whatever the sizes.
"""
from __future__ import annotations

import numpy as np

__all__ = ["NearestPoints", "CHUNK_ELEMENTS"]

CHUNK_ELEMENTS = 1 << 16  # query x point pairs per distance block (two float64 blocks of 512 KiB)


class NearestPoints:
    """Exact nearest-neighbour search on an (n, d) point set, built once and queried often.

    A drop-in for the ``cKDTree(points).query(x[, distance_upper_bound=...])`` calls of the
    pure core (see the module docstring for why there is no KD-tree).
    """

    def __init__(self, points):
        p = np.array(points, dtype=float)  # a private copy: later edits of `points` do not leak in
        if p.ndim != 2:
            raise ValueError("points must be an (n, d) array")
        p.flags.writeable = False
        self.points = p
        self.n, self.dim = p.shape
        # one contiguous array per coordinate: broadcasting a query column against it is the
        # cheapest way to build the (queries x points) difference block
        self._cols = [np.ascontiguousarray(p[:, k]) for k in range(self.dim)]
        if self.n:
            self.lo = p.min(axis=0)
            self.hi = p.max(axis=0)
            # the bounding-box prefilter is widened by this much so that rounding in
            # `lo - bound` can never drop a point that the exact test would keep
            self._slack = 1e-9 * (1.0 + float(np.abs(p).max()))
        else:
            self.lo = self.hi = np.zeros(self.dim)
            self._slack = 0.0

    def __len__(self) -> int:
        return self.n

    def query(self, x, distance_upper_bound: float = np.inf):
        """Distance to and index of the nearest point, for each query point.

        x: (..., d) query points, or one point (d,). Returns (dist, idx) shaped like
        x without its last axis (a float and an int for one point). Queries with no
        point strictly within `distance_upper_bound` get dist = inf and idx = n.
        """
        x = np.asarray(x, dtype=float)
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(f"query points must have {self.dim} coordinates (last axis)")
        shape = x.shape[:-1]
        q = x.reshape(-1, self.dim)
        dist = np.full(len(q), np.inf)
        idx = np.full(len(q), self.n, dtype=np.intp)
        ub = float(distance_upper_bound)
        if len(q) and self.n:
            bounded = ub < np.inf
            if bounded:
                # Bounding-box prefilter: a query further than the bound from the box along
                # one axis is further than the bound from every point (no distances needed).
                pad = ub * (1.0 + 1e-9) + self._slack
                near = np.all((q >= self.lo - pad) & (q <= self.hi + pad), axis=1)
                rows = np.flatnonzero(near)
            else:
                rows = np.arange(len(q))
            ub2 = ub * ub  # as cKDTree: compare squared distances with the squared bound
            step = max(1, CHUNK_ELEMENTS // self.n)
            for s in range(0, len(rows), step):
                r = rows[s:s + step]
                d2 = self._sqdist(q[r])
                j = np.argmin(d2, axis=1)  # first minimum: ties go to the lowest index
                best = d2[np.arange(len(r)), j]
                if bounded:
                    ok = best < ub2
                    r, j, best = r[ok], j[ok], best[ok]
                dist[r] = np.sqrt(best)
                idx[r] = j
        if x.ndim == 1:
            return float(dist[0]), int(idx[0])
        return dist.reshape(shape), idx.reshape(shape)

    def _sqdist(self, q: np.ndarray) -> np.ndarray:
        """(m, n) squared distances, accumulated coordinate by coordinate in order
        ((dx*dx + dy*dy) + dz*dz): the rounding of cKDTree and np.linalg.norm."""
        d2 = np.subtract(q[:, 0, None], self._cols[0][None, :])
        np.multiply(d2, d2, out=d2)
        if self.dim > 1:
            diff = np.empty_like(d2)
            for k in range(1, self.dim):
                np.subtract(q[:, k, None], self._cols[k][None, :], out=diff)
                np.multiply(diff, diff, out=diff)
                d2 += diff
        return d2
