"""`anatomy --case` and `analyze CASE.hfscase` as a user runs them, on the shipped demo case."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from viewer.patient.demo import DEMO_DIR
from viewer.vocabulary import SEGMENTS

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "viewer/schemas/anatomy.schema.json").read_text())


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "viewer", *args], capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory):
    out = tmp_path_factory.mktemp("case") / "demo.hfscase"
    r = run("import", str(DEMO_DIR / "hfs_demo.nii.gz"), str(DEMO_DIR / "hfs_demo.tsv"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out


def test_anatomy_of_a_case(demo_case):
    r = run("anatomy", "--case", str(demo_case), "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    jsonschema.validate(d, SCHEMA)  # the model's anatomy contract, with the patient's landmarks
    assert d["frame"] == "RAS" and d["units"] == "mm" and d["side"] == "left" and d["anatomy"] == "patient"
    samples = d["facial_nerve"]["samples"]
    assert len(samples) > 50
    for s in samples:
        assert set(s) >= {"arc_mm", "point_mm", "segment", "myelin"}
        assert s["segment"] in SEGMENTS and s["myelin"] in ("central", "peripheral")
    arcs = [s["arc_mm"] for s in samples]
    assert arcs[0] == 0.0 and all(b > a for a, b in zip(arcs, arcs[1:]))
    assert [s["segment"] for s in samples][0] == "RExP" and samples[-1]["segment"] == "CP"
    lm = d["landmarks"]
    assert set(lm) >= {"root_exit_point", "root_detachment_point", "internal_acoustic_meatus"}
    assert lm["root_exit_point"] == samples[0]["point_mm"]
    # the demo is the model voxelised: its exit point lies where the model's does
    model = json.loads(run("anatomy", "--json").stdout)
    rexp = model["landmarks"]["root_exit_point"]
    assert sum((a - b) ** 2 for a, b in zip(lm["root_exit_point"], rexp)) ** 0.5 < 1.5
    vessels = {s["id"]: s for s in d["structures"] if s.get("kind") in ("artery", "vein")}
    assert {"left_aica", "left_pica", "basilar_artery", "left_vertebral_artery"} <= set(vessels)
    by_role = {s["role"]: s for s in model["structures"]}
    for sid, role in (("basilar_artery", "basilar"), ("left_vertebral_artery", "vertebral"), ("left_aica", "aica")):
        v = vessels[sid]
        assert v["role"] == role and len(v["centerline_mm"]) >= 5
        assert abs(v["radius_mm"] - by_role[role]["radius_mm"]) < 0.25 * by_role[role]["radius_mm"]


def test_analyze_a_case_json_and_text(demo_case):
    r = run("analyze", str(demo_case), "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d) >= {"side", "contacts", "lesion_contacts", "classification", "culprit", "mechanism", "case"}
    assert d["side"] == "left" and d["classification"] == ["idiopathic"] and d["culprit"] is None
    assert d["case"]["anatomy"] == "patient" and d["case"]["contact_threshold_mm"] == pytest.approx(0.7)
    r = run("analyze", str(demo_case))
    assert r.returncode == 0, r.stderr
    assert "the anatomy is the patient's own" in r.stdout
    assert "hfs_demo.nii.gz" in r.stdout and "RAS" in r.stdout
    assert "depends on the segmentation" in r.stdout


def _not_a_zip(path, demo):
    path.write_text("not a zip")


def _missing(path, demo):
    pass


def _without_nerve(path, demo):
    """A copy of the demo case whose facial nerve is called 'other'."""
    with zipfile.ZipFile(demo) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "case.json":
                d = json.loads(data)
                for s in d["structures"]:
                    if s["role"] == "facial_nerve":
                        s["role"] = "other"
                data = json.dumps(d).encode()
            zout.writestr(item, data)


@pytest.mark.parametrize(
    "make,expect",
    [
        (_not_a_zip, "not a .hfscase archive"),
        (_missing, "no such file"),
        (_without_nerve, "no structure has the role facial_nerve"),
    ],
)
def test_bad_cases_exit_2_with_one_line(tmp_path, demo_case, make, expect):
    bad = tmp_path / "bad.hfscase"
    make(bad, demo_case)
    for args in (("analyze", str(bad)), ("anatomy", "--case", str(bad), "--json")):
        r = run(*args)
        assert r.returncode == 2
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and expect in lines[0] and "bad.hfscase" in lines[0]
        assert r.stdout == ""


def test_placed_landmarks_drive_the_segment_map(tmp_path, demo_case):
    d = json.loads(run("anatomy", "--case", str(demo_case), "--json").stdout)
    samples = d["facial_nerve"]["samples"]
    rdp_at = samples[len(samples) // 2]  # a detachment point placed half-way along the nerve
    moved = tmp_path / "moved.hfscase"
    with zipfile.ZipFile(demo_case) as zin, zipfile.ZipFile(moved, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "case.json":
                case = json.loads(data)
                case["landmarks"] = {"root_detachment_point": rdp_at["point_mm"]}
                data = json.dumps(case).encode()
            zout.writestr(item, data)
    e = json.loads(run("anatomy", "--case", str(moved), "--json").stdout)
    assert e["landmark_sources"]["root_detachment_point"] == "case"
    assert e["landmark_sources"]["root_exit_point"] == "derived"
    lo, hi = e["facial_nerve"]["segment_boundaries_mm"]["RDP"]
    assert (lo + hi) / 2 == pytest.approx(rdp_at["arc_mm"], abs=0.25)
    seg = {round(s["arc_mm"], 1): s["segment"] for s in e["facial_nerve"]["samples"]}
    assert seg[round(rdp_at["arc_mm"], 1)] == "RDP"
