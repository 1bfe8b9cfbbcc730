"""The surgeon's corridor: new structures stay plausible, retraction is smooth and monotonic,
REZ visibility responds to what lies in the corridor."""

from __future__ import annotations

import numpy as np
import pytest

from viewer.anatomy import brainstem_sdf, build_anatomy
from viewer.corridor import CorridorVisibility, corridor_findings, retracted_sdf, retraction_field
from viewer.dimensions import DIMENSIONS, dim
from viewer.geometry import arc_lengths, segment_distances
from viewer.scenario import Corridor, Vessel, default_scenario
from viewer.views import VIEWS, camera_for

A = build_anatomy()
S = A.surgical


@pytest.fixture(scope="module")
def vis():
    return CorridorVisibility(A)


def _solids():
    return {
        "brainstem": brainstem_sdf,
        "petrous": A.petrous.sdf,
        "cerebellum": S.cerebellum_sdf,
        "flocculus": S.flocculus_sdf,
    }


# Where the anatomy touches, and how deep the model lets it: (structure, structure) -> mm.
TOUCHING = {
    ("brainstem", "flocculus"): 2.5,  # the flocculus hangs on the middle cerebellar peduncle
    ("sigmoid_sinus", "petrous"): 2.5,  # the sinus lies in its sulcus and enters the jugular foramen
    ("choroid_plexus", "brainstem"): 2.5,  # it leaves the fourth ventricle through the foramen of Luschka
    ("choroid_plexus", "cerebellum"): 0.5,
    ("transverse_sinus", "cerebellum"): 0.5,  # on the tentorium, over the hemisphere
    ("vein_pms", "cerebellum"): 0.5,  # the vein runs on the petrosal surface
    ("sigmoid_sinus", "transverse_sinus"): 6.0,  # one channel: they join at the transverse-sigmoid junction
}
NEW_TUBES = ("choroid_plexus", "sigmoid_sinus", "transverse_sinus")


def _allowed(a, b):
    return TOUCHING.get((a, b), TOUCHING.get((b, a), 0.0))


def test_new_dimensions_are_sourced():
    from viewer.sources import BIBLIOGRAPHY

    for key in (
        "cerebellar_volume",
        "flocculus_volume",
        "choroid_plexus_width",
        "transverse_sinus_diameter",
        "sigmoid_sinus_diameter",
        "jugular_foramen_width",
        "jugular_foramen_length",
        "craniotomy_area",
        "cerebellar_retraction_max",
    ):
        d = DIMENSIONS[key]
        assert d.source in BIBLIOGRAPHY and d.low <= d.value <= d.high


def test_solids_do_not_intersect_except_where_they_touch():
    g = np.stack(
        np.meshgrid(np.arange(-70, 20, 1.0), np.arange(-70, 30, 1.0), np.arange(-40, 40, 1.0), indexing="ij"), -1
    ).reshape(-1, 3)
    vals = {k: f(g) for k, f in _solids().items()}
    names = list(vals)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            both = (vals[a] < 0) & (vals[b] < 0)
            depth = float(np.max(np.minimum(-vals[a], -vals[b])[both])) if both.any() else 0.0
            assert depth <= _allowed(a, b), (a, b, depth)


@pytest.mark.parametrize("tid", sorted(A.tubes))
def test_tubes_stay_out_of_the_new_solids(tid):
    t = A.tubes[tid]
    c = t.centerline_mm
    s = arc_lengths(c)
    for name, f in _solids().items():
        if name == "brainstem" and tid != "choroid_plexus":
            continue  # roots start at the pia: tests/unit/test_anatomy.py covers the brainstem
        if name == "petrous" and tid in ("cn7", "cn8"):
            # the nerves enter the porus: inside the bore they stay clear of the bone
            assert (f(c) - t.radius_mm).min() > 0.0
            continue
        pen = -(f(c) - t.radius_mm)
        if t.kind == "artery" and name == "cerebellum":
            pen = pen[s < s[-1] - 4.0]  # the last few mm are cortical branches entering the surface
        if tid == "cn5" and name == "petrous":
            pen = pen[:-4]  # CN V ends over the petrous apex, at the porus trigeminus
        assert pen.max(initial=-1.0) <= _allowed(tid, name) + 0.05, (tid, name, pen.max())


def test_new_tubes_do_not_cross_other_tubes():
    for a in NEW_TUBES:
        ta = A.tubes[a]
        for b, tb in A.tubes.items():
            if a == b:
                continue
            d = segment_distances(
                ta.centerline_mm[:-1, None],
                ta.centerline_mm[1:, None],
                tb.centerline_mm[None, :-1],
                tb.centerline_mm[None, 1:],
            )[0].min()
            assert d - ta.radius_mm - tb.radius_mm > -_allowed(a, b) - 0.05, (a, b, d)


def test_flocculus_volume_and_position():
    vol = 4.0 / 3.0 * np.pi * np.prod(S.flocculus_radii)
    assert abs(vol / 1000.0 - dim("flocculus_volume")) < 1e-6
    # behind (dorsal to) CN VIII's root and above the choroid plexus
    viii = A.tubes["cn8"].centerline_mm[0]
    assert S.flocculus_centre[1] < viii[1]
    assert S.flocculus_centre[2] > A.tubes["choroid_plexus"].centerline_mm[:, 2].mean()


def test_hemisphere_holds_about_half_the_cerebellum():
    g = np.stack(
        np.meshgrid(np.arange(-70, 10, 1.0), np.arange(-75, 20, 1.0), np.arange(-40, 30, 1.0), indexing="ij"), -1
    ).reshape(-1, 3)
    vol_ml = (S.cerebellum_sdf(g) < 0).sum() / 1000.0
    assert 0.35 * dim("cerebellar_volume") <= vol_ml <= 0.55 * dim("cerebellar_volume")


def test_petrous_pyramid_has_porus_and_jugular_foramen():
    porus = A.petrous.porus_mm
    # the IAM bore is open along the canal axis, the bone closes around it
    axis = A.petrous.canal_axis
    assert A.petrous.sdf((porus + axis * 5.0)[None])[0] > 1.5
    side = np.cross(axis, [0.0, 0.0, 1.0])
    side /= np.linalg.norm(side)
    assert A.petrous.sdf((porus + axis * 5.0 + side * (dim("iam_width") / 2 + 2.0))[None])[0] < 0
    # the jugular foramen is a notch: open at IX/X/XI's exit, bone beside it along the border
    jug = A.landmarks["jugular_foramen"]
    assert A.petrous.sdf(jug[None])[0] > 0
    for tid in ("cn9", "cn10", "cn11"):
        end = A.tubes[tid].centerline_mm[-1]
        assert np.linalg.norm(end - jug) < dim("jugular_foramen_length") / 2


def test_craniotomy_behind_sigmoid_below_transverse_and_sized_from_source():
    k = S.craniotomy_centre
    diameter_cm = 2 * S.craniotomy_radius_mm / 10
    assert 2.0 <= diameter_cm <= 2.5
    ss = A.tubes["sigmoid_sinus"].centerline_mm
    ts = A.tubes["transverse_sinus"].centerline_mm
    # nothing of either sinus crosses the opening
    n = S.craniotomy_normal
    for c in (ss, ts):
        rel = c - k
        radial = np.linalg.norm(rel - (rel @ n)[:, None] * n, axis=1)
        assert radial.min() > S.craniotomy_radius_mm
    nearest_ss = ss[np.argmin(np.linalg.norm(ss - k, axis=1))]
    assert nearest_ss[1] > k[1]  # the sigmoid sinus is in front of the keyhole
    assert ts[:, 2].min() > k[2] + S.craniotomy_radius_mm * 0.5  # the transverse sinus above it


def test_keyhole_view_looks_through_the_opening_at_the_rez():
    pos, focal, up = camera_for("keyhole")
    k, n = S.craniotomy_centre, S.craniotomy_normal
    assert (pos - k) @ n > 0  # outside the skull
    d = (focal - pos) / np.linalg.norm(focal - pos)
    t = ((k - pos) @ n) / (d @ n)
    hit = pos + d * t
    assert np.linalg.norm(hit - k) < 0.5 * S.craniotomy_radius_mm
    rez = A.landmarks["root_exit_point"]
    assert np.linalg.norm(focal - rez) < 8.0
    assert "retrosigmoid" in VIEWS  # the old name keeps working


def test_retraction_zero_is_identity_and_max_at_the_flocculus():
    p = np.random.default_rng(0).uniform(-50, 0, (200, 3))
    assert np.array_equal(retraction_field(A, 0.0)(p), np.zeros_like(p))
    u = retraction_field(A, 8.0)
    assert np.isclose(np.linalg.norm(u(S.flocculus_centre[None])[0]), 8.0)
    mags = np.linalg.norm(u(p), axis=1)
    assert mags.max() <= 8.0 + 1e-9
    # away from the petrous face
    assert u(S.flocculus_centre[None])[0] @ A.petrous.face_normal > 0
    # decays with distance, smoothly
    far = S.flocculus_centre + np.array([0.0, -40.0, 0.0])
    assert np.linalg.norm(u(far[None])[0]) < 0.05


def test_retracted_sdf_moves_the_surface_with_the_field():
    u = retraction_field(A, 6.0)
    f = retracted_sdf(S.flocculus_sdf, u)
    centre = S.flocculus_centre
    assert f((centre + u(centre[None])[0])[None])[0] < -2.0  # the moved centre is inside the moved flocculus


def test_open_corridor_sees_nearly_everything():
    """With nothing but the brainstem and the nerve, every target is seen from the opening."""
    v = CorridorVisibility(A)
    v.static_blocked[:] = v._trace(brainstem_sdf)
    v._moving[10.0] = np.zeros(len(v.origins), bool)
    v._open = np.flatnonzero(~v.static_blocked)
    assert v.target_visible(10.0).mean() >= 0.9


def test_structure_across_the_corridor_lowers_visibility(vis):
    base = vis.fraction(8.0)
    k, rez = S.craniotomy_centre, A.landmarks["root_exit_point"]
    mid = 0.8 * rez + 0.2 * k  # where the bundle narrows towards the nerve
    n = S.craniotomy_normal
    side = np.cross(n, [0.0, 0.0, 1.0])
    side /= np.linalg.norm(side)
    across = Vessel("x", "Across", "artery", "other", 3.0, [tuple(mid - side * 15), tuple(mid), tuple(mid + side * 15)])
    assert vis.fraction(8.0, [across]) < base - 0.2


def test_retraction_is_monotonic(vis):
    vessels = default_scenario().vessels
    steps = np.linspace(0.0, 10.0, 21)
    visible = [vis.target_visible(r, vessels) for r in steps]
    for a, b in zip(visible, visible[1:]):
        assert not (a & ~b).any(), "more retraction hid a target"
    assert visible[-1].mean() > visible[0].mean()


def test_corridor_findings_only_with_a_corridor():
    from dataclasses import replace

    sc = default_scenario()
    assert corridor_findings(sc, A) is None
    c = corridor_findings(replace(sc, corridor=Corridor(8.0)), A)
    assert c["retraction_mm"] == 8.0 and 0.0 <= c["rez_visible_fraction"] <= 1.0
    c0 = corridor_findings(replace(sc, corridor=Corridor(0.0)), A)
    assert c0["rez_visible_fraction"] < c["rez_visible_fraction"]


def test_the_right_corridor_is_the_mirror_image_of_the_left():
    """Mirrored anatomy, keyhole and retraction: the same share of the REZ is seen on either side."""
    from viewer.anatomy import build_anatomy, mirror_points
    from viewer.corridor import corridor_visibility, retraction_field
    from viewer.scenario import default_scenario, mirror_scenario

    left, right = build_anatomy("left"), build_anatomy("right")
    sl, sr = left.surgical, right.surgical
    np.testing.assert_allclose(sr.craniotomy_centre, mirror_points(sl.craniotomy_centre))
    np.testing.assert_allclose(sr.retraction_direction, mirror_points(sl.retraction_direction))
    p = np.random.default_rng(3).uniform(-40, 10, (200, 3))
    np.testing.assert_allclose(sr.cerebellum_sdf(mirror_points(p)), sl.cerebellum_sdf(p), atol=1e-9)
    np.testing.assert_allclose(sr.flocculus_sdf(mirror_points(p)), sl.flocculus_sdf(p), atol=1e-9)
    np.testing.assert_allclose(
        retraction_field(right, 8.0)(mirror_points(p)), mirror_points(retraction_field(left, 8.0)(p)), atol=1e-9
    )
    vl = default_scenario("left").vessels
    vr = mirror_scenario(default_scenario("left")).vessels
    for mm in (0.0, 8.0):
        fl = corridor_visibility(left).fraction(mm, vl)
        fr = corridor_visibility(right).fraction(mm, vr)
        assert fr == pytest.approx(fl, abs=0.02), (mm, fl, fr)
