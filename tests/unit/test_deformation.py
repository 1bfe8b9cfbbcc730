"""Nerve deformation model: zero / dent / deviation by severity, valid meshes, anchors, monotone."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from viewer.deformation import CapsuleChain, NerveDeformer, smooth_min
from viewer.tubes import tube_points, tube_points_normals, tube_topology, vertex_normals


@pytest.fixture(scope="module")
def nerve(anatomy):
    f = anatomy.facial_nerve
    return NerveDeformer(f.points_mm, f.radius_mm, anchor_arcs=(0.0, f.porus_arc_mm))


def crossing(dm: NerveDeformer, i: int, penetration: float, rv: float = 0.75, angle: float = 0.0, length: float = 14.0):
    """A straight vessel crossing the nerve at sample i, perpendicular to its tangent, with
    the given penetration d = rv + r - centreline distance (negative: a gap). Returns
    (course, rv, u) with u the unit direction from the nerve to the vessel."""
    t = dm.tangent[i]
    n0 = np.cross(t, [0.0, 0.0, 1.0])
    n0 /= np.linalg.norm(n0)
    b0 = np.cross(t, n0)
    u = np.cos(angle) * n0 + np.sin(angle) * b0
    axis = np.cross(t, u)
    centre = dm.centerline[i] + u * (dm.radius + rv - penetration)
    course = centre + np.linspace(-length / 2, length / 2, 57)[:, None] * axis
    return course, rv, u


def face_normals(p, faces):
    return np.cross(p[faces[:, 1]] - p[faces[:, 0]], p[faces[:, 2]] - p[faces[:, 0]])


def signed_volume(p, faces):
    return float(np.einsum("ij,ij->i", p[faces[:, 0]], np.cross(p[faces[:, 1]], p[faces[:, 2]])).sum() / 6)


def _seg_tri(o, e, a, b, c):
    """Do segments o->e cross triangles abc (pairwise arrays)? Moller-Trumbore, strict interior."""
    d = e - o
    e1, e2 = b - a, c - a
    p = np.cross(d, e2)
    det = np.einsum("ij,ij->i", e1, p)
    ok = np.abs(det) > 1e-14
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    s = o - a
    u = np.einsum("ij,ij->i", s, p) * inv
    q = np.cross(s, e1)
    v = np.einsum("ij,ij->i", d, q) * inv
    t = np.einsum("ij,ij->i", e2, q) * inv
    eps = 1e-9
    return ok & (u > eps) & (v > eps) & (u + v < 1 - eps) & (t > eps) & (t < 1 - eps)


def self_intersections(p, faces, moved) -> int:
    """Triangle pairs that intersect, among triangles touching moved vertices vs all
    triangles with overlapping bounding boxes and no shared vertex (vectorised)."""
    tri = p[faces]
    lo, hi = tri.min(axis=1), tri.max(axis=1)
    act = np.flatnonzero(moved[faces].any(axis=1))
    ia, ib = [], []
    for k in np.array_split(act, max(1, len(act) // 200)):
        ov = np.all((lo[k][:, None] <= hi[None]) & (hi[k][:, None] >= lo[None]), axis=2)
        a, b = np.nonzero(ov)
        ia.append(k[a])
        ib.append(b)
    ia, ib = np.concatenate(ia), np.concatenate(ib)
    keep = ia < ib
    ia, ib = ia[keep], ib[keep]
    share = (faces[ia][:, :, None] == faces[ib][:, None, :]).any(axis=(1, 2))
    ia, ib = ia[~share], ib[~share]
    A, B = tri[ia], tri[ib]
    hit = np.zeros(len(ia), bool)
    for X, Y in ((A, B), (B, A)):
        for s0, s1 in ((0, 1), (1, 2), (2, 0)):
            hit |= _seg_tri(X[:, s0], X[:, s1], Y[:, 0], Y[:, 1], Y[:, 2])
    return int(hit.sum())


# ----------------------------------------------------------------------------- severities
def test_gap_of_one_mm_moves_nothing(nerve):
    course, rv, _ = crossing(nerve, 60, -1.0)
    d = nerve.deform([(course, rv)])
    assert d.is_rest and d.max_displacement_mm == 0.0 and not d.contacts
    np.testing.assert_array_equal(d.points, nerve.rest_points)
    assert not d.depth_mm.any()


@pytest.mark.parametrize("i", [12, 45, 80])
def test_moderate_indents_surface_only(nerve, i):
    D = 2 * nerve.radius
    pen = 0.3 * D
    course, rv, u = crossing(nerve, i, pen)
    d = nerve.deform([(course, rv)])
    assert d.max_centerline_shift_mm == 0.0
    np.testing.assert_array_equal(d.centerline, nerve.centerline)
    assert d.max_displacement_mm == pytest.approx(pen, abs=0.05)
    # the dent pushes away from the vessel, and nothing stays inside it
    moved = np.linalg.norm(d.displacement, axis=1) > 1e-9
    assert np.all(d.displacement[moved] @ u < 0)
    sd, _, _ = CapsuleChain(course, rv).closest(d.points, 5.0)
    assert sd.min() > -0.01
    # the colour map peaks at the penetration, on the vessel side
    assert d.depth_mm.max() == pytest.approx(pen, abs=1e-6)
    hot = d.depth_mm > 0.5 * pen
    assert np.all((d.points[hot] - nerve.centerline[i]) @ u > 0)
    # smooth falloff: the dent reaches beyond the vessel's footprint (~1 mm rim), not a cut
    arcs = nerve.arc[nerve.vertex_ring[moved]]
    assert arcs.max() - arcs.min() > 2.0


@pytest.mark.parametrize("i", [20, 45, 80])
def test_severe_deviates_the_course(nerve, i):
    D = 2 * nerve.radius
    course, rv, u = crossing(nerve, i, 0.8 * D)
    d = nerve.deform([(course, rv)])
    shift = d.centerline_displacement[i]
    assert -(shift @ u) == pytest.approx(0.3 * D, abs=0.02)  # away from the vessel
    assert np.linalg.norm(shift) == pytest.approx(0.3 * D, abs=0.02)
    # smooth along a few mm: half the shift still 2 mm away, nothing 12 mm away
    s = nerve.arc
    far = np.abs(s - s[i]) > 12.0
    assert np.abs(d.centerline_displacement[far]).max() < 1e-9
    near2 = np.argmin(np.abs(s - (s[i] + 2.0)))
    assert np.linalg.norm(d.centerline_displacement[near2]) > 0.5 * 0.3 * D
    # what remains is a 0.5 D dent: vessel surface down to about the displaced centreline
    sd, _, _ = CapsuleChain(course, rv).closest(d.points, 5.0)
    assert sd.min() > -0.1 * nerve.radius - 0.01
    assert d.contacts[0].shift_mm == pytest.approx(0.3 * D, abs=1e-6)


@pytest.mark.parametrize("frac", [0.3, 0.5, 0.8])
@pytest.mark.parametrize("i,angle", [(8, 0.0), (40, 1.3), (75, -2.2)])
def test_deformed_mesh_is_valid(nerve, frac, i, angle):
    course, rv, _ = crossing(nerve, i, frac * 2 * nerve.radius, angle=angle)
    d = nerve.deform([(course, rv)])
    faces = nerve.topology.faces
    n0 = face_normals(nerve.rest_points, faces)
    n1 = face_normals(d.points, faces)
    cos = np.einsum("ij,ij->i", n0, n1) / (np.linalg.norm(n0, axis=1) * np.linalg.norm(n1, axis=1))
    assert cos.min() > 0.1, "a triangle flipped"
    assert signed_volume(d.points, faces) > 0
    # the topology is the closed tube's: every edge shared by exactly two triangles
    e = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    _, counts = np.unique(e, axis=0, return_counts=True)
    assert np.all(counts == 2)
    moved = np.linalg.norm(d.displacement, axis=1) > 1e-9
    assert moved.any()
    assert self_intersections(d.points, faces, moved) == 0


def test_two_vessels_pinching_stay_valid(nerve):
    D = 2 * nerve.radius
    a, rv, _ = crossing(nerve, 50, 0.45 * D, angle=0.0)
    b, _, _ = crossing(nerve, 52, 0.45 * D, angle=np.pi)
    d = nerve.deform([(a, rv), (b, rv)])
    faces = nerve.topology.faces
    n0, n1 = face_normals(nerve.rest_points, faces), face_normals(d.points, faces)
    assert np.einsum("ij,ij->i", n0, n1).min() > 0
    assert self_intersections(d.points, faces, np.linalg.norm(d.displacement, axis=1) > 1e-9) == 0


def test_lesion_indents(nerve):
    i = 70
    t = nerve.tangent[i]
    n0 = np.cross(t, [0.0, 0.0, 1.0])
    n0 /= np.linalg.norm(n0)
    radii = np.array([2.0, 2.0, 2.0])
    centre = nerve.centerline[i] + n0 * (nerve.radius + 2.0 - 0.4)
    d = nerve.deform(lesions=[(centre, radii)])
    assert d.max_centerline_shift_mm == 0.0
    assert d.max_displacement_mm == pytest.approx(0.4, abs=0.05)
    d2 = nerve.deform(lesions=[(centre + n0 * 1.5, radii)])
    assert d2.is_rest


# ----------------------------------------------------------------------------- anchors
@pytest.mark.parametrize("i", [5, 15, 60, 95])
def test_roots_stay_anchored(nerve, anatomy, i):
    course, rv, _ = crossing(nerve, i, 0.95 * 2 * nerve.radius)
    d = nerve.deform([(course, rv)])
    dc = np.linalg.norm(d.centerline_displacement, axis=1)
    assert dc[0] < 1e-9
    beyond = nerve.arc >= anatomy.facial_nerve.porus_arc_mm
    assert dc[beyond].max(initial=0.0) < 1e-9
    # the root-exit cap (in the brainstem) stays put, unless the dent itself reaches it
    if nerve.arc[i] > 2.5:
        assert np.linalg.norm(d.displacement[nerve.start_extra], axis=1).max() < 0.05


# ----------------------------------------------------------------------------- monotone
@settings(max_examples=40, deadline=None)
@given(
    i=st.integers(10, 95),
    angle=st.floats(-np.pi, np.pi),
    rv=st.floats(0.4, 1.6),
    pen=st.floats(-0.2, 1.4),
    away=st.floats(0.0, 1.5),
)
def test_moving_the_vessel_away_never_increases_displacement(nerve, i, angle, rv, pen, away):
    # Only while the vessel's axis stays outside the nerve's core: once the two axes
    # (nearly) cross, "away from the vessel" has no direction and the picture is undefined
    # (a vessel cannot pass through the nerve; the analysis still grades it severe).
    assume(nerve.radius + rv - pen >= 0.2)
    course, rv, u = crossing(nerve, i, pen, rv=rv, angle=angle)
    near = nerve.deform([(course, rv)])
    far = nerve.deform([(course + away * u, rv)])
    assert far.max_displacement_mm <= near.max_displacement_mm + 1e-6
    assert far.max_centerline_shift_mm <= near.max_centerline_shift_mm + 1e-6
    assert far.depth_mm.max() <= near.depth_mm.max() + 1e-6
    per_vertex_near = np.linalg.norm(near.displacement, axis=1)
    per_vertex_far = np.linalg.norm(far.displacement, axis=1)
    assert np.all(per_vertex_far <= per_vertex_near + 0.02)


# ----------------------------------------------------------------------------- helpers
def test_smooth_min_bounds():
    a = np.linspace(-2, 2, 401)
    m = smooth_min(a, 0.0, 0.3)
    assert np.all(m <= np.minimum(a, 0.0) + 1e-12)
    assert np.all(np.diff(m) >= -1e-12)
    np.testing.assert_allclose(m[np.abs(a) >= 0.3], np.minimum(a, 0.0)[np.abs(a) >= 0.3])


def test_tube_points_normals_match_tube_points(anatomy):
    c = anatomy.tubes["aica"].centerline_mm
    topo = tube_topology(len(c), 24, 5)
    for radius in (0.75, np.linspace(0.5, 1.0, len(c))):
        pts, nrm = tube_points_normals(c, radius, topo)
        np.testing.assert_allclose(pts, tube_points(c, radius, topo), atol=1e-9)
        np.testing.assert_allclose(np.linalg.norm(nrm, axis=1), 1.0)
        assert np.einsum("ij,ij->i", nrm, vertex_normals(pts, topo.faces)).min() > 0.99


def test_the_analysis_threshold_decides_which_contacts_deviate_the_course(anatomy):
    """'Severe' (course deviation) comes from the analysis' Thresholds, not a copy in the deformation."""
    from viewer.analysis import DEFAULT_THRESHOLDS, Thresholds, severity_for

    f = anatomy.facial_nerve
    default = NerveDeformer(f.points_mm, f.radius_mm, anchor_arcs=(0.0, f.porus_arc_mm))
    D = 2 * default.radius
    shallow = crossing(default, 40, 0.35 * D)[:2]  # moderate by default
    deep = crossing(default, 90, 0.6 * D)[:2]  # severe by default
    assert default.thresholds is DEFAULT_THRESHOLDS
    shifts = [c.shift_mm > 0 for c in default.deform([shallow, deep]).contacts]
    assert shifts == [False, True]
    assert [severity_for(p * D, D) for p in (0.35, 0.6)] == ["moderate", "severe"]

    strict = Thresholds(moderate_max_fraction=0.3)  # more contacts are severe: both deviate
    assert [severity_for(p * D, D, strict) for p in (0.35, 0.6)] == ["severe", "severe"]
    by_ctor = NerveDeformer(f.points_mm, f.radius_mm, anchor_arcs=(0.0, f.porus_arc_mm), thresholds=strict)
    for d in (by_ctor.deform([shallow, deep]), default.deform([shallow, deep], thresholds=strict)):
        assert [c.shift_mm > 0 for c in d.contacts] == [True, True]
        assert d.contacts[1].shift_mm == pytest.approx(0.3 * D, abs=1e-6)  # d - 0.3 D at the contact

    lenient = Thresholds(moderate_max_fraction=0.7)  # neither is severe: the course stays put
    d = default.deform([shallow, deep], thresholds=lenient)
    assert [c.shift_mm for c in d.contacts] == [0.0, 0.0] and d.max_centerline_shift_mm == 0.0
