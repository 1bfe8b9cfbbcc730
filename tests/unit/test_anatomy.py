"""The parametric anatomy: measured geometry must sit inside the published ranges."""

import json

import numpy as np
import pytest

from viewer.anatomy import REZ_SEGMENTS, SEGMENTS, brainstem_sdf, build_anatomy
from viewer.dimensions import DIMENSIONS
from viewer.geometry import arc_lengths, segment_distances
from viewer.sources import BIBLIOGRAPHY


def rng(key):
    d = DIMENSIONS[key]
    return d.low, d.high


def within(value, key):
    lo, hi = rng(key)
    return lo - 1e-6 <= value <= hi + 1e-6


@pytest.mark.parametrize("key", sorted(DIMENSIONS))
def test_every_dimension_value_inside_its_range_and_sourced(key):
    d = DIMENSIONS[key]
    assert d.low <= d.value <= d.high
    assert d.source in BIBLIOGRAPHY
    assert d.tag in ("V", "U", "S")


def test_root_exit_point_position(anatomy):
    rexp = anatomy.landmarks["root_exit_point"]
    assert within(-rexp[0], "rexp_from_midline")
    # on the brainstem surface: the nerve centre lies within one radius of the pia
    assert abs(brainstem_sdf(rexp[None])[0]) < anatomy.facial_nerve.radius_mm


def test_attached_segment_lies_on_the_pons_and_cisternal_part_leaves_it(anatomy):
    f = anatomy.facial_nerve
    d = brainstem_sdf(f.points_mm)
    attached = f.arc_mm <= f.rdp_arc_mm
    assert np.all(d[attached] < f.radius_mm)  # touching the surface all along the AS
    beyond = f.arc_mm > f.rdp_arc_mm + 2.0
    assert np.all(d[beyond] > f.radius_mm + 0.2)  # free in the cistern
    assert within(f.rdp_arc_mm, "attached_segment_length")


def test_cisternal_length_angle_and_transition_zone(anatomy):
    f = anatomy.facial_nerve
    assert within(f.porus_arc_mm - f.rdp_arc_mm, "cisternal_length")
    assert within(f.tz_arc_mm[1] - f.tz_arc_mm[0], "transition_zone_length")
    v = f.point_at(f.porus_arc_mm) - f.point_at(f.rdp_arc_mm)
    angle = np.degrees(np.arctan2(abs(v[0]), abs(v[1])))  # axial angle to the midsagittal plane
    assert within(angle, "facial_nerve_angle_to_midline")


def test_segment_map_contiguous_ordered_and_sampled_finely(anatomy):
    f = anatomy.facial_nerve
    assert np.max(np.diff(f.arc_mm)) <= 0.25
    b = f.segment_boundaries()
    assert list(b) == list(SEGMENTS)
    bounds = [b[s] for s in SEGMENTS]
    assert bounds[0][0] == 0.0
    for (a0, a1), (b0, b1) in zip(bounds, bounds[1:]):
        assert a0 < a1 == b0 < b1
    order = {s: i for i, s in enumerate(SEGMENTS)}
    idx = np.array([order[s] for s in f.segments])
    assert np.all(np.diff(idx) >= 0) and set(f.segments) == set(SEGMENTS)
    # myelin: central through the TZ, peripheral beyond; the REZ is entirely central
    central = f.myelin == "central"
    assert central[0] and not central[-1]
    switch = np.argmax(~central)
    assert np.all(central[:switch]) and np.all(~central[switch:])
    assert f.arc_mm[switch] == pytest.approx(f.tz_arc_mm[1], abs=0.25)
    assert all(f.myelin_at(a) == "central" for a in (0.0, f.rdp_arc_mm))
    assert set(f.segments[central]) >= set(REZ_SEGMENTS)


def test_facial_nerve_bends_gently(anatomy):
    """No kink: the tube (radius r) would fold on itself where the bend radius nears r."""
    p = anatomy.facial_nerve.points_mm
    t = np.gradient(p, axis=0)
    t /= np.linalg.norm(t, axis=1)[:, None]
    curvature = np.linalg.norm(np.gradient(t, axis=0), axis=1) / np.mean(np.diff(anatomy.facial_nerve.arc_mm))
    assert 1.0 / curvature.max() > 3 * anatomy.facial_nerve.radius_mm


def test_vestibulocochlear_relations(anatomy):
    cn8 = anatomy.tubes["cn8"]
    entry = anatomy.landmarks["viii_root_entry"]
    rexp = anatomy.landmarks["root_exit_point"]
    assert within(rexp[0] - entry[0], "viii_lateral_to_rexp")
    assert entry[1] < rexp[1]  # dorsal (posterior) to VII at the brainstem
    # cisternal length: from its root entry to the porus of the meatus
    line = cn8.centerline_mm
    porus = anatomy.landmarks["internal_acoustic_meatus"]
    i = np.argmin(np.linalg.norm(line - porus, axis=1))
    assert within(arc_lengths(line[: i + 1])[-1], "vestibulocochlear_cisternal_length")
    assert cn8.radius_mm * 2 == pytest.approx(DIMENSIONS["vestibulocochlear_diameter"].value)


def _arc_to(line, point):
    i = np.argmin(np.linalg.norm(line - point, axis=1))
    return arc_lengths(line[: i + 1])[-1]


def test_vessel_dimensions(anatomy):
    t = anatomy.tubes
    assert within(2 * t["va_left"].radius_mm, "vertebral_diameter")
    assert within(2 * t["basilar"].radius_mm, "basilar_diameter")
    assert within(2 * t["aica"].radius_mm, "aica_diameter")
    assert within(2 * t["pica"].radius_mm, "pica_diameter")
    assert within(2 * t["vein_pms"].radius_mm, "vein_diameter")
    assert within(arc_lengths(t["basilar"].centerline_mm)[-1], "basilar_length")
    ba = t["basilar"].centerline_mm
    assert within(_arc_to(ba, anatomy.landmarks["aica_origin"]), "aica_origin_above_vbj")
    va = t["va_left"].centerline_mm
    assert within(arc_lengths(va)[-1] - _arc_to(va, anatomy.landmarks["pica_origin"]), "pica_origin_below_vbj")
    # the vertebrobasilar junction sits at the pontomedullary junction level (within 5 mm)
    assert abs(anatomy.landmarks["vertebrobasilar_junction"][2] - anatomy.landmarks["root_exit_point"][2]) < 5


def _extent(axis, at):
    """Extent of the brainstem solid along one axis through a point."""
    ts = np.linspace(-40, 40, 8001)
    pts = np.tile(np.asarray(at, float), (len(ts), 1))
    pts[:, axis] = ts
    inside = ts[brainstem_sdf(pts) < 0]
    return inside.max() - inside.min()


def _ventral_pons_length():
    """Distance between the pontomedullary and pontomesencephalic sulci on the ventral surface."""
    zs = np.arange(-8.0, 34.0, 0.25)
    ys = np.linspace(30, -30, 3001)
    front = []
    for z in zs:
        pts = np.column_stack([np.full_like(ys, -3.0), ys, np.full_like(ys, z)])
        front.append(ys[np.argmax(brainstem_sdf(pts) < 0)])
    front = np.array(front)
    lower = (zs > -5) & (zs < 8)
    upper = (zs > 16) & (zs < 32)
    return zs[upper][np.argmin(front[upper])] - zs[lower][np.argmin(front[lower])]


def test_brainstem_proportions():
    assert within(_extent(1, [0, 0, 12.5]), "pons_ap_depth")
    assert within(_ventral_pons_length(), "pons_craniocaudal")
    assert within(_extent(0, [0, 5, 12.5]), "pons_width")  # ventral pons, in front of the peduncles
    assert within(_extent(1, [0, 0, -10]), "medulla_ap_depth")
    assert within(_extent(0, [0, 0, -10]), "medulla_width_at_olive")


def test_normal_anatomy_no_vessel_touches_the_facial_nerve(anatomy):
    f = anatomy.facial_nerve
    for v in anatomy.vessels:
        c = v.centerline_mm
        d, _, _ = segment_distances(c[:-1, None], c[1:, None], f.points_mm[None, :-1], f.points_mm[None, 1:])
        assert d.min() - v.radius_mm - f.radius_mm > 1.0, v.id


def test_vessels_stay_outside_the_brainstem(anatomy):
    for v in anatomy.vessels:
        clearance = brainstem_sdf(v.centerline_mm) - v.radius_mm
        assert clearance.min() > -0.05, v.id


def test_nucleus_and_pathway_inside_the_pons(anatomy):
    assert brainstem_sdf(anatomy.landmarks["facial_motor_nucleus"][None])[0] < -1.0
    assert np.all(brainstem_sdf(anatomy.facial_pathway_mm) < -1.0)  # intra-axial only


def test_anatomy_json_contract(anatomy):
    data = json.loads(json.dumps(anatomy.to_dict()))
    assert data["frame"] == "RAS" and data["units"] == "mm"
    ids = [s["id"] for s in data["structures"]]
    assert len(ids) == len(set(ids))
    for s in data["structures"]:
        assert {"id", "name", "kind", "role", "radius_mm"} <= set(s)
        if s["id"] == "brainstem":
            assert len(s["bounds_mm"]) == 6 and "centerline_mm" not in s
        elif s["kind"] in ("nerve", "artery", "vein"):
            assert len(s["centerline_mm"]) >= 2 and all(len(p) == 3 for p in s["centerline_mm"])
    fn = data["facial_nerve"]
    assert {"id", "radius_mm", "samples"} <= set(fn)
    arcs = [s["arc_mm"] for s in fn["samples"]]
    assert max(np.diff(arcs)) <= 0.25
    assert {s["segment"] for s in fn["samples"]} == {"RExP", "AS", "RDP", "CP"}
    assert {s["myelin"] for s in fn["samples"]} == {"central", "peripheral"}
    for key in (
        "root_exit_point",
        "root_detachment_point",
        "transition_zone",
        "internal_acoustic_meatus",
        "facial_motor_nucleus",
        "vertebrobasilar_junction",
    ):
        assert len(data["landmarks"][key]) == 3


def test_build_is_cached_and_deterministic():
    assert build_anatomy() is build_anatomy()
    a = build_anatomy()
    build_anatomy.cache_clear()
    b = build_anatomy()
    assert np.array_equal(a.facial_nerve.points_mm, b.facial_nerve.points_mm)
