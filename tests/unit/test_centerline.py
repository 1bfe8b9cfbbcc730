"""Centrelines of label masks (viewer.centerline), against tubes built here with numpy whose axis,
radius and length are known analytically."""

import numpy as np
import pytest

from viewer.centerline import CenterlineError, extract_centerline
from viewer.geometry import arc_lengths


def rotation(ax, ay, az):
    ax, ay, az = np.radians([ax, ay, az])
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


def oblique_grid(lo, hi, spacing, rot):
    """(world points (..., 3), affine) of a grid with axes `rot` covering the box lo..hi (mm)."""
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    local = corners @ rot
    l0, l1 = local.min(0), local.max(0)
    sp = np.asarray(spacing, float)
    shape = tuple(int(np.ceil((b - a) / s)) + 1 for a, b, s in zip(l0, l1, sp))
    aff = np.eye(4)
    aff[:3, :3] = rot * sp
    aff[:3, 3] = rot @ l0
    ijk = np.stack(np.meshgrid(*(np.arange(n) for n in shape), indexing="ij"), -1).astype(float)
    return ijk @ aff[:3, :3].T + aff[:3, 3], aff


# A TOF-MRA-like basilar artery: an arc of a circle (bend radius 20 mm, 60 degrees), radius 1.5 mm,
# flat ends, on a 0.3 x 0.3 x 0.6 mm grid turned a few degrees.
BEND, SWEEP, R = 20.0, np.radians(60.0), 1.5


@pytest.fixture(scope="module")
def basilar():
    p, aff = oblique_grid((-4, -4, -4), (14, 24, 4), (0.3, 0.3, 0.6), rotation(4, -3, 6))
    ang = np.arctan2(p[..., 1], BEND - p[..., 0])
    ring = np.hypot(BEND - p[..., 0], p[..., 1])
    mask = (ang >= 0) & (ang <= SWEEP) & ((ring - BEND) ** 2 + p[..., 2] ** 2 <= R * R)
    return mask, aff


def axis_error(points):
    ring = np.hypot(BEND - points[:, 0], points[:, 1])
    return np.hypot(ring - BEND, points[:, 2])


def test_basilar_radius_matches_volume_over_length(basilar):
    mask, aff = basilar
    c = extract_centerline(mask, aff)
    length = BEND * SWEEP  # analytic
    voxel = np.prod(np.linalg.norm(aff[:3, :3], axis=0))
    r_volume = np.sqrt(mask.sum() * voxel / (np.pi * length))
    assert abs(r_volume - R) < 0.05 * R  # the label itself is a faithful 1.5 mm tube
    assert c.mean_radius_mm == pytest.approx(r_volume, rel=0.15)
    assert c.mean_radius_mm == pytest.approx(R, rel=0.15)
    assert c.length_mm == pytest.approx(length, rel=0.05)
    assert c.branches == ()
    inner = arc_lengths(c.points_mm)
    core = (inner > R) & (inner < inner[-1] - R)
    assert axis_error(c.points_mm[core]).max() < 0.25  # on the axis, not on the voxel staircase


def test_y_shape_gives_a_branch():
    p, aff = oblique_grid((-2, -12, -2), (32, 12, 2), (0.3, 0.3, 0.3), rotation(0, 0, 5))
    t = np.clip(p[..., 0] / 30.0, 0, 1)
    trunk = np.linalg.norm(p - np.stack([30 * t, 0 * t, 0 * t], -1), axis=-1) <= 1.2
    # a 10 mm side branch leaving the trunk at x = 15 towards +y
    s = np.clip(p[..., 1] / 10.0, 0, 1)
    side = np.linalg.norm(p - np.stack([15 + 0 * s, 10 * s, 0 * s], -1), axis=-1) <= 0.8
    c = extract_centerline(trunk | side, aff)
    assert c.length_mm == pytest.approx(30.0 + 2 * 1.2, abs=1.5)  # capsule: tip to tip
    assert len(c.branches) == 1
    bp, br = c.branches[0]
    assert np.linalg.norm(bp[-1] - [15, 10, 0]) < 1.5  # reaches the branch's tip
    assert np.median(br) == pytest.approx(0.8, rel=0.25)


def test_two_pieces_refused_and_specks_ignored():
    p, aff = oblique_grid((-2, -2, -2), (22, 2, 2), (0.3, 0.3, 0.3), np.eye(3))
    tube = np.hypot(p[..., 1], p[..., 2]) <= 1.0
    cut = tube & ((p[..., 0] < 9) | (p[..., 0] > 12))
    with pytest.raises(CenterlineError, match="more than one piece"):
        extract_centerline(cut & (p[..., 0] < 20), aff)
    speck = tube & (p[..., 0] < 15)
    speck |= np.linalg.norm(p - [19, 0, 0], axis=-1) < 0.2  # a stray voxel or two
    c = extract_centerline(speck, aff)
    assert c.length_mm == pytest.approx(15.0 + 2.0, abs=1.5)  # from x = -2 to 15


def test_empty_mask_refused():
    with pytest.raises(CenterlineError):
        extract_centerline(np.zeros((4, 4, 4), bool), np.eye(4))
