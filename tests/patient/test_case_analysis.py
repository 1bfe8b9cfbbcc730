"""The analysis on a patient's own geometry: the model's presets voxelised like a segmentation
(0.4 x 0.4 x 0.7 mm, oblique axes; viewer.patient.synthetic), imported and analysed; the references
are the model's own findings (viewer.analysis on the preset) and figures computed here."""

import os
from dataclasses import replace
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from viewer.analysis import analyze
from viewer.anatomy import build_anatomy
from viewer.case import CaseError
from viewer.case_anatomy import shape_change, shape_severity
from viewer.patient.case_analysis import analyze_case, case_anatomy, case_scenario
from viewer.patient.case_geometry import structure_centerline
from viewer.patient.importer import import_files
from viewer.patient.synthetic import import_scenario_case, scenario_label_map
from viewer.presets import PRESET_NAMES, load_preset
from viewer.scenario import mirror_scenario
from viewer.vocabulary import SEVERITIES


def _vessel_presets():
    """The presets whose findings come from vessels alone (no lesions, no history: not segmented;
    no MVD plan: pads and slings are a rehearsal on the anatomy, not part of what is segmented)."""
    out = []
    for n in PRESET_NAMES:
        s = load_preset(n)
        h = s.history
        if s.lesions or s.pads or s.slings or h.prior_bells_palsy or h.facial_trauma or h.inflammatory:
            continue
        out.append(n)
    return out


VESSEL_PRESETS = _vessel_presets()
QUICK = {("pica-root-exit-point", "left"), ("aica-root-detachment-point", "right")}  # the rest: -m slow


def _cases():
    for n in VESSEL_PRESETS:
        for side in ("left", "right"):
            marks = () if (n, side) in QUICK else (pytest.mark.slow,)
            yield pytest.param(n, side, marks=marks, id=f"{n}-{side}")


def _scenario(name, side):
    s = load_preset(name)
    return s if side == "left" else mirror_scenario(s)


@pytest.mark.parametrize("name,side", list(_cases()))
def test_preset_voxelised_gives_the_presets_findings(name, side):
    scenario = _scenario(name, side)
    model = analyze(scenario)
    res = import_scenario_case(scenario)
    assert res.case.side == side
    f = analyze_case(res.case, res.meshes)
    assert f.side == side
    assert f.classification == model.classification
    assert f.culprit == model.culprit
    want, got = model.culprit_contact(), f.culprit_contact()
    if want is None:
        assert got is None
        return
    assert got.segment == want.segment and got.myelin == want.myelin
    assert abs(SEVERITIES.index(got.severity) - SEVERITIES.index(want.severity)) <= 1
    d = got.to_dict()
    assert d["contact_threshold_mm"] == pytest.approx(0.7)  # one voxel (the largest edge) of the source
    assert d["gap_mm"] <= d["contact_threshold_mm"]
    assert {"radius_reduction", "deviation_mm", "reference_radius_mm"} <= set(d)


def _severe_with_a_wide_vessel():
    """severe-deviation with its AICA 2 mm in radius: the model's deformation moves the course by
    d - 0.5 D, at most the vessel's radius, so a 0.75 mm AICA cannot deviate it by half a diameter."""
    s = load_preset("severe-deviation")
    culprit = analyze(s).culprit
    return s.with_vessel(replace(s.vessel(culprit), radius_mm=2.0)), culprit


def test_deformed_nerve_reads_severe_and_untouched_none():
    scenario, culprit = _severe_with_a_wide_vessel()
    model = analyze(scenario).culprit_contact()
    assert model.severity == "severe"
    res = import_scenario_case(scenario, deformed=True)
    f = analyze_case(res.case, res.meshes)
    c = f.culprit_contact()
    assert f.culprit == culprit and c.severity == "severe"
    assert c.deviation_mm > 0.5 * 2 * 0.75
    # the same place on a nerve nothing touches: no change of shape
    plain = import_scenario_case(load_preset("idiopathic"))
    g = case_anatomy(plain.case, plain.meshes)
    shape = g.anatomy.facial.shape
    preset = analyze(load_preset("severe-deviation")).culprit_contact()
    ch = shape_change(shape, *preset.arc_range_mm, np.subtract(preset.nerve_point_mm, preset.other_point_mm))
    assert shape_severity(ch) == "none"


def test_nerve_in_two_pieces_refused(tmp_path):
    labels, affine, table = scenario_label_map(load_preset("idiopathic"))
    cn7 = next(v for v, n, _, _ in table if n == "cn7")
    ijk = np.argwhere(labels == cn7)
    world = ijk @ affine[:3, :3].T + affine[:3, 3]
    s = world[:, 0]  # the nerve runs laterally: cut a 1.5 mm slab out of its middle
    mid = np.median(s)
    gap = np.abs(s - mid) < 0.75
    labels[tuple(ijk[gap].T)] = 0
    case, meshes = _import(tmp_path, labels, affine, table)
    with pytest.raises(CaseError, match="cn7: the facial nerve has 2 pieces.*landmarks"):
        case_anatomy(case, meshes)
    # a root exit point placed by hand picks the piece at the brainstem
    rexp = build_anatomy().landmarks["root_exit_point"]
    g = case_anatomy(replace(case, landmarks={"root_exit_point": tuple(rexp)}), meshes)
    fn = g.anatomy.facial_nerve
    assert np.linalg.norm(fn.points_mm[0] - rexp) < 1.0
    assert fn.arc_mm[-1] < build_anatomy().facial_nerve.arc_mm[-1] - 3.0  # only the piece from the brainstem


def test_nerve_off_the_brainstem_refused(tmp_path):
    labels, affine, table = scenario_label_map(load_preset("idiopathic"))
    brainstem = next(v for v, n, _, _ in table if n == "brainstem")
    cn7 = next(v for v, n, _, _ in table if n == "cn7")
    # the brainstem shrunk away from the nerve: nothing within 3 mm of CN VII stays brainstem
    nerve = np.argwhere(labels == cn7) @ affine[:3, :3].T + affine[:3, 3]
    bs = np.argwhere(labels == brainstem)
    pts = bs @ affine[:3, :3].T + affine[:3, 3]
    lo, hi = nerve.min(0) - 3.0, nerve.max(0) + 3.0
    near = np.all((pts > lo) & (pts < hi), axis=1)
    labels[tuple(bs[near].T)] = 0
    case = _import(tmp_path, labels, affine, table)
    with pytest.raises(CaseError, match="never meets the brainstem surface.*landmarks"):
        case_anatomy(*case)


def _import(tmp_path, labels, affine, table):
    img = nib.Nifti1Image(labels, affine)
    img.header.set_sform(affine, code=1)
    nib.save(img, str(tmp_path / "cut.nii.gz"))
    (tmp_path / "cut.tsv").write_text("value\tname\n" + "".join(f"{v}\t{n}\n" for v, n, _, _ in table))
    roles = {v: (r, vr) for v, _, r, vr in table}
    res = import_files([tmp_path / "cut.nii.gz", tmp_path / "cut.tsv"], labels=roles)
    return res.case, res.meshes


def test_vessel_radius_matches_volume_over_length():
    res = import_scenario_case(load_preset("idiopathic"))
    g = case_anatomy(res.case, res.meshes)
    for sid in ("basilar", "va_left", "aica", "vein_pms"):
        c = g.centerlines[sid]
        mesh = res.meshes[sid]
        r_vl = np.sqrt(abs(mesh.volume) / (np.pi * c.total_length_mm))
        assert c.mean_radius_mm == pytest.approx(r_vl, rel=0.15), sid
        v = g.vessels[sid]
        assert v.radius_mm == pytest.approx(c.mean_radius_mm) and v.role == res.case.structure(sid).vessel_role
        assert np.linalg.norm(v.course_mm[0] - c.points_mm[0]) < 0.5  # handles through the centreline


def test_tof_basilar_label_map_through_the_importer(tmp_path):
    """A curved 1.5 mm tube at 0.3 x 0.3 x 0.6 mm on turned axes, built with numpy, imported as a label map."""
    ax, ay, az = np.radians([5.0, -4.0, 7.0])
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    rot = rz @ ry @ rx
    sp = np.array([0.3, 0.3, 0.6])
    shape = (90, 110, 30)
    aff = np.eye(4)
    aff[:3, :3] = rot * sp
    aff[:3, 3] = rot @ np.array([-6.0, -4.0, -8.0])
    ijk = np.stack(np.meshgrid(*(np.arange(n) for n in shape), indexing="ij"), -1).astype(float)
    p = ijk @ aff[:3, :3].T + aff[:3, 3]
    bend, sweep, r = 25.0, np.radians(55.0), 1.5  # basilar: a gentle curve, 24 mm long
    ang = np.arctan2(p[..., 1], bend - p[..., 0])
    ring = np.hypot(bend - p[..., 0], p[..., 1])
    lab = ((ang >= 0) & (ang <= sweep) & ((ring - bend) ** 2 + p[..., 2] ** 2 <= r * r)).astype(np.uint8)
    img = nib.Nifti1Image(lab, aff)
    img.header.set_sform(aff, code=1)
    nib.save(img, str(tmp_path / "tof.nii.gz"))
    res = import_files([tmp_path / "tof.nii.gz"], labels={1: ("vessel", "basilar")})
    (sid,) = res.meshes
    c = structure_centerline(res.meshes[sid])
    length = bend * sweep
    r_vl = np.sqrt(lab.sum() * np.prod(sp) / (np.pi * length))
    assert c.mean_radius_mm == pytest.approx(r_vl, rel=0.15)
    assert c.mean_radius_mm == pytest.approx(r, rel=0.15)
    assert c.length_mm == pytest.approx(length, rel=0.08)
    assert res.case.sources[0].voxel_mm == pytest.approx(tuple(sp))


def test_case_scenario_keeps_edits_and_the_tube_is_used():
    scenario = load_preset("aica-attached-segment")
    res = import_scenario_case(scenario)
    g = case_anatomy(res.case, res.meshes)
    base = case_scenario(res.case, g)
    assert {v.id for v in base.vessels} >= {"aica", "pica", "basilar"}
    # an edited AICA (stored in the case's scenario) is analysed as its tube, as on the model
    from viewer.case_anatomy import CaseContact
    from viewer.scenario import scenario_to_dict

    def with_aica(v):
        return analyze_case(replace(res.case, scenario=scenario_to_dict(base.with_vessel(v))), res.meshes, g)

    nudged = with_aica(base.vessel("aica").moved([0.0, 0.0, 0.01]))
    (c,) = [c for c in nudged.contacts if c.id == "aica" and c.structure == "CN VII"]
    assert not isinstance(c, CaseContact) and "contact_threshold_mm" not in c.to_dict()
    lifted = with_aica(base.vessel("aica").moved([0.0, 0.0, 40.0]))
    assert "aica" not in {c.id for c in lifted.contacts}
    measured = analyze_case(res.case, res.meshes, g)
    assert measured.culprit == "aica" and isinstance(measured.culprit_contact(), CaseContact)


REAL_TOF = os.environ.get("HFS_REAL_TOF_BASILAR", str(Path(__file__).parent / "data" / "tof-basilar.nii.gz"))


@pytest.mark.skipif(
    not Path(REAL_TOF).is_file(),
    reason="no real TOF-MRA basilar label map here (patient data is not shipped; set HFS_REAL_TOF_BASILAR "
    "or put one at tests/patient/data/tof-basilar.nii.gz)",
)
def test_real_tof_basilar_label_map():
    """On a real segmentation: the centreline's mean radius agrees with volume / length within 15 %."""
    res = import_files([REAL_TOF], labels={})
    sid = max(res.meshes, key=lambda k: abs(res.meshes[k].volume))
    mesh = res.meshes[sid]
    c = structure_centerline(mesh)
    r_vl = np.sqrt(abs(mesh.volume) / (np.pi * c.total_length_mm))
    assert c.mean_radius_mm == pytest.approx(r_vl, rel=0.15)
    assert 0.5 < c.mean_radius_mm < 3.0  # a basilar artery, in mm
