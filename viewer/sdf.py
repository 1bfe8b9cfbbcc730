"""Signed distance primitives in numpy (negative inside, millimetres).

The brainstem and petrous bone are implicit solids: the same function gives the
shipped mesh (contoured by the render layer), clamps dragged vessels at the pial
surface, and places nerve roots on it, so the three can never disagree.
Primitives and smooth blends follow Inigo Quilez's formulations.
"""

from __future__ import annotations

import numpy as np


def ellipsoid(p: np.ndarray, centre, radii) -> np.ndarray:
    """Approximate (bounded) ellipsoid distance; exact on the surface."""
    q = (p - np.asarray(centre)) / np.asarray(radii)
    k0 = np.linalg.norm(q, axis=-1)
    k1 = np.linalg.norm(q / np.asarray(radii), axis=-1)
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-9)


def capsule(p: np.ndarray, a, b, r: float) -> np.ndarray:
    a = np.asarray(a, float)
    ba = np.asarray(b, float) - a
    pa = p - a
    h = np.clip(pa @ ba / (ba @ ba), 0.0, 1.0)
    return np.linalg.norm(pa - h[..., None] * ba, axis=-1) - r


def tapered_elliptic_column(
    p: np.ndarray, z0: float, z1: float, r0, r1, centre_y0: float, centre_y1: float
) -> np.ndarray:
    """Elliptic cross-section column along z whose radii and centre vary linearly.

    Used for the medulla, which widens from the cervicomedullary junction up to the
    pontomedullary sulcus. Distance is approximate away from the surface, exact on it
    (sufficient for contouring and for projections onto the surface).
    """
    t = np.clip((p[..., 2] - z0) / (z1 - z0), 0.0, 1.0)
    rx = r0[0] + t * (r1[0] - r0[0])
    ry = r0[1] + t * (r1[1] - r0[1])
    cy = centre_y0 + t * (centre_y1 - centre_y0)
    qx = p[..., 0] / rx
    qy = (p[..., 1] - cy) / ry
    k0 = np.hypot(qx, qy)
    k1 = np.hypot(qx / rx, qy / ry)
    side = k0 * (k0 - 1.0) / np.maximum(k1, 1e-9)
    cap = np.maximum(z0 - p[..., 2], p[..., 2] - z1)
    return np.maximum(side, cap)


def rounded_box(p: np.ndarray, centre, half, axes, radius: float) -> np.ndarray:
    """Box with rounded edges; axes is a 3x3 matrix whose rows are the box axes."""
    q = (p - np.asarray(centre)) @ np.asarray(axes).T
    d = np.abs(q) - (np.asarray(half) - radius)
    outside = np.linalg.norm(np.maximum(d, 0.0), axis=-1)
    inside = np.minimum(np.max(d, axis=-1), 0.0)
    return outside + inside - radius


def smooth_union(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
    h = np.clip(0.5 + 0.5 * (b - a) / k, 0.0, 1.0)
    return b + (a - b) * h - k * h * (1.0 - h)


def smooth_subtract(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
    """a minus b, blended over k millimetres."""
    h = np.clip(0.5 - 0.5 * (a + b) / k, 0.0, 1.0)
    return a + (-b - a) * h + k * h * (1.0 - h)


def gradient(f, p: np.ndarray, h: float = 0.05) -> np.ndarray:
    """Central-difference gradient of a distance function at points p (N, 3)."""
    p = np.atleast_2d(np.asarray(p, float))
    g = np.empty_like(p)
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        g[:, k] = (f(p + e) - f(p - e)) / (2 * h)
    return g


def project_to_surface(f, p: np.ndarray, offset: float = 0.0, iterations: int = 30) -> np.ndarray:
    """Move points along the gradient until f(p) == offset (Newton steps)."""
    p = np.atleast_2d(np.asarray(p, float)).copy()
    for _ in range(iterations):
        d = f(p) - offset
        if np.all(np.abs(d) < 1e-5):
            break
        g = gradient(f, p)
        gn = np.maximum(np.einsum("ij,ij->i", g, g), 1e-9)
        p -= (d / gn)[:, None] * g
    return p
