"""Curve and distance geometry in plain numpy (pure core: no Qt, no VTK).

Everything here works on RAS millimetre coordinates. Tubes (nerves, vessels) are
modelled as capsule chains: a polyline centreline plus one radius. For capsule
chains the analytic centreline distance is exact and the fastest route to
surface gaps (see docs/design-notes.md, "Geometry: contact and depth").
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "catmull_rom",
    "resample_polyline",
    "arc_lengths",
    "segment_distances",
    "parallel_transport_frames",
    "unit",
]


def unit(v: np.ndarray) -> np.ndarray:
    """Normalise vectors along the last axis (zero vectors stay zero)."""
    v = np.asarray(v, dtype=float)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.divide(v, n, out=np.zeros_like(v), where=n > 0)


def arc_lengths(points: np.ndarray) -> np.ndarray:
    """Cumulative arc length at each polyline vertex, starting at 0."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(seg)])


def catmull_rom(control: np.ndarray, samples_per_span: int = 24, alpha: float = 0.5) -> np.ndarray:
    """Centripetal Catmull-Rom spline through every control point.

    Centripetal (alpha=0.5) parametrisation never overshoots or forms cusps
    between close handles, which matters when a user drags a handle near its
    neighbour. The curve passes through all control points, end points included.
    """
    p = np.asarray(control, dtype=float)
    if p.ndim != 2 or p.shape[1] != 3 or len(p) < 2:
        raise ValueError("control points must be an (N>=2, 3) array")
    if len(p) == 2:
        t = np.linspace(0.0, 1.0, samples_per_span + 1)[:, None]
        return p[0] + t * (p[1] - p[0])
    # Phantom end points by reflection keep the end tangents natural.
    ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    d = np.maximum(np.linalg.norm(np.diff(ext, axis=0), axis=1), 1e-9) ** alpha  # knot intervals
    # Hermite form of the centripetal spline (same curve as the Barry-Goldman
    # pyramid, far fewer array operations): per-span tangents, one shared basis.
    p0, p1, p2, p3 = ext[:-3], ext[1:-2], ext[2:-1], ext[3:]
    t01, t12, t23 = d[:-2, None], d[1:-1, None], d[2:, None]
    m1 = t12 * ((p1 - p0) / t01 - (p2 - p0) / (t01 + t12) + (p2 - p1) / t12)
    m2 = t12 * ((p2 - p1) / t12 - (p3 - p1) / (t12 + t23) + (p3 - p2) / t23)
    basis = _hermite_basis(samples_per_span)
    c = np.einsum("uk,kpd->pud", basis, np.stack([p1, m1, p2, m2]))
    return np.vstack([c.reshape(-1, 3), p[-1][None, :]])


_BASIS_CACHE: dict[int, np.ndarray] = {}


def _hermite_basis(n: int) -> np.ndarray:
    b = _BASIS_CACHE.get(n)
    if b is None:
        u = np.linspace(0.0, 1.0, n, endpoint=False)
        u2, u3 = u * u, u * u * u
        b = np.column_stack([2 * u3 - 3 * u2 + 1, u3 - 2 * u2 + u, -2 * u3 + 3 * u2, u3 - u2])
        _BASIS_CACHE[n] = b
    return b


def resample_polyline(points: np.ndarray, step: float | None = None, count: int | None = None) -> np.ndarray:
    """Resample a polyline at equal arc-length spacing (by step or by point count)."""
    pts = np.asarray(points, dtype=float)
    s = arc_lengths(pts)
    total = s[-1]
    if count is None:
        if step is None or step <= 0:
            raise ValueError("give step > 0 or count")
        count = max(2, int(np.ceil(total / step)) + 1)
    t = np.linspace(0.0, total, count)
    return np.column_stack([np.interp(t, s, pts[:, k]) for k in range(3)])


def parallel_transport_frames(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tangent and two normals per vertex, rotation-minimising (no twist in tubes)."""
    pts = np.asarray(points, dtype=float)
    tan = np.gradient(pts, axis=0)
    tan = unit(tan)
    ref = np.array([0.0, 0.0, 1.0]) if abs(tan[0, 2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    n = np.empty_like(pts)
    n[0] = unit(np.cross(tan[0], ref))
    for i in range(1, len(pts)):
        v = n[i - 1] - np.dot(n[i - 1], tan[i]) * tan[i]
        ln = np.linalg.norm(v)
        n[i] = v / ln if ln > 1e-12 else n[i - 1]
    b = np.cross(tan, n)
    return tan, n, b


def segment_distances(a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray):
    """Closest distance between segment pairs, vectorised.

    a0, a1, b0, b1 are broadcastable (..., 3) arrays. Returns (dist, s, t) where s
    and t in [0, 1] locate the closest points a0 + s(a1-a0) and b0 + t(b1-b0).
    Standard clamped closed form (Ericson, Real-Time Collision Detection, 5.1.9).
    """
    d1 = a1 - a0
    d2 = b1 - b0
    r = a0 - b0
    a = np.einsum("...k,...k->...", d1, d1)
    e = np.einsum("...k,...k->...", d2, d2)
    f = np.einsum("...k,...k->...", d2, r)
    c = np.einsum("...k,...k->...", d1, r)
    b = np.einsum("...k,...k->...", d1, d2)
    eps = 1e-12
    a_safe = np.where(a > eps, a, 1.0)
    e_safe = np.where(e > eps, e, 1.0)
    denom = a * e - b * b
    s = np.where(denom > eps, np.clip((b * f - c * e) / np.where(denom > eps, denom, 1.0), 0.0, 1.0), 0.0)
    t = (b * s + f) / e_safe
    # t outside [0,1]: clamp and recompute s.
    s = np.where(t < 0.0, np.clip(-c / a_safe, 0.0, 1.0), np.where(t > 1.0, np.clip((b - c) / a_safe, 0.0, 1.0), s))
    t = np.clip(t, 0.0, 1.0)
    # Degenerate segments (points): B a point -> t = 0; A a point -> s = 0.
    s = np.where(e <= eps, np.clip(-c / a_safe, 0.0, 1.0), s)
    t = np.where(e <= eps, 0.0, t)
    t = np.where(a <= eps, np.clip(f / e_safe, 0.0, 1.0), t)
    s = np.where(a <= eps, 0.0, s)
    diff = (a0 + s[..., None] * d1) - (b0 + t[..., None] * d2)
    return np.linalg.norm(diff, axis=-1), s, t
