"""Voxelise the model into a label map (pure core: numpy only).

Tubes are capsule chains (centreline + one radius): a voxel is inside when its centre
lies within the radius of a centreline segment. Solids are signed distance functions:
inside where f < 0. Voxel centres go to world (RAS mm) through a 4x4 affine, so oblique
and anisotropic grids work the same as axis-aligned ones. Used for the shipped demo case
and by anything that needs the model (or a scenario's vessels) as voxels.
"""

from __future__ import annotations

import numpy as np

__all__ = ["voxel_centres", "sdf_mask", "capsule_chain_mask", "grid_for_bounds"]


def voxel_centres(shape, affine, index_box=None) -> np.ndarray:
    """World coordinates (..., 3) of the voxel centres of `shape` (or of the sub-box
    ((i0, i1), (j0, j1), (k0, k1)), half-open) under `affine`."""
    box = index_box or tuple((0, n) for n in shape)
    ii, jj, kk = np.meshgrid(*(np.arange(a, b, dtype=float) for a, b in box), indexing="ij")
    a = np.asarray(affine, float)
    return (np.stack([ii, jj, kk], axis=-1) @ a[:3, :3].T) + a[:3, 3]


def sdf_mask(shape, affine, f, chunk_k: int = 16) -> np.ndarray:
    """Boolean mask of voxels whose centre has f(p) < 0, evaluated a slab at a time."""
    out = np.zeros(shape, bool)
    for k0 in range(0, shape[2], chunk_k):
        k1 = min(k0 + chunk_k, shape[2])
        p = voxel_centres(shape, affine, ((0, shape[0]), (0, shape[1]), (k0, k1)))
        out[:, :, k0:k1] = f(p) < 0
    return out


def _index_box(shape, inv, lo, hi):
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    ijk = corners @ inv[:3, :3].T + inv[:3, 3]
    a = np.maximum(np.floor(ijk.min(axis=0)).astype(int), 0)
    b = np.minimum(np.ceil(ijk.max(axis=0)).astype(int) + 1, shape)
    return tuple(zip(a, b)) if np.all(b > a) else None


def capsule_chain_mask(shape, affine, centerline, radius, out: np.ndarray | None = None) -> np.ndarray:
    """Voxels within `radius` (mm, scalar or per point) of a polyline, as a boolean mask.

    Each segment only visits the voxels of its own bounding box, so a long thin tube
    costs about its own volume, not the grid's."""
    c = np.asarray(centerline, float)
    r = np.broadcast_to(np.asarray(radius, float), (len(c),))
    mask = np.zeros(shape, bool) if out is None else out
    inv = np.linalg.inv(np.asarray(affine, float))
    segs = [(c[i], c[i + 1], max(r[i], r[i + 1])) for i in range(len(c) - 1)] or [(c[0], c[0], r[0])]
    for a, b, rad in segs:
        box = _index_box(shape, inv, np.minimum(a, b) - rad, np.maximum(a, b) + rad)
        if box is None:
            continue
        p = voxel_centres(shape, affine, box)
        ab = b - a
        denom = float(ab @ ab)
        t = np.zeros(p.shape[:-1]) if denom == 0 else np.clip((p - a) @ ab / denom, 0.0, 1.0)
        d2 = np.sum((p - (a + t[..., None] * ab)) ** 2, axis=-1)
        sl = tuple(slice(lo, hi) for lo, hi in box)
        mask[sl] |= d2 <= rad * rad
    return mask


def grid_for_bounds(bounds, spacing, rotation=None) -> tuple[tuple[int, int, int], np.ndarray]:
    """(shape, affine) of a grid with `spacing` (mm per axis) and axes `rotation` (columns)
    that covers the world box `bounds` (xmin, xmax, ymin, ymax, zmin, zmax)."""
    rot = np.eye(3) if rotation is None else np.asarray(rotation, float)
    lo, hi = np.array(bounds[0::2], float), np.array(bounds[1::2], float)
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    local = corners @ rot  # coordinates along the grid axes
    l0, l1 = local.min(axis=0), local.max(axis=0)
    sp = np.asarray(spacing, float)
    shape = tuple(int(np.ceil((b - a) / s)) + 1 for a, b, s in zip(l0, l1, sp))
    affine = np.eye(4)
    affine[:3, :3] = rot * sp  # column k = axis k scaled by its spacing
    affine[:3, 3] = rot @ l0
    return shape, affine
