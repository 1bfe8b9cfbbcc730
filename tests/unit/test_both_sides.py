"""Both sides: the right-sided scene is the left model mirrored at x = 0.

Every reference here is mirrored by hand in the test (x -> -x on plain arrays, words
swapped with a literal table), never with the code under test."""

from __future__ import annotations

import json

import numpy as np
import pytest

from viewer.analysis import analyze
from viewer.anatomy import build_anatomy
from viewer.presets import PRESET_NAMES, load_preset
from viewer.scenario import default_scenario, mirror_scenario, parse_scenario, scenario_to_dict
from viewer.scene_model import SceneModel
from viewer.views import VIEWS, camera_for, view_for, view_title

FLIP = np.array([-1.0, 1.0, 1.0])
# The names the right side must show, written out (not computed by swapping words).
RIGHT_NAMES = {
    "va_left": "Right vertebral artery",
    "va_right": "Left vertebral artery",
    "aica": "Right AICA",
    "pica": "Right PICA",
    "sca": "Right SCA",
    "basilar": "Basilar artery",
    "cn7": "Facial nerve (CN VII)",
    "vein_pms": "Vein of the pontomedullary sulcus",
}


@pytest.fixture(scope="module")
def left():
    return build_anatomy("left")


@pytest.fixture(scope="module")
def right():
    return build_anatomy("right")


def test_build_anatomy_is_cached_per_side(left, right):
    assert build_anatomy() is left and build_anatomy(side="left") is left
    assert build_anatomy("right") is right and right is not left
    assert (left.side, right.side) == ("left", "right")
    with pytest.raises(ValueError):
        build_anatomy("both")


def test_every_tube_is_mirrored(left, right):
    assert list(right.tubes) == list(left.tubes)
    for tid, t in left.tubes.items():
        r = right.tubes[tid]
        assert np.allclose(r.control_mm, t.control_mm * FLIP, atol=1e-12)
        assert np.allclose(r.centerline_mm, t.centerline_mm * FLIP, atol=1e-9)
        assert (r.kind, r.role, r.radius_mm, r.group, r.visible) == (t.kind, t.role, t.radius_mm, t.group, t.visible)
    # the modelled side lies at x < 0 on the left, x > 0 on the right
    assert (left.tubes["aica"].centerline_mm[1:, 0] < 0).all()
    assert (right.tubes["aica"].centerline_mm[1:, 0] > 0).all()


def test_labels_swap_sides(left, right):
    for tid, name in RIGHT_NAMES.items():
        assert right.tubes[tid].name == name
    assert left.tubes["aica"].name == "Left AICA" and left.tubes["va_right"].name == "Right vertebral artery"


def test_facial_nerve_samples_and_zones(left, right):
    fl, fr = left.facial_nerve, right.facial_nerve
    assert np.allclose(fr.points_mm, fl.points_mm * FLIP, atol=1e-12)
    assert np.array_equal(fr.arc_mm, fl.arc_mm)
    assert list(fr.segments) == list(fl.segments) and list(fr.myelin) == list(fl.myelin)
    assert (fr.rdp_arc_mm, fr.tz_arc_mm, fr.porus_arc_mm) == (fl.rdp_arc_mm, fl.tz_arc_mm, fl.porus_arc_mm)
    assert np.allclose(fr.point_at(8.0), fl.point_at(8.0) * FLIP)


def test_landmarks_and_pathway(left, right):
    assert set(right.landmarks) == set(left.landmarks)
    for k, p in left.landmarks.items():
        assert np.allclose(right.landmarks[k], np.asarray(p) * FLIP, atol=1e-12), k
    assert right.landmarks["root_exit_point"][0] > 0
    assert np.allclose(right.facial_pathway_mm, left.facial_pathway_mm * FLIP, atol=1e-12)


def test_solids_are_evaluated_on_mirrored_points(left, right):
    p = np.random.default_rng(7).uniform(-35.0, 35.0, (2000, 3))
    q = p * FLIP
    assert np.allclose(right.brainstem_sdf(q), left.brainstem_sdf(p), atol=1e-12)
    assert np.allclose(right.petrous.sdf(q), left.petrous.sdf(p), atol=1e-12)
    # the bone is not symmetric: the left bone at a right point is not the right bone there
    porus = right.petrous.porus_mm
    assert right.petrous.sdf(porus[None])[0] < 5 < left.petrous.sdf(porus[None])[0]
    assert np.allclose(right.petrous.porus_mm, left.petrous.porus_mm * FLIP)
    lo, hi = left.petrous.bounds[0:2]
    assert right.petrous.bounds[0:2] == pytest.approx((-hi, -lo))


def test_anatomy_dict_names_its_side(left, right):
    dl, dr = left.to_dict(), right.to_dict()
    assert (dl["side"], dr["side"]) == ("left", "right")
    sl = {s["id"]: s for s in dl["structures"]}
    sr = {s["id"]: s for s in dr["structures"]}
    b = sl["brainstem"]["bounds_mm"]
    assert sr["brainstem"]["bounds_mm"] == pytest.approx([-b[1], -b[0]] + b[2:])
    assert sr["aica"]["name"] == "Right AICA"
    assert np.allclose(np.array(sr["aica"]["centerline_mm"]), np.array(sl["aica"]["centerline_mm"]) * FLIP, atol=2e-3)
    for a, b in zip(dl["facial_nerve"]["samples"], dr["facial_nerve"]["samples"]):
        assert b["arc_mm"] == a["arc_mm"] and b["segment"] == a["segment"]
        assert b["point_mm"] == pytest.approx([-a["point_mm"][0]] + a["point_mm"][1:], abs=2e-3)
    json.dumps(dr)  # JSON-clean


def test_default_scenario_of_the_right_side():
    left, right = default_scenario(), default_scenario("right")
    assert right.side == "right" and right.description.count("right") == 1
    for vl, vr in zip(left.vessels, right.vessels):
        assert vr.id == vl.id
        assert np.allclose(np.array(vr.centerline_mm), np.array(vl.centerline_mm) * FLIP)
    assert {v.id: v.label for v in right.vessels}["aica"] == "Right AICA"
    assert analyze(right).classification == ("idiopathic",)


def test_findings_report_the_patient_side():
    s = default_scenario()
    assert analyze(s).to_dict()["side"] == "left"
    d = analyze(mirror_scenario(s)).to_dict()
    assert d["side"] == "right"
    for key in ("contacts", "lesion_contacts", "classification", "culprit", "mechanism"):
        assert key in d  # every v1 key kept


def test_an_anatomy_of_the_other_side_is_refused(left):
    with pytest.raises(ValueError):
        analyze(default_scenario("right"), left)


def _contact_key(c):
    return (c.id, c.structure, c.segment, c.severity, c.myelin, c.side, round(c.arc_mm, 6), round(c.gap_mm, 6))


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_a_mirrored_preset_gives_the_same_findings(name):
    s = load_preset(name)
    # the mirror image built by hand from the file's JSON, independent of mirror_scenario
    doc = scenario_to_dict(s)
    other = "left" if s.side == "right" else "right"  # mvd-right-aica-pad is the one right-sided preset
    doc["side"] = other
    for v in doc["vessels"]:
        v["centerline_mm"] = [[-x, y, z] for x, y, z in v["centerline_mm"]]
    for les in doc.get("lesions", []):
        x, y, z = les["center_mm"]
        les["center_mm"] = [-x, y, z]
    for pad in doc.get("pads", []):  # the MVD rehearsal presets: an ellipsoid's mirror has its axes' x negated
        x, y, z = pad["center_mm"]
        pad["center_mm"] = [-x, y, z]
        if "axes" in pad:
            pad["axes"] = [[-a, b, c] for a, b, c in pad["axes"]]
    for sling in doc.get("slings", []):
        x, y, z = sling["anchor_mm"]
        sling["anchor_mm"] = [-x, y, z]
    by_hand = parse_scenario(json.dumps(doc))
    mirrored = mirror_scenario(s)
    fl, fr, fh = analyze(s), analyze(mirrored), analyze(by_hand)
    assert fr.side == fh.side == other
    assert fr.classification == fl.classification == fh.classification
    assert fr.culprit == fl.culprit == fh.culprit
    assert [c.segment for c in fr.all_contacts] == [c.segment for c in fl.all_contacts]
    assert [_contact_key(c) for c in fr.all_contacts] == [_contact_key(c) for c in fl.all_contacts]
    assert [_contact_key(c) for c in fh.all_contacts] == [_contact_key(c) for c in fl.all_contacts]
    for cl, cr in zip(fl.all_contacts, fr.all_contacts):
        assert np.allclose(cr.nerve_point_mm, np.array(cl.nerve_point_mm) * FLIP, atol=1e-9)
        assert np.allclose(cr.other_point_mm, np.array(cl.other_point_mm) * FLIP, atol=1e-9)
    assert fr.mechanism.kind == fl.mechanism.kind and fr.mechanism.sources == fl.mechanism.sources
    assert len(fr.vessel_contacts) == len(fl.vessel_contacts)
    if s.teaching.expected:
        assert set(fr.classification) == set(s.teaching.expected)


def test_the_mirror_check_can_fail():
    """A right-sided copy whose coordinates were NOT mirrored finds nothing on the right nerve."""
    s = load_preset("aica-attached-segment")
    doc = scenario_to_dict(s)
    other = "left" if s.side == "right" else "right"  # mvd-right-aica-pad is the one right-sided preset
    doc["side"] = other
    unmirrored = parse_scenario(json.dumps(doc))
    assert analyze(s).culprit == "aica"
    assert analyze(unmirrored).culprit is None


def test_scene_model_follows_the_scenario_side(left, right):
    m = SceneModel()
    assert m.anatomy is left and m.side == "left"
    s = load_preset("pica-root-exit-point")
    m.set_scenario(s)
    culprit_left = m.state.findings.culprit
    dl = m.state.deformation
    m.set_scenario(mirror_scenario(s))
    assert m.anatomy is right and m.side == "right" and m.state.anatomy is right
    assert m.state.findings.culprit == culprit_left and m.state.findings.side == "right"
    assert np.allclose(
        m.state.nerve_centerline_mm[:, 0],
        -np.asarray(dl.centerline if not dl.is_rest else left.facial_nerve.points_mm)[:, 0],
        atol=1e-6,
    )
    # a state of the other side is evaluated on that side's anatomy without switching the model
    st = m.evaluate(s)
    assert st.anatomy is left and m.anatomy is right
    with pytest.raises(ValueError):
        SceneModel(left, default_scenario("right"))


def test_new_lesions_sit_on_the_scenario_side():
    from viewer.editing import default_lesion_placement, new_lesion

    for kind in ("tumor", "avm", "aneurysm", "brainstem_lesion"):
        (cl, radii_l), (cr, radii_r) = default_lesion_placement(kind), default_lesion_placement(kind, "right")
        assert np.allclose(cr, np.asarray(cl) * FLIP, atol=1e-6) and radii_r == radii_l, kind
    les = new_lesion("tumor", default_scenario("right"))
    assert les.center_mm[0] > 0


# --------------------------------------------------------------------------- views


def test_right_views_are_the_mirrored_cameras():
    for name, v in VIEWS.items():
        pos_l, foc_l, up_l = camera_for(name)
        pos_r, foc_r, up_r = camera_for(name, "right")
        assert np.allclose(pos_r, pos_l * FLIP) and np.allclose(foc_r, foc_l * FLIP) and np.allclose(up_r, up_l * FLIP)
        assert view_for(name, "right").name == name and view_for(name, "right").shortcut == v.shortcut
    assert view_title("left_lateral", "right") == "Right lateral"
    assert view_title("retrosigmoid", "right") == "Right retrosigmoid (surgeon)"
    assert view_title("retrosigmoid") == "Left retrosigmoid (surgeon)"
    assert view_title("anterior", "right") == "Anterior"
    # the right lateral camera stands at x > 0, the right surgeon behind the right sigmoid sinus
    assert camera_for("left_lateral", "right")[0][0] > 50
    pos, foc, _ = camera_for("retrosigmoid", "right")
    assert pos[0] > foc[0] > 0 and pos[1] < foc[1]
