"""Nearest-neighbour queries on a small, fixed point set, in pure numpy.

Why not a KD-tree: the only KD-tree at hand is ``scipy.spatial.cKDTree``, and
importing ``scipy.spatial`` pulls in linalg, sparse, special and scipy's own
OpenBLAS: about 53 MB of the frozen desktop build, which is over its size budget.
The point sets queried here are small (a few hundred centreline
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

Speed (measured against cKDTree on this app's sizes: build + query within a few
microseconds of it for the deformation's ~100 rings x ~130 course points, faster
for thousands of queries): above ``SMALL_BLOCK`` query-point pairs and with a
finite bound, query points outside the point set's bounding box grown by the
bound, and points outside the remaining queries' box grown by the bound, are
dropped before any distance is computed (far-away mesh vertices never reach the
brute force); below it the brute force is cheaper than those filters. Distances
are computed in chunks of at most ``CHUNK_ELEMENTS`` pairs, so memory stays under
a megabyte whatever the sizes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["NearestPoints", "CHUNK_ELEMENTS", "SMALL_BLOCK"]

CHUNK_ELEMENTS = 1 << 15  # query x point pairs per block (the (d, m, n) difference block: 768 KiB)
SMALL_BLOCK = 1 << 14  # up to this many query x point pairs, no prefilters: plain brute force


class NearestPoints:
    """Exact nearest-neighbour search on an (n, d) point set, built once and queried often.

    A drop-in for the ``cKDTree(points).query(x[, distance_upper_bound=...])`` calls of the
    pure core (see the module docstring for why there is no KD-tree).
    """

    def __init__(self, points):
        p = np.array(points, dtype=float)  # a private copy: later edits of `points` do not leak in
        if p.ndim != 2 or p.shape[1] < 1:
            raise ValueError("points must be an (n, d) array")
        p.flags.writeable = False
        self.points = p
        self.n, self.dim = p.shape
        self._t = np.ascontiguousarray(p.T)  # (d, n): coordinate-major, for the difference blocks
        if self.n:
            self.lo = p.min(axis=0)
            self.hi = p.max(axis=0)
            # the bounding-box prefilters are widened by this much so that rounding in
            # `lo - bound` can never drop a point that the exact test would keep
            self._slack = 1e-9 * (1.0 + float(max(np.abs(self.lo).max(), np.abs(self.hi).max())))
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
        q = x.reshape(-1, self.dim)
        m = len(q)
        ub = float(distance_upper_bound)
        bounded = ub < np.inf
        ub2 = ub * ub  # as cKDTree: compare squared distances with the squared bound
        dist = np.full(m, np.inf)
        idx = np.full(m, self.n, dtype=np.intp)
        pts, cand, rows = self._t, None, None  # all points, all queries
        if bounded and m * self.n > SMALL_BLOCK and self.n:
            # Bounding-box prefilters, both ways: a query further than the bound from the
            # points' box along one axis is further than the bound from every point, and a
            # point further than the bound from the remaining queries' box is nobody's
            # neighbour within the bound. Neither needs a distance; what is left is usually
            # a small block (a vessel course near a few nerve rings). Below SMALL_BLOCK pairs
            # the brute force costs less than these array operations.
            pad = ub * (1.0 + 1e-9) + self._slack
            rows = np.flatnonzero(np.all((q >= self.lo - pad) & (q <= self.hi + pad), axis=1))
            q = q[rows]
            if len(q):
                lo, hi = q.min(axis=0) - pad, q.max(axis=0) + pad
                cand = np.flatnonzero(np.all((self.points >= lo) & (self.points <= hi), axis=1))
                pts = self._t[:, cand]  # the subsets keep their order: ties still go to the lowest index
        if len(q) and pts.shape[1]:
            step = max(1, CHUNK_ELEMENTS // pts.shape[1])
            for s in range(0, len(q), step):
                d2 = _sqdist(q[s : s + step], pts)
                j = np.argmin(d2, axis=1)  # first minimum: ties go to the lowest index
                best = d2[np.arange(len(j)), j]
                at = np.arange(s, s + len(j)) if rows is None else rows[s : s + len(j)]
                if cand is not None:
                    j = cand[j]
                if bounded:
                    ok = best < ub2
                    at, j, best = at[ok], j[ok], best[ok]
                dist[at] = np.sqrt(best)
                idx[at] = j
        if x.ndim == 1:
            return float(dist[0]), int(idx[0])
        shape = x.shape[:-1]
        return dist.reshape(shape), idx.reshape(shape)


def _sqdist(q: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """(m, n) squared distances between q (m, d) and pts (d, n), summed coordinate by
    coordinate in order ((dx*dx + dy*dy) + dz*dz): the rounding of cKDTree and np.linalg.norm.
    (The queries are repeated into a contiguous (d, m, n) block first: subtracting a
    broadcast operand is slower than that copy.)"""
    m, n = len(q), pts.shape[1]
    diff = np.repeat(q.T, n, axis=1).reshape(len(pts), m, n)
    diff -= pts[:, None, :]
    diff *= diff
    d2 = diff[0] if len(diff) == 1 else diff[0] + diff[1]
    for k in range(2, len(diff)):
        d2 += diff[k]
    return d2
