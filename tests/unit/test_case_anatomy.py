"""The patient's facial nerve and the shape of a contact (viewer.case_anatomy), on nerves built here
with numpy: a root lying 8 mm on a flat brainstem (the half-space z < 0) and then rising off it."""

import numpy as np
import pytest

from viewer.case_anatomy import CaseAnatomyError, build_facial_nerve, make_shape, shape_change, shape_severity
from viewer.dimensions import dim
from viewer.geometry import arc_lengths, resample_polyline

R = 0.75  # nerve radius (the model's CN VII)
H0 = 0.5 * R  # height of the attached root's axis above the pia (as the model lays it)
RDP_X = 8.0


def nerve_axis(lift=0.0, n=400):
    x = np.linspace(0.0, 22.0, n)
    z = H0 + 0.06 * np.maximum(0.0, x - RDP_X) ** 2 + lift  # leaves the surface tangentially at x = 8
    return resample_polyline(np.stack([x, 0 * x, z], 1), step=0.05)


def tube_surface(axis, radius=R, sides=24):
    """Vertices and outward normals of a tube around `axis` (rings every 0.1 mm)."""
    a = resample_polyline(axis, step=0.1)
    t = np.gradient(a, axis=0)
    t /= np.linalg.norm(t, axis=1)[:, None]
    e1 = np.cross(t, [0.0, 1.0, 0.0])
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    e2 = np.cross(t, e1)
    ang = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    n = np.cos(ang)[None, :, None] * e1[:, None, :] + np.sin(ang)[None, :, None] * e2[:, None, :]
    r = np.broadcast_to(np.asarray(radius, float), (len(a),))[:, None, None]
    return (a[:, None, :] + r * n).reshape(-1, 3), n.reshape(-1, 3)


def pia():
    g = np.mgrid[-4:30:0.3, -6:6:0.3]
    return np.stack([g[0].ravel(), g[1].ravel(), 0 * g[0].ravel()], 1)


def brainstem_sdf(p):
    return np.asarray(p, float)[..., 2]


def build(axis=None, **kw):
    axis = nerve_axis() if axis is None else axis
    v, nrm = tube_surface(axis)
    kw.setdefault("brainstem_sdf", brainstem_sdf)
    kw.setdefault("brainstem_vertices", pia())
    return build_facial_nerve(axis, np.full(len(axis), R), v, nrm, tolerance_mm=0.3, **kw)


def test_derived_landmarks_and_segment_map():
    res = build()
    fn = res.nerve
    assert np.allclose(res.landmarks["root_exit_point"], [0, 0, H0], atol=0.1)
    assert fn.rdp_arc_mm == pytest.approx(RDP_X, abs=0.75)
    assert fn.porus_arc_mm == pytest.approx(arc_lengths(nerve_axis())[-1], abs=0.3)
    assert fn.radius_mm == pytest.approx(R, rel=0.05)
    assert res.landmark_sources["root_detachment_point"] == "derived"
    b = fn.segment_boundaries()
    assert b["RExP"] == (0.0, dim("rexp_zone_length"))  # the model's figures
    assert b["RDP"][1] - b["RDP"][0] == pytest.approx(2 * dim("rdp_zone_half_width"))
    assert [fn.segment_at(s) for s in (0.5, 4.0, fn.rdp_arc_mm, 15.0)] == ["RExP", "AS", "RDP", "CP"]
    assert fn.myelin_at(fn.rdp_arc_mm + 0.5 * dim("transition_zone_length")) == "central"
    assert fn.myelin_at(fn.rdp_arc_mm + dim("transition_zone_length") + 0.5) == "peripheral"
    assert np.allclose(np.diff(fn.arc_mm), 0.2, atol=0.01)  # samples every 0.2 mm, as the model's


def test_orientation_from_the_brainstem():
    a, b = build(), build(nerve_axis()[::-1].copy())
    assert np.allclose(a.landmarks["root_exit_point"], b.landmarks["root_exit_point"], atol=0.1)
    assert a.nerve.rdp_arc_mm == pytest.approx(b.nerve.rdp_arc_mm, abs=0.3)


def test_placed_landmarks_win_and_the_map_follows():
    axis = nerve_axis()
    s = arc_lengths(axis)
    at = lambda arc: axis[np.searchsorted(s, arc)]  # noqa: E731
    res = build(landmarks={"root_detachment_point": at(6.0), "internal_acoustic_meatus": at(18.0)})
    assert res.nerve.rdp_arc_mm == pytest.approx(6.0, abs=0.15)
    assert res.nerve.porus_arc_mm == pytest.approx(18.0, abs=0.15)
    assert res.nerve.segment_at(6.0) == "RDP" and res.nerve.segment_at(8.5) == "CP"
    assert res.landmark_sources["root_detachment_point"] == "case"
    # without a brainstem, a placed root exit point orients and starts the nerve
    res = build(brainstem_sdf=None, brainstem_vertices=None, landmarks={"root_exit_point": at(1.0)})
    assert np.linalg.norm(res.landmarks["root_exit_point"] - at(1.0)) < 0.1


def test_refusals_say_to_place_landmarks():
    with pytest.raises(CaseAnatomyError, match="never meets the brainstem surface.*landmarks"):
        build(nerve_axis(lift=5.0))
    with pytest.raises(CaseAnatomyError, match="no brainstem.*landmarks"):
        build(brainstem_sdf=None, brainstem_vertices=None)
    with pytest.raises(CaseAnatomyError, match="root exit point landmark is .* mm from the facial nerve"):
        build(landmarks={"root_exit_point": [0.0, 20.0, 0.0]})


# --- the shape of a contact: a straight nerve along x, pressed from +z at x = 12


def straight(points_z=None):
    x = np.arange(0.0, 24.0001, 0.2)
    z = np.zeros_like(x) if points_z is None else points_z(x)
    return np.stack([x, 0 * x, z], 1)


def shape_of(axis, surface=None):
    v, nrm = tube_surface(axis) if surface is None else surface
    return make_shape(axis, arc_lengths(axis), v, nrm)


PUSH = np.array([0.0, 0.0, -1.0])  # the vessel lies above: it pushes the nerve down


def test_untouched_nerve_shows_no_change():
    ch = shape_change(shape_of(straight()), 11.0, 13.0, PUSH)
    assert ch.radius_reduction < 0.02 and ch.deviation_mm < 0.05
    assert shape_severity(ch) == "none"


def test_indentation_is_moderate():
    axis = straight()
    v, nrm = tube_surface(axis)
    dent = (np.abs(v[:, 0] - 12.0) < 1.0) & (v[:, 2] > R - 0.35)  # flattened 0.35 mm from above
    v = v.copy()
    v[dent, 2] = R - 0.35
    ch = shape_change(shape_of(axis, (v, nrm)), 11.0, 13.0, PUSH)
    assert ch.radius_reduction == pytest.approx(0.35 / (2 * R), abs=0.05)
    assert ch.deviation_mm < 0.3
    assert shape_severity(ch) == "moderate"


def test_deviation_is_severe_and_a_small_one_is_not():
    for amp, expected in ((1.1, "severe"), (0.3, "none")):
        axis = straight(lambda x, a=amp: -a * np.exp(-((x - 12.0) ** 2) / (2 * 1.2**2)))
        ch = shape_change(shape_of(axis), 11.0, 13.0, PUSH)
        assert ch.deviation_mm == pytest.approx(amp, abs=0.25)
        assert shape_severity(ch) == expected
