"""Curve and distance geometry in plain numpy (pure core: no Qt, no VTK).

Everything here works on RAS millimetre coordinates. Tubes (nerves, vessels) are
modelled as capsule chains: a polyline centreline plus one radius. For capsule
chains the analytic centreline distance is exact and the fastest route to
surface gaps (see ../shared/engineering-notes.md, "Geometry: contact and depth").
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
    d = np.linalg.norm(np.diff(ext, axis=0), axis=1)
    d = np.maximum(d, 1e-9) ** alpha
    knots = np.concatenate([[0.0], np.cumsum(d)])
    # All spans at once (Barry-Goldman pyramid), vectorised: (spans, samples, 3).
    n_span = len(p) - 1
    u = np.linspace(0.0, 1.0, samples_per_span, endpoint=False)[None, :, None]
    i = np.arange(1, n_span + 1)
    p0, p1, p2, p3 = (ext[i + k][:, None, :] for k in (-1, 0, 1, 2))
    t0, t1, t2, t3 = (knots[i + k][:, None, None] for k in (-1, 0, 1, 2))
    t = t1 + u * (t2 - t1)
    a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1
    a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
    a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
    b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
    b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
    c = (t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2
    return np.vstack([c.reshape(-1, 3), p[-1][None, :]])


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
